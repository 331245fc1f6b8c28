#!/usr/bin/env bats
# mounts[]: every filesystem type of the default config, bind/rbind with the
# mount(8) options, recursive r* attributes, propagation, id-mapped binds,
# and every way a hostile rootfs or config could try to mount outside it.

load helpers

load rootfs-lib

add_mount() {
	update_config ".mounts += [$1]"
}

# The mountinfo line (fields 4..) of mount point $1 inside the container.
mountinfo_of() {
	awk -v mp="$1" '$5 == mp { print }' <<<"$output" | tail -n 1
}

# Where the container sees its cgroup2 tree: /sys/fs/cgroup, or on a hybrid
# host /sys/fs/cgroup/unified (a tmpfs holds the v1 hierarchies beside it).
container_cg2() {
	if [[ $(stat -f -c %T /sys/fs/cgroup) == tmpfs && -n $(cgroup2_mount) ]]; then
		echo /sys/fs/cgroup/unified
	else
		echo /sys/fs/cgroup
	fi
}

# "MOUNTPOINT FSTYPE" for every mount of the container's mountinfo in $output.
fstypes() {
	awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1) }' <<<"$output"
}

@test "mounts: the default config's proc, sysfs, tmpfs, devpts, mqueue and cgroup" {
	set_args cat /proc/self/mountinfo
	run vessel run "$CID"
	assert_success
	local mi=$output
	run fstypes
	assert_line "/proc proc"
	assert_line "/sys sysfs"
	assert_line "/dev tmpfs"
	assert_line "/dev/pts devpts"
	assert_line "/dev/shm tmpfs"
	assert_line "/dev/mqueue mqueue"
	assert_line "$(container_cg2) cgroup2"
	# sysfs and the cgroup mount are "ro" in the default config.
	output=$mi
	run mountinfo_of /sys
	assert_output --regexp ' ro,'
	output=$mi
	run mountinfo_of /dev/pts
	assert_output --partial nosuid
}

@test "mounts: proc shows the container's pid namespace" {
	sh_args 'ls -d /proc/[0-9]* | wc -l; cat /proc/1/comm'
	run vessel run "$CID"
	assert_success
	# sh (pid 1) and the ls/wc of the pipeline: a handful, never the host's.
	[ "${lines[0]}" -lt 6 ]
}

@test "mounts: cgroup with a cgroup namespace is the container's own cgroup" {
	requires cgroup2
	sh_args "cat /proc/self/cgroup; cat $(container_cg2)/cgroup.procs"
	run vessel run "$CID"
	assert_success
	assert_line "0::/"
	assert_line 1
}

@test "mounts: cgroup without a cgroup namespace binds the container's cgroup" {
	requires cgroup2
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
	sh_args "cat $(container_cg2)/cgroup.procs; ls $(container_cg2) | grep -c '^cgroup\.'"
	run vessel run "$CID"
	assert_success
	# Only the container's processes, shown in its pid namespace (pid 1 is
	# sh; the other lines are cat/ls/grep of the pipeline).
	assert_line 1
	[ "${#lines[@]}" -lt 6 ]
}

@test "mounts: tmpfs options reach the filesystem (size, mode) and flags apply" {
	add_mount '{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["size=2m","mode=0710","nodev","noexec","nosuid","noatime"]}'
	sh_args 'stat -c %a /t; df -k /t | tail -n 1; cat /proc/self/mountinfo'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 710
	assert_line --index 1 --regexp '^tmpfs +2048 '
	run mountinfo_of /t
	assert_output --regexp ' rw,nosuid,nodev,noexec,noatime '
}

@test "mounts: tmpfs with ro, strictatime, relatime" {
	add_mount '{"destination":"/ro","type":"tmpfs","source":"tmpfs","options":["ro","strictatime"]}'
	add_mount '{"destination":"/rel","type":"tmpfs","source":"tmpfs","options":["relatime","nosymfollow"]}'
	sh_args 'touch /ro/x 2>&1; cat /proc/self/mountinfo'
	run vessel run "$CID"
	assert_success
	assert_output --partial "Read-only file system"
	local mi=$output
	run mountinfo_of /ro
	assert_output --regexp ' ro[, ]'
	refute_output --partial relatime
	output=$mi
	run mountinfo_of /rel
	assert_output --partial relatime
	assert_output --partial nosymfollow
}

