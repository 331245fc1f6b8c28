#!/usr/bin/env bats
# The container's root: pivot_root into a bind of root.path (old root gone),
# --no-pivot, read-only root, rootfsPropagation, and the overlay root asked
# for through annotations.

load helpers

load rootfs-lib

@test "rootfs: the container's / is root.path and the old root is detached" {
	echo inside >"$BUNDLE/rootfs/marker-$CID"
	sh_args 'cat /marker-*; cat /proc/self/mountinfo'
	run vessel run "$CID"
	assert_success
	assert_line inside
	local mi=$output
	# Mount points (field 5): the host's own (/sys/fs/cgroup/cpu, /dev/shm of
	# the host's devtmpfs...) would be listed if the old root had stayed.
	run awk 'NF > 5 { print $5 }' <<<"$mi"
	refute_output --partial "$BUNDLE"
	# (on a hybrid host the container has its own cgroup mounts there)
	if [[ $(stat -f -c %T /sys/fs/cgroup) != tmpfs ]]; then
		refute_line /sys/fs/cgroup/cpu
		refute_line /sys/fs/cgroup/unified
	fi
	run awk '$5 == "/" { print $10 }' <<<"$mi"
	refute_output devtmpfs
	run grep -c ' - devtmpfs ' <<<"$mi"
	assert_output 0
}

@test "rootfs: relative root.path is resolved against the bundle" {
	mv "$BUNDLE/rootfs" "$BUNDLE/other"
	update_config '.root.path = "other"'
	sh_args 'test -x /bin/busybox && echo ok'
	run vessel run "$CID"
	assert_success
	assert_output ok
}

@test "rootfs: a missing root.path is refused and leaves nothing behind" {
	update_config '.root.path = "nonexistent"'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "root.path"
	assert_output --partial "nonexistent"
	[ ! -e "$ROOT/$CID" ]
}

@test "rootfs: root.readonly makes / read-only, other mounts stay writable" {
	update_config '.root.readonly = true'
	sh_args 'touch /x 2>&1; echo rc=$?; touch /dev/shm/y && echo shm-ok'
	run vessel run "$CID"
	assert_success
	assert_output --partial "Read-only file system"
	assert_line "rc=1"
	assert_line shm-ok
	[ ! -e "$BUNDLE/rootfs/x" ]
}

@test "rootfs: root.readonly false leaves / writable (on the bundle's rootfs)" {
	update_config '.root.readonly = false'
	sh_args 'echo written > /x && echo ok'
	run vessel run "$CID"
	assert_success
	assert_output ok
	[ "$(cat "$BUNDLE/rootfs/x")" = written ]
}

@test "rootfs: --no-pivot chroots into the root" {
	echo inside >"$BUNDLE/rootfs/marker"
	sh_args 'cat /marker; test -e /proc/1/status && echo proc-ok'
	vessel create --no-pivot "$CID" >"$BATS_TEST_TMPDIR/out" 2>&1
	vessel start "$CID"
	wait_for_status "$CID" stopped
	run cat "$BATS_TEST_TMPDIR/out"
	assert_line inside
	assert_line proc-ok
}

# Optional fields of the mountinfo line of a mount point: "shared:N",
# "master:N", "unbindable" or nothing (private).
propagation_of() {
	awk -v mp="$1" '$5 == mp { f = ""; for (i = 7; $i != "-"; i++) f = f " " $i; print f; exit }'
}

# A shared mount on the host, bound into the container: what the container
# sees of its peer group depends on rootfsPropagation.
shared_host_mount() {
	S=$BATS_TEST_TMPDIR/shared
	mkdir -p "$S"
	mount --bind "$S" "$S"
	mount --make-shared "$S"
	update_config '.mounts += [{"destination":"/hostdir","type":"bind","source":"'"$S"'","options":["rbind"]}]'
}

shared_host_umount() {
	umount "$BATS_TEST_TMPDIR/shared"
}

@test "rootfs: default propagation is private (no peer group with the host)" {
	shared_host_mount
	set_args cat /proc/self/mountinfo
	run vessel run "$CID"
	shared_host_umount
	assert_success
	local mi=$output
	run propagation_of /hostdir <<<"$mi"
	refute_output --partial shared
	refute_output --partial master
	run propagation_of / <<<"$mi"
	refute_output --partial shared
}

