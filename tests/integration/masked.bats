#!/usr/bin/env bats
# linux.maskedPaths (files covered by /dev/null, directories by an empty
# read-only tmpfs) and linux.readonlyPaths (read-only binds).

load helpers

load rootfs-lib

@test "masked: the default config's masked directories are empty and read-only" {
	sh_args 'ls -A /sys/firmware | wc -l; touch /sys/firmware/x 2>&1; echo rc=$?'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 0
	assert_output --partial "Read-only file system"
	assert_line rc=1
}

# Writing to a masked file writes to /dev/null (a device node ignores the
# read-only mount, as with runc): the write vanishes, the file is untouched,
# and the file cannot be replaced or removed.
@test "masked: a masked file reads empty and writes never reach it" {
	echo secret >"$BUNDLE/rootfs/etc/secret"
	update_config '.root.readonly = false | .linux.maskedPaths += ["/etc/secret"]'
	sh_args 'wc -c < /etc/secret; echo x > /etc/secret; wc -c < /etc/secret; stat -c %t:%T /etc/secret; rm -f /etc/secret 2>&1; echo rc=$?'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 0
	assert_line --index 1 0
	assert_line 1:3
	assert_output --partial "resource busy"
	assert_line rc=1
	[ "$(cat "$BUNDLE/rootfs/etc/secret")" = secret ]
}

@test "masked: a masked /proc file (timer_list, keys) reads empty" {
	sh_args 'wc -c < /proc/timer_list; wc -c < /proc/keys'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 0
	assert_line --index 1 0
}

@test "masked: a masked directory hides its content" {
	mkdir -p "$BUNDLE/rootfs/secretdir"
	echo s >"$BUNDLE/rootfs/secretdir/f"
	update_config '.linux.maskedPaths += ["/secretdir"]'
	sh_args 'ls -A /secretdir | wc -l; mkdir /secretdir/x 2>&1; echo rc=$?'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 0
	assert_line rc=1
	[ -f "$BUNDLE/rootfs/secretdir/f" ]
}

@test "masked: paths that do not exist are skipped" {
	update_config '.linux.maskedPaths += ["/does/not/exist"] | .linux.readonlyPaths += ["/nor/this"]'
	sh_args 'test -e /does/not/exist || echo ok'
	run vessel run "$CID"
	assert_success
	assert_output ok
}

@test "masked: a masked path through a symlink masks its in-root target" {
	echo secret >"$BUNDLE/rootfs/etc/real-secret"
	ln -s /etc/real-secret "$BUNDLE/rootfs/link-secret"
	update_config '.linux.maskedPaths += ["/link-secret"]'
	sh_args 'wc -c < /etc/real-secret'
	run vessel run "$CID"
	assert_success
	assert_output 0
}

@test "masked: a /dev/null that is not the null device is refused" {
	update_config '.linux.devices = [{"path":"/dev/null","type":"c","major":1,"minor":5}]
		| .linux.maskedPaths += ["/etc/passwd"]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "/dev/null in the container is not the null device"
	[ ! -e "$ROOT/$CID" ]
}

@test "readonly: readonlyPaths refuse writes, including below submounts" {
	mkdir -p "$BUNDLE/rootfs/data/sub"
	update_config '.root.readonly = false
		| .mounts += [{"destination":"/data/sub","type":"tmpfs","source":"tmpfs"}]
		| .linux.readonlyPaths += ["/data"]'
	sh_args 'touch /data/x 2>&1; echo rc1=$?; touch /data/sub/y 2>&1; echo rc2=$?; touch /tmp/z && echo tmp-ok'
	run vessel run "$CID"
	assert_success
	assert_line rc1=1
	assert_line rc2=1
	assert_line tmp-ok
	[ ! -e "$BUNDLE/rootfs/data/x" ]
}

@test "readonly: the default /proc/sys is read-only, /proc still readable" {
	sh_args 'cat /proc/sys/kernel/hostname; echo x > /proc/sys/kernel/hostname 2>&1; echo rc=$?'
	run vessel run "$CID"
	assert_success
	assert_line rc=1
	assert_output --partial "Read-only file system"
}

@test "masked: a masked path climbing above / is refused" {
	update_config '.linux.maskedPaths += ["/../../etc/shadow"]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.maskedPaths"
	assert_output --partial "climbs above the container root"
	[ ! -e "$ROOT/$CID" ]
}