@test "mounts: bind of a host directory, rw and ro" {
	H=$BATS_TEST_TMPDIR/host
	mkdir -p "$H/rw" "$H/ro"
	echo data >"$H/ro/file"
	add_mount '{"destination":"/mnt/rw","type":"bind","source":"'"$H/rw"'","options":["bind","rw"]}'
	add_mount '{"destination":"/mnt/ro","source":"'"$H/ro"'","options":["bind","ro"]}'
	sh_args 'echo hi > /mnt/rw/new && echo rw-ok; cat /mnt/ro/file; echo x > /mnt/ro/file 2>&1; echo rc=$?'
	run vessel run "$CID"
	assert_success
	assert_line rw-ok
	assert_line data
	assert_output --partial "Read-only file system"
	assert_line rc=1
	[ "$(cat "$H/rw/new")" = hi ]
	[ "$(cat "$H/ro/file")" = data ]
}

@test "mounts: bind of a single file creates a file mount point" {
	echo filedata >"$BATS_TEST_TMPDIR/hostfile"
	add_mount '{"destination":"/etc/deep/new/file","type":"bind","source":"'"$BATS_TEST_TMPDIR"'/hostfile","options":["rbind","ro"]}'
	sh_args 'cat /etc/deep/new/file; test -f /etc/deep/new/file && echo is-file'
	run vessel run "$CID"
	assert_success
	assert_line filedata
	assert_line is-file
}

@test "mounts: a relative bind source is resolved against the bundle" {
	mkdir -p "$BUNDLE/shared"
	echo rel >"$BUNDLE/shared/f"
	add_mount '{"destination":"/shared","type":"bind","source":"shared","options":["bind"]}'
	set_args cat /shared/f
	run vessel run "$CID"
	assert_success
	assert_output rel
}

@test "mounts: nosuid, nodev, noexec on a bind" {
	H=$BATS_TEST_TMPDIR/host
	mkdir -p "$H"
	cp "$BUNDLE/rootfs/bin/busybox" "$H/bb"
	add_mount '{"destination":"/h","type":"bind","source":"'"$H"'","options":["bind","nosuid","nodev","noexec"]}'
	sh_args '/h/bb true 2>&1; echo rc=$?; cat /proc/self/mountinfo'
	run vessel run "$CID"
	assert_success
	assert_output --partial "Permission denied"
	assert_line rc=126
	run mountinfo_of /h
	assert_output --partial nosuid,nodev,noexec
}

submount_setup() {
	H=$BATS_TEST_TMPDIR/tree
	mkdir -p "$H/sub"
	mount -t tmpfs -o size=1m tmpfs "$H/sub"
}

submount_cleanup() {
	umount "$BATS_TEST_TMPDIR/tree/sub" 2>/dev/null || true
}

@test "mounts: ro on an rbind is the top mount only; rro reaches submounts" {
	submount_setup
	add_mount '{"destination":"/top","type":"bind","source":"'"$H"'","options":["rbind","ro"]}'
	add_mount '{"destination":"/all","type":"bind","source":"'"$H"'","options":["rbind","rro"]}'
	sh_args 'touch /top/x 2>/dev/null || echo top-ro; touch /top/sub/x && echo topsub-rw; touch /all/sub/y 2>/dev/null || echo allsub-ro'
	run vessel run "$CID"
	submount_cleanup
	assert_success
	assert_line top-ro
	assert_line topsub-rw
	assert_line allsub-ro
}

@test "mounts: recursive rnosuid, rnodev, rnoexec, rnoatime, rnosymfollow" {
	submount_setup
	add_mount '{"destination":"/r","type":"bind","source":"'"$H"'","options":["rbind","rnosuid","rnodev","rnoexec","rnoatime","rnosymfollow"]}'
	set_args cat /proc/self/mountinfo
	run vessel run "$CID"
	submount_cleanup
	assert_success
	run mountinfo_of /r/sub
	assert_output --regexp 'nosuid,nodev,noexec,noatime,nosymfollow'
}

@test "mounts: rrw, rsuid, rexec clear what the source had" {
	submount_setup
	# Per-mount flags only (bind remount): the tmpfs itself stays writable.
	mount -o remount,bind,ro,nosuid,noexec "$H/sub"
	add_mount '{"destination":"/r","type":"bind","source":"'"$H"'","options":["rbind","rrw","rsuid","rexec"]}'
	sh_args 'touch /r/sub/x && echo rw; cat /proc/self/mountinfo'
	run vessel run "$CID"
	submount_cleanup
	assert_success
	assert_line rw
	run mountinfo_of /r/sub
	refute_output --partial nosuid
	refute_output --partial noexec
}