@test "rootfs: rootfsPropagation rslave makes the mounts slaves of the host" {
	shared_host_mount
	update_config '.linux.rootfsPropagation = "rslave"'
	set_args cat /proc/self/mountinfo
	run vessel run "$CID"
	shared_host_umount
	assert_success
	run propagation_of /hostdir <<<"$output"
	assert_output --partial master:
	refute_output --partial shared:
}

@test "rootfs: rootfsPropagation rshared keeps bind mounts in the host's peer groups" {
	shared_host_mount
	update_config '.linux.rootfsPropagation = "rshared"'
	set_args cat /proc/self/mountinfo
	run vessel run "$CID"
	shared_host_umount
	assert_success
	run propagation_of /hostdir <<<"$output"
	assert_output --partial shared:
}

@test "rootfs: every rootfsPropagation value runs a container" {
	local p
	sh_args 'test -x /bin/busybox && echo ok'
	for p in private rprivate slave rslave shared rshared unbindable runbindable; do
		update_config ".linux.rootfsPropagation = \"$p\""
		run vessel run "$(new_id prop)"
		[[ $status == 0 && $output == ok ]] || fail "rootfsPropagation $p: status $status: $output"
	done
}

@test "rootfs: an unknown rootfsPropagation is refused" {
	update_config '.linux.rootfsPropagation = "sideways"'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "rootfsPropagation"
	[ ! -e "$ROOT/$CID" ]
}

overlay_setup() {
	O=$BATS_TEST_TMPDIR/ovl
	mkdir -p "$O/lower1" "$O/lower2" "$O/upper" "$O/work"
	# lower2 (bottom) is a full busybox rootfs; lower1 (top) overrides a file.
	mv "$BUNDLE/rootfs"/* "$O/lower2/"
	echo bottom >"$O/lower2/who"
	echo bottom >"$O/lower2/only-bottom"
	echo top >"$O/lower1/who"
	update_config '.annotations += {"run.vessel.rootfs.overlay.lower": "'"$O/lower1:$O/lower2"'", "run.vessel.rootfs.overlay.upper": "'"$O/upper"'", "run.vessel.rootfs.overlay.work": "'"$O/work"'"} | .root.readonly = false'
}

@test "rootfs: overlay root from two lower dirs, writes go to the upper dir" {
	overlay_setup
	sh_args 'cat /who /only-bottom; echo new > /created; echo changed > /only-bottom; grep " / " /proc/self/mountinfo'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 top
	assert_line --index 1 bottom
	assert_output --partial overlay
	[ "$(cat "$O/upper/created")" = new ]
	[ "$(cat "$O/upper/only-bottom")" = changed ]
	[ "$(cat "$O/lower2/only-bottom")" = bottom ]
	[ ! -e "$O/lower1/created" ]
	# The overlay lived in the container's mount namespace only.
	run grep -F "$O/upper" /proc/self/mountinfo
	assert_failure
	run grep -F "$BUNDLE/rootfs" /proc/self/mountinfo
	assert_failure
}

@test "rootfs: overlay annotations must come together and name directories" {
	update_config '.annotations += {"run.vessel.rootfs.overlay.lower": "/nonexistent-lower"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "run.vessel.rootfs.overlay"
	[ ! -e "$ROOT/$CID" ]

	overlay_setup
	update_config '.annotations["run.vessel.rootfs.overlay.lower"] = "relative/dir"'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "is not an absolute path"
	[ ! -e "$ROOT/$CID" ]
}

@test "rootfs: linux.mountLabel is ignored on a host without SELinux (as runc)" {
	[[ -e /sys/fs/selinux/enforce ]] && skip "SELinux is enabled here: vessel refuses mountLabel"
	update_config '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	sh_args 'echo ok'
	run vessel run "$CID"
	assert_success
	assert_output ok
}

@test "rootfs: overlay root inside a user namespace (dirs owned by the mapped root)" {
	requires userns
	overlay_setup
	chown -R 100000:100000 "$O"
	update_config '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	sh_args 'cat /who; echo new > /created; stat -c %u /created'
	run vessel run "$CID"
	assert_success
	assert_line top
	assert_line 0
	[ "$(stat -c %u "$O/upper/created")" = 100000 ]
}
