#!/usr/bin/env bats
# /dev inside the container: the default nodes, linux.devices (type,
# major/minor, mode, owner), the symlinks, /dev/console with a terminal, and
# the promise that nothing done in a container reaches a host device node.

load helpers

load rootfs-lib

@test "devices: the default nodes exist with the right numbers and mode 0666" {
	sh_args 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a %u:%g" /dev/$d; done'
	run vessel run "$CID"
	assert_success
	assert_line "/dev/null character special file 1:3 666 0:0"
	assert_line "/dev/zero character special file 1:5 666 0:0"
	assert_line "/dev/full character special file 1:7 666 0:0"
	assert_line "/dev/random character special file 1:8 666 0:0"
	assert_line "/dev/urandom character special file 1:9 666 0:0"
	assert_line "/dev/tty character special file 5:0 666 0:0"
}

@test "devices: /dev symlinks and ptmx" {
	sh_args 'for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done; test -c /dev/pts/ptmx && echo pts-ptmx'
	run vessel run "$CID"
	assert_success
	assert_line "fd /proc/self/fd"
	assert_line "stdin /proc/self/fd/0"
	assert_line "stdout /proc/self/fd/1"
	assert_line "stderr /proc/self/fd/2"
	assert_line "ptmx pts/ptmx"
	assert_line pts-ptmx
}

@test "devices: the nodes work (null swallows, zero reads zeros, full is full)" {
	sh_args 'echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1; (echo x > /dev/full) 2>&1; echo rc=$?'
	run vessel run "$CID"
	assert_success
	assert_line null-ok
	assert_line " 00 00 00 00"
	assert_output --partial "No space left on device"
	assert_line rc=1
}

@test "devices: linux.devices with type, major/minor, mode and owner" {
	update_config '.linux.devices = [
		{"path":"/dev/vessel-char","type":"c","major":1,"minor":5,"fileMode":416,"uid":1000,"gid":100},
		{"path":"/dev/sub/dir/vessel-blk","type":"b","major":7,"minor":200,"fileMode":384},
		{"path":"/dev/vessel-fifo","type":"p","fileMode":420,"uid":2,"gid":3},
		{"path":"/dev/vessel-u","type":"u","major":1,"minor":9}]'
	sh_args 'stat -c "%n %F %t:%T %a %u:%g" /dev/vessel-char /dev/sub/dir/vessel-blk /dev/vessel-fifo /dev/vessel-u'
	run vessel run "$CID"
	assert_success
	assert_line "/dev/vessel-char character special file 1:5 640 1000:100"
	assert_line "/dev/sub/dir/vessel-blk block special file 7:c8 600 0:0"
	assert_line "/dev/vessel-fifo fifo 0:0 644 2:3"
	assert_line "/dev/vessel-u character special file 1:9 666 0:0"
}

@test "devices: linux.devices overrides a default node (owner of /dev/null)" {
	update_config '.linux.devices = [{"path":"/dev/null","type":"c","major":1,"minor":3,"fileMode":438,"uid":1000,"gid":1000}]'
	sh_args 'stat -c "%t:%T %a %u:%g" /dev/null'
	run vessel run "$CID"
	assert_success
	assert_output "1:3 666 1000:1000"
	[ "$(stat -c %u:%g /dev/null)" = 0:0 ]
}

@test "devices: chown and chmod of /dev/null inside never reach the host" {
	update_config '.process.capabilities |= with_entries(.value += ["CAP_CHOWN", "CAP_FOWNER"])'
	sh_args 'chown 1000:1000 /dev/null /dev/zero && chmod 600 /dev/null && stat -c "%u:%g %a" /dev/null'
	run vessel run "$CID"
	assert_success
	assert_output "1000:1000 600"
	[ "$(stat -c '%u:%g %a' /dev/null)" = "0:0 666" ]
	[ "$(stat -c '%u:%g' /dev/zero)" = "0:0" ]
}