@test "mounts: propagation options on a bind (shared, private, unbindable)" {
	mkdir -p "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" "$BATS_TEST_TMPDIR/c"
	add_mount '{"destination":"/a","type":"bind","source":"'"$BATS_TEST_TMPDIR"'/a","options":["bind","shared"]}'
	add_mount '{"destination":"/b","type":"bind","source":"'"$BATS_TEST_TMPDIR"'/b","options":["bind","private"]}'
	add_mount '{"destination":"/c","type":"bind","source":"'"$BATS_TEST_TMPDIR"'/c","options":["bind","runbindable"]}'
	set_args cat /proc/self/mountinfo
	run vessel run "$CID"
	assert_success
	local out=$output
	run mountinfo_of /a
	assert_output --partial shared:
	output=$out
	run mountinfo_of /b
	refute_output --partial shared:
	refute_output --partial master:
	output=$out
	run mountinfo_of /c
	assert_output --partial unbindable
}

@test "mounts: unknown options go to the filesystem's data string" {
	add_mount '{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["nr_inodes=7"]}'
	sh_args 'df -i /t | tail -n 1'
	run vessel run "$CID"
	assert_success
	assert_output --regexp '^tmpfs +7 '
}

@test "mounts: an option the filesystem rejects fails with the mount named" {
	add_mount '{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["bogus-option=1"]}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "/t"
	assert_output --partial tmpfs
	[ ! -e "$ROOT/$CID" ]
}

@test "mounts: id-mapped bind (idmap): host uid 1000 is root inside, root writes as 1000" {
	H=$BATS_TEST_TMPDIR/idm
	mkdir -p "$H"
	touch "$H/owned-by-0" "$H/owned-by-1000"
	chown 1000:1000 "$H/owned-by-1000" "$H"
	add_mount '{"destination":"/idm","type":"bind","source":"'"$H"'","options":["bind","idmap"],"uidMappings":[{"containerID":1000,"hostID":0,"size":1}],"gidMappings":[{"containerID":1000,"hostID":0,"size":1}]}'
	sh_args 'stat -c "%n %u %g" /idm/owned-by-0 /idm/owned-by-1000; touch /idm/new && stat -c "%n %u %g" /idm/new'
	run vessel run "$CID"
	assert_success
	assert_line "/idm/owned-by-1000 0 0"
	assert_line "/idm/owned-by-0 65534 65534"
	assert_line "/idm/new 0 0"
	# On disk, what root created inside belongs to 1000.
	[ "$(stat -c %u:%g "$H/new")" = 1000:1000 ]
	[ "$(stat -c %u "$H/owned-by-0")" = 0 ]
}

@test "mounts: ridmap maps submounts too, idmap only the top mount" {
	H=$BATS_TEST_TMPDIR/idm
	mkdir -p "$H/sub"
	mount -t tmpfs -o size=1m tmpfs "$H/sub"
	touch "$H/sub/f" "$H/f"
	chown 1000:1000 "$H/sub/f" "$H/f"
	local maps='"uidMappings":[{"containerID":1000,"hostID":0,"size":1}],"gidMappings":[{"containerID":1000,"hostID":0,"size":1}]'
	add_mount '{"destination":"/top","type":"bind","source":"'"$H"'","options":["rbind","idmap"],'"$maps"'}'
	add_mount '{"destination":"/all","type":"bind","source":"'"$H"'","options":["rbind","ridmap"],'"$maps"'}'
	sh_args 'stat -c "%n %u" /top/f /top/sub/f /all/f /all/sub/f'
	run vessel run "$CID"
	umount "$H/sub"
	assert_success
	assert_line "/top/f 0"
	assert_line "/top/sub/f 1000"
	assert_line "/all/f 0"
	assert_line "/all/sub/f 0"
}

@test "mounts: idmap on a non-bind mount, or without mappings, is refused" {
	add_mount '{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["idmap"]}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "id-mapped mounts must be bind mounts"
	[ ! -e "$ROOT/$CID" ]

	mkdir -p "$BATS_TEST_TMPDIR/h"
	update_config '.mounts[7] = {"destination":"/h","type":"bind","source":"'"$BATS_TEST_TMPDIR"'/h","options":["bind","idmap"]}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "mounts[7]: an id-mapped mount needs uidMappings and gidMappings"
	[ ! -e "$ROOT/$CID" ]
}

# ---- escapes -------------------------------------------------------------

@test "escape: a destination climbing with .. is refused" {
	add_mount '{"destination":"/../../../etc/vessel-escape","type":"tmpfs","source":"tmpfs"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "climbs above the container root"
	assert_output --partial "mounts[7].destination"
	[ ! -e /etc/vessel-escape ]
	[ ! -e "$ROOT/$CID" ]
}

@test "escape: a symlink to / in the rootfs keeps the mount inside the root" {
	M=vessel-escape-$CID
	ln -s / "$BUNDLE/rootfs/evil"
	add_mount '{"destination":"/evil/tmp/'"$M"'","type":"tmpfs","source":"tmpfs"}'
	sh_args "stat -f -c %T /tmp/$M"
	run vessel run "$CID"
	assert_success
	assert_output tmpfs
	[ ! -e "/tmp/$M" ]
	[ -d "$BUNDLE/rootfs/tmp/$M" ]
}

@test "escape: a climbing relative symlink keeps the mount inside the root" {
	M=vessel-escape-$CID
	ln -s ../../../../../../../../.. "$BUNDLE/rootfs/up"
	add_mount '{"destination":"/up/'"$M"'","type":"tmpfs","source":"tmpfs"}'
	sh_args "stat -f -c %T /$M"
	run vessel run "$CID"
	assert_success
	assert_output tmpfs
	[ ! -e "/$M" ]
	[ -d "$BUNDLE/rootfs/$M" ]
}

@test "escape: an absolute symlink to an existing host dir is followed inside the root" {
	H=$BATS_TEST_TMPDIR/hosttarget
	mkdir -p "$H"
	ln -s "$H" "$BUNDLE/rootfs/abs"
	mkdir -p "$BATS_TEST_TMPDIR/src"
	echo from-src >"$BATS_TEST_TMPDIR/src/f"
	add_mount '{"destination":"/abs/sub","type":"bind","source":"'"$BATS_TEST_TMPDIR"'/src","options":["bind"]}'
	set_args cat /abs/sub/f
	run vessel run "$CID"
	assert_success
	assert_output from-src
	# The host directory the symlink names got nothing.
	[ -z "$(ls -A "$H")" ]
	[ -d "$BUNDLE/rootfs$H/sub" ]
}

@test "escape: a dangling absolute symlink as the last component is created inside the root" {
	ln -s "/nonexistent-vessel-target-$CID" "$BUNDLE/rootfs/dangling"
	add_mount '{"destination":"/dangling","type":"tmpfs","source":"tmpfs"}'
	sh_args 'stat -f -c %T /dangling'
	run vessel run "$CID"
	assert_success
	assert_output tmpfs
	[ ! -e "/nonexistent-vessel-target-$CID" ]
	[ -d "$BUNDLE/rootfs/nonexistent-vessel-target-$CID" ]
}

@test "escape: a symlink loop in a destination is refused" {
	ln -s /loop2 "$BUNDLE/rootfs/loop1"
	ln -s /loop1 "$BUNDLE/rootfs/loop2"
	add_mount '{"destination":"/loop1/x","type":"tmpfs","source":"tmpfs"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "/loop1/x"
	[ ! -e "$ROOT/$CID" ]
}

@test "escape: a destination through a file is refused" {
	touch "$BUNDLE/rootfs/afile"
	add_mount '{"destination":"/afile/sub","type":"tmpfs","source":"tmpfs"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "/afile/sub"
	[ ! -e "$ROOT/$CID" ]
}

@test "escape: mounting over / of the container is refused" {
	add_mount '{"destination":"/","type":"tmpfs","source":"tmpfs"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "mounting over the container's /"
}

# runc refuses it too ("must be mounted on ordinary directory"): procfs
# mounted where the symlink points could be covered by a later mount, and
# /proc would be container files (tests/security/cve-2023-28642.bats).
@test "escape: a symlinked /proc in the rootfs is refused, proc is not moved out" {
	rmdir "$BUNDLE/rootfs/proc"
	ln -s "/tmp/vessel-proc-$CID" "$BUNDLE/rootfs/proc"
	mkdir -p "$BUNDLE/rootfs/tmp/vessel-proc-$CID"
	sh_args 'test -e /proc/1/status && echo ok'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'filesystem "proc" must be mounted on ordinary directory'
	[ ! -e "/tmp/vessel-proc-$CID" ]
}

@test "mounts: a missing mount type is refused with its index" {
	add_mount '{"destination":"/x","source":"none"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "mounts[7].type"
	[ ! -e "$ROOT/$CID" ]
}