@test "devices: a device path through a symlink stays inside the root" {
	mkdir -p "$BUNDLE/rootfs/target"
	ln -s / "$BUNDLE/rootfs/devlink"
	update_config '.linux.devices = [{"path":"/devlink/target/vessel-node-'"$CID"'","type":"c","major":1,"minor":3}]'
	sh_args "stat -c %t:%T /target/vessel-node-$CID"
	run vessel run "$CID"
	assert_success
	assert_output 1:3
	[ ! -e "/target/vessel-node-$CID" ]
}

@test "devices: a bad device type or path is refused" {
	update_config '.linux.devices = [{"path":"/dev/../../x","type":"c","major":1,"minor":3}]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.devices[0].path"
	[ ! -e "$ROOT/$CID" ]
}

@test "devices: in a user namespace the host's nodes are bind-mounted, not made" {
	userns_100000
	update_config '.linux.devices = [{"path":"/dev/kmsg","type":"c","major":1,"minor":11,"uid":5,"gid":5}]
		| .process.capabilities |= with_entries(.value += ["CAP_CHOWN"])'
	sh_args 'stat -c "%n %t:%T %u" /dev/null /dev/kmsg; grep -c " /dev/null " /proc/self/mountinfo; head -c 2 /dev/zero | od -An -tx1; chown 0:0 /dev/null 2>&1; echo rc=$?'
	run vessel run "$CID"
	assert_success
	# The host's nodes, owned by the host's root: unmapped (65534) inside,
	# and never chowned to the config's uid.
	assert_line "/dev/null 1:3 65534"
	assert_line "/dev/kmsg 1:b 65534"
	assert_line --index 2 1
	assert_line " 00 00"
	assert_line rc=1
	[ "$(stat -c '%u:%g %a' /dev/null)" = "0:0 666" ]
	[ "$(stat -c '%u:%g' /dev/kmsg)" = "0:0" ]
}

@test "devices: with an identity-mapped user namespace, chown of a bound host node fails" {
	requires userns
	# Container root is host root here, so only the read-only bind stands
	# between a chown inside and the host's /dev/null.
	update_config '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":0,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":0,"size":65536}]
		| .process.capabilities |= with_entries(.value += ["CAP_CHOWN","CAP_FOWNER"])'
	before=$(stat -c '%u:%g %a %Z' /dev/null)
	sh_args 'chown 1000:1000 /dev/null; echo chown=$?; chmod 600 /dev/null; echo chmod=$?; echo x > /dev/null && echo write=ok'
	run vessel run "$CID"
	assert_success
	assert_line chown=1
	assert_line chmod=1
	assert_line write=ok
	[ "$(stat -c '%u:%g %a %Z' /dev/null)" = "$before" ]
}

@test "devices: in a user namespace a device missing on the host is a clear error" {
	userns_100000
	update_config '.linux.devices = [{"path":"/dev/vessel-nothere","type":"c","major":1,"minor":5}]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.devices[0]"
	assert_output --partial "/dev/vessel-nothere"
	[ ! -e "$ROOT/$CID" ]
}

@test "devices: /dev/console is the container's pty when terminal is set" {
	requires helper recvtty
	update_config '.process.terminal = true'
	sh_args 'stat -c "%t" /dev/console; tty; grep " /dev/console " /proc/self/mountinfo'
	SOCK=$BATS_TEST_TMPDIR/console.sock
	"$HELPERS_DIR/recvtty" "$SOCK" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 &
	local rpid=$!
	retry 50 0.1 test -S "$SOCK"
	run vessel create --console-socket "$SOCK" "$CID"
	assert_success
	vessel start "$CID"
	wait "$rpid"
	wait_for_status "$CID" stopped
	run tr -d '\r' <"$BATS_TEST_TMPDIR/tty.out"
	# 0x88 = 136, the first UNIX98 pty major; the console is a bind of the
	# container's own devpts slave.
	assert_line 88
	assert_line --regexp '^/dev/pts/[0-9]+$'
	assert_line --regexp ' /dev/console .* - devpts '
}

@test "devices: /dev/console does not exist without a terminal" {
	sh_args 'test -e /dev/console && echo present || echo absent'
	run vessel run "$CID"
	assert_success
	assert_output absent
}