@test "mounts: id-mapped bind inside a user namespace shows host root's files as root" {
	userns_100000
	H=$BATS_TEST_TMPDIR/idm
	mkdir -p "$H"
	touch "$H/owned-by-host-root"
	add_mount '{"destination":"/idm","type":"bind","source":"'"$H"'","options":["bind","idmap"],"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],"gidMappings":[{"containerID":0,"hostID":100000,"size":65536}]}'
	add_mount '{"destination":"/plain","type":"bind","source":"'"$H"'","options":["bind"]}'
	sh_args 'stat -c "%n %u:%g" /idm/owned-by-host-root /plain/owned-by-host-root; touch /idm/new && echo write-ok'
	run vessel run "$CID"
	assert_success
	assert_line "/idm/owned-by-host-root 0:0"
	assert_line "/plain/owned-by-host-root 65534:65534"
	assert_line write-ok
	[ "$(stat -c %u:%g "$H/new")" = 0:0 ]
}

@test "escape: a bind source inside the rootfs is resolved in the root, not on the host" {
	# rootfs/hostetc -> /etc: on the host that is the host's /etc; as a
	# source naming a path of the rootfs it must mean the container's /etc.
	ln -s /etc "$BUNDLE/rootfs/hostetc"
	echo container-etc >"$BUNDLE/rootfs/etc/which"
	add_mount '{"destination":"/seen","type":"bind","source":"rootfs/hostetc","options":["rbind","ro"]}'
	sh_args 'cat /seen/which; test -e /seen/os-release && echo HOST-ETC-LEAKED || echo no-host-etc'
	run vessel run "$CID"
	assert_success
	assert_line container-etc
	assert_line no-host-etc
}

@test "mounts: sysfs in a user namespace without its own network namespace is the host's /sys, read-only" {
	userns_100000
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	sh_args 'test -d /sys/kernel && echo sys-ok; touch /sys/kernel/x 2>&1; grep " /sys " /proc/self/mountinfo'
	run vessel run "$CID"
	assert_success
	assert_line sys-ok
	assert_output --partial "Read-only file system"
	assert_output --regexp ' /sys ro,'
}

@test "mounts: superblock options (sync, dirsync) reach a new filesystem" {
	add_mount '{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["sync","dirsync"]}'
	set_args cat /proc/self/mountinfo
	run vessel run "$CID"
	assert_success
	run mountinfo_of /t
	assert_output --regexp ' - tmpfs tmpfs rw,sync,dirsync'
}

@test "mounts: superblock or unknown options on a bind mount are ignored with a warning, as runc does" {
	mkdir -p "$BATS_TEST_TMPDIR/h"
	add_mount '{"destination":"/h","type":"bind","source":"'"$BATS_TEST_TMPDIR"'/h","options":["rbind","sync"]}'
	set_args true
	run vessel run "$CID"
	assert_success
	assert_output --partial 'mounts[7].options: "sync" changes a filesystem, which a bind mount cannot do: ignored'

	update_config '.mounts[7].options = ["rbind", "size=10m"]'
	run vessel run "$(new_id b)"
	assert_success
	assert_output --partial 'mounts[7].options: "size=10m" do(es) not apply to a bind mount: ignored'
}

@test "mounts: tmpcopyup starts the tmpfs with the covered directory's content" {
	mkdir -p "$BUNDLE/rootfs/cu/sub"
	echo one >"$BUNDLE/rootfs/cu/file"
	echo two >"$BUNDLE/rootfs/cu/sub/deep"
	chmod 0751 "$BUNDLE/rootfs/cu"
	chown 12:34 "$BUNDLE/rootfs/cu/file"
	ln -s /etc/passwd "$BUNDLE/rootfs/cu/link"
	add_mount '{"destination":"/cu","type":"tmpfs","source":"tmpfs","options":["tmpcopyup","size=1m"]}'
	sh_args 'cat /cu/file /cu/sub/deep; stat -c "%a" /cu; stat -c "%u:%g" /cu/file; readlink /cu/link; stat -f -c %T /cu; echo new > /cu/newfile'
	run vessel run "$CID"
	assert_success
	assert_line one
	assert_line two
	assert_line 751
	assert_line 12:34
	assert_line /etc/passwd
	assert_line tmpfs
	# The write went to the tmpfs, not to the rootfs.
	[ ! -e "$BUNDLE/rootfs/cu/newfile" ]
}

@test "mounts: tmpcopyup on anything but a tmpfs is ignored with a warning" {
	add_mount '{"destination":"/x","type":"proc","source":"proc","options":["tmpcopyup"]}'
	set_args true
	run vessel run "$CID"
	assert_success
	assert_output --partial '"tmpcopyup" applies to tmpfs only: ignored'
}
