#!/usr/bin/env bats
# vessel checkpoint / restore on this host: what holds without a working
# criu (this host's kernel; the real dumps and restores run in the cgroup v2
# VM, tests/criu/*.bats): criu's own reason relayed, the container left
# running and untouched, nothing left by a failed restore, flags that cannot
# work refused, and libcriu loaded by these two commands only.

load helpers

# criu works here (the VM): the failure tests below do not apply.
criu_fails() {
	command -v criu >/dev/null || skip "needs criu (scripts/install-deps)"
	if criu check >/dev/null 2>&1; then
		skip "criu works on this kernel: tests/criu covers it"
	fi
}

counter() {
	set_cmd 'i=0; while :; do i=$((i+1)); echo $i >/dev/shm/count; sleep 0.2; done'
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	retry 50 0.1 vessel exec "$CID" test -s /dev/shm/count
}

@test "checkpoint: criu's own reason, container left running and counting" {
	criu_fails
	counter
	pid=$(container_pid "$CID")
	run vessel checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	[ "$status" -eq 1 ]
	# The first Error line of criu's log, not libcriu's bare number.
	[[ $output == *"checkpoint $CID: criu dump: "* ]]
	[[ $output == *"(log: $BATS_TEST_TMPDIR/img/dump.log)"* ]]
	first=$(grep 'Error (' "$BATS_TEST_TMPDIR/img/dump.log" | grep -v 'criu/tun.c' | head -1 | sed 's/.*Error ([^)]*): //')
	[ -n "$first" ]
	[[ $output == *"$first"* ]]
	[ "$(container_status "$CID")" = running ]
	[ "$(container_pid "$CID")" = "$pid" ]
	# Not frozen, not stopped: it goes on counting.
	a=$(vessel exec "$CID" cat /dev/shm/count)
	retry 50 0.1 sh -c "[ \"\$('$VESSEL' --root '$ROOT' exec '$CID' cat /dev/shm/count)\" -gt $a ]"
	grep -q '^State:.*[RS]' "/proc/$pid/status"
}

@test "restore: criu's reason, no state dir, cgroup or process left" {
	criu_fails
	mkdir "$BATS_TEST_TMPDIR/img"
	id=$(new_id)
	run vessel restore -d --image-path "$BATS_TEST_TMPDIR/img" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"criu restore: "*"(log: $BATS_TEST_TMPDIR/img/restore.log)"* ]]
	[ ! -e "$ROOT/$id" ]
	run vessel state "$id"
	[ "$status" -ne 0 ]
	# teardown's leak check: no cgroup named after $id, no mount, no process
}

# CRIU mounts each dumped mount back onto its mount point: a restore onto a
# fresh rootfs (containerd's ctr c restore, another host's bundle) must
# make them first, as runc does: bind mounts as their source is (file or
# directory), not those below a tmpfs (CRIU restores its content), never
# through a symlink out of the root.
@test "restore: the config's mount points are made in the rootfs before criu runs" {
	criu_fails
	mkdir "$BATS_TEST_TMPDIR/img" "$BATS_TEST_TMPDIR/srcdir"
	: >"$BATS_TEST_TMPDIR/srcfile"
	ln -s /tmp "$BUNDLE/rootfs/escape"
	update_config '.mounts += [
		{"destination": "/vol/data", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/srcdir"'", "options": ["rbind"]},
		{"destination": "/etc/one.conf", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/srcfile"'", "options": ["rbind"]},
		{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/scratch/sub", "type": "bind", "source": "'"$BATS_TEST_TMPDIR/srcdir"'", "options": ["rbind"]},
		{"destination": "/escape/vessel-'"$CID"'", "type": "tmpfs", "source": "tmpfs"}]'
	id=$(new_id)
	run vessel restore -d --image-path "$BATS_TEST_TMPDIR/img" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"criu restore: "* ]] || fail "$output"
	[ -d "$BUNDLE/rootfs/vol/data" ]
	[ -f "$BUNDLE/rootfs/etc/one.conf" ]
	[ -d "$BUNDLE/rootfs/scratch" ]
	[ ! -e "$BUNDLE/rootfs/scratch/sub" ]
	[ ! -e "/tmp/vessel-$CID" ]
	[ -d "$BUNDLE/rootfs/tmp/vessel-$CID" ]
}

@test "checkpoint: bad flag values are refused, before anything runs" {
	counter
	run vessel checkpoint --empty-ns ipc "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--empty-ns: 'ipc': only 'network' is supported"* ]] || fail "$output"
	run vessel checkpoint --status-fd 2 "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--status-fd: only with --lazy-pages"* ]] || fail "$output"
	run vessel checkpoint --lazy-pages --status-fd 99 "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--status-fd: '99' is not an open fd"* ]] || fail "$output"
	run vessel checkpoint --manage-cgroups-mode bogus "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--manage-cgroups-mode: invalid mode 'bogus'"* ]]
	[ ! -e checkpoint ]
	[ "$(container_status "$CID")" = running ]
}

@test "checkpoint: a bad --page-server is named; a container not running is refused" {
	command -v criu >/dev/null || skip "needs criu"
	counter
	run vessel checkpoint --image-path "$BATS_TEST_TMPDIR/img" --page-server nocolon "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--page-server: 'nocolon' is not ADDR:PORT"* ]]
	[ "$(container_status "$CID")" = running ]
	id=$(new_id)
	set_cmd 'true'
	detached vessel create "$id"
	run vessel checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"container $id is created: only a running or paused container can be checkpointed"* ]]
	run vessel checkpoint nosuch
	[ "$status" -eq 1 ]
	[[ $output == *'container "nosuch" does not exist'* ]]
}

# As containerd's shim asks: it pauses the task around its checkpoint (ctr
# c checkpoint, the CRI's) and names a --work-path nobody made.  A paused
# container is checkpointed as runc does, and a failed dump leaves it
# paused, not thawed behind the client's back; the work path is made.
@test "checkpoint of a paused container into a new --work-path: criu is asked; on failure it stays paused" {
	criu_fails
	counter
	vessel pause "$CID"
	work=$BATS_TEST_TMPDIR/criu-work
	run vessel checkpoint --image-path "$BATS_TEST_TMPDIR/img" --work-path "$work" --leave-running "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"checkpoint $CID: criu dump: "*"(log: $work/dump.log)"* ]] || fail "$output"
	[ -s "$work/dump.log" ]
	[ "$(container_status "$CID")" = paused ]
	vessel resume "$CID"
	[ "$(container_status "$CID")" = running ]
}

@test "libcriu is loaded by checkpoint and restore only" {
	command -v criu >/dev/null || skip "needs criu"
	counter
	run env LD_DEBUG=libs "$VESSEL" --root "$ROOT" state "$CID"
	[ "$status" -eq 0 ]
	[[ $output != *libcriu* ]]
	run env LD_DEBUG=libs "$VESSEL" --root "$ROOT" checkpoint --page-server x "$CID"
	[[ $output == *"calling init: "*libcriu.so* ]]
	# libarchive only for --export / --import
	[[ $output != *libarchive* ]]
	run env LD_DEBUG=libs "$VESSEL" --root "$ROOT" restore --import "$BATS_TEST_TMPDIR/none.tar" \
		-b "$BATS_TEST_TMPDIR/b" "$(new_id)"
	[[ $output == *"calling init: "*libarchive.so* ]]
}

@test "the init leads a session of its own, as runc's (criu needs it)" {
	set_cmd 'cut -d" " -f6 /proc/1/stat'
	run vessel run "$CID"
	[ "$status" -eq 0 ]
	# the session id inside is the init's own pid, 1
	[ "$output" = 1 ]
}

@test "--criu names the criu binary that runs; a missing one is named" {
	command -v criu >/dev/null || skip "needs criu"
	counter
	run "$VESSEL" --root "$ROOT" --criu "$BATS_TEST_TMPDIR/no-criu" checkpoint \
		--image-path "$BATS_TEST_TMPDIR/img" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"criu dump: cannot run or talk to $BATS_TEST_TMPDIR/no-criu"* ]]
	[ "$(container_status "$CID")" = running ]
	# a criu at another path is the one that runs (it records its argv)
	printf '#!/bin/sh\necho "$@" >%s/ran\nexec criu "$@"\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/my-criu"
	chmod +x "$BATS_TEST_TMPDIR/my-criu"
	run "$VESSEL" --root "$ROOT" --criu "$BATS_TEST_TMPDIR/my-criu" checkpoint --leave-running \
		--image-path "$BATS_TEST_TMPDIR/img" "$CID"
	[[ $(cat "$BATS_TEST_TMPDIR/ran") == swrk* ]]
	[ "$(container_status "$CID")" = running ]
}

@test "checkpoint --parent-path: absolute or missing is refused before any dump, container untouched" {
	counter
	pid=$(container_pid "$CID")
	img=$BATS_TEST_TMPDIR/img
	# runc's rule: relative to --image-path, as CRIU resolves it
	run vessel checkpoint --parent-path "$BATS_TEST_TMPDIR/pre" --image-path "$img" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--parent-path $BATS_TEST_TMPDIR/pre: must be relative to --image-path"* ]]
	run vessel checkpoint --parent-path ../pre --image-path "$img" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--parent-path ../pre: $img/../pre: No such file or directory"* ]]
	[ ! -e "$img/dump.log" ] || fail "criu ran: $(cat "$img/dump.log")"
	# the image dir it made for the request is gone with the refusal
	[ ! -e "$img" ]
	[ "$(container_status "$CID")" = running ]
	[ "$(container_pid "$CID")" = "$pid" ]
}

# A tar laid out as checkpoint --export writes it: the marker first.
make_archive() {
	local dir=$BATS_TEST_TMPDIR/ar
	mkdir -p "$dir/checkpoint"
	printf 'vessel-checkpoint 1\n' >"$dir/vessel-checkpoint"
	echo garbage >"$dir/checkpoint/inventory.img"
	jq "$1" "$BUNDLE/config.json" >"$dir/config.json"
	tar -C "$dir" -cf "$2" vessel-checkpoint config.json checkpoint
}

@test "restore --import: bad archives and bundles are refused by name, nothing left" {
	command -v criu >/dev/null || skip "needs criu"
	id=$(new_id)
	b=$BATS_TEST_TMPDIR/b
	run vessel restore --import "$BATS_TEST_TMPDIR/none.tar" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"--import needs --bundle DIR"* ]] || fail "$output"
	run vessel restore --import x.tar --image-path y -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"--image-path cannot be used with it"* ]] || fail "$output"
	run vessel restore --import "$BATS_TEST_TMPDIR/none.tar" -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"--import $BATS_TEST_TMPDIR/none.tar: No such file"* ]] || fail "$output"
	# a tar that export did not write
	tar -C "$BUNDLE" -cf "$BATS_TEST_TMPDIR/other.tar" config.json
	run vessel restore --import "$BATS_TEST_TMPDIR/other.tar" -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"not a checkpoint made by vessel checkpoint --export"* ]] || fail "$output"
	[ ! -e "$b" ]
	# an entry outside the layout is refused and what came before removed
	make_archive . "$BATS_TEST_TMPDIR/evil.tar"
	echo x >"$BATS_TEST_TMPDIR/ar/evil"
	tar -C "$BATS_TEST_TMPDIR/ar" -rf "$BATS_TEST_TMPDIR/evil.tar" evil
	run vessel restore --import "$BATS_TEST_TMPDIR/evil.tar" -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"unexpected entry evil"* ]] || fail "$output"
	[ ! -e "$b" ]
	# the bundle must be new or empty; an empty one stays, emptied
	mkdir "$b" && touch "$b/mine"
	run vessel restore --import "$BATS_TEST_TMPDIR/evil.tar" -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"$b: not empty"* ]] || fail "$output"
	[ -e "$b/mine" ]
	rm "$b/mine"
	# an overlay root whose image layers are not on this host
	make_archive '.annotations["run.vessel.rootfs.overlay.lower"] = "/nonexistent/layer" |
		.annotations["run.vessel.rootfs.overlay.upper"] = "/old/upper" |
		.annotations["run.vessel.rootfs.overlay.work"] = "/old/work"' "$BATS_TEST_TMPDIR/ovl.tar"
	run vessel restore --import "$BATS_TEST_TMPDIR/ovl.tar" -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"no upper/ dir"* ]] || fail "$output"
	mkdir -p "$BATS_TEST_TMPDIR/ar/upper"
	tar -C "$BATS_TEST_TMPDIR/ar" -rf "$BATS_TEST_TMPDIR/ovl.tar" upper
	run vessel restore --import "$BATS_TEST_TMPDIR/ovl.tar" -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"the image layer /nonexistent/layer of the overlay root is not on this host"* ]] ||
		fail "$output"
	[ -d "$b" ] && [ -z "$(ls -A "$b")" ]
	[ ! -e "$ROOT/$id" ]
}

@test "restore --import: criu's failure removes the bundle it unpacked" {
	criu_fails
	id=$(new_id)
	b=$BATS_TEST_TMPDIR/b
	make_archive '.root.path = "'"$BUNDLE"'/rootfs"' "$BATS_TEST_TMPDIR/ct.tar"
	run vessel restore -d --import "$BATS_TEST_TMPDIR/ct.tar" -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"criu restore: "* ]] || fail "$output"
	[ ! -e "$b" ]
	[ ! -e "$ROOT/$id" ]
	# an overlay root (the bundle's rootfs as its layer), mounted for criu
	# when it fails: the unpacked upper dir goes all the same
	rm -rf "$BATS_TEST_TMPDIR/ar"
	mkdir -p "$BATS_TEST_TMPDIR/ar/upper"
	echo mine >"$BATS_TEST_TMPDIR/ar/upper/written"
	make_archive '.annotations["run.vessel.rootfs.overlay.lower"] = "'"$BUNDLE"'/rootfs" |
		.annotations["run.vessel.rootfs.overlay.upper"] = "/old/upper" |
		.annotations["run.vessel.rootfs.overlay.work"] = "/old/work"' "$BATS_TEST_TMPDIR/ovl.tar"
	tar -C "$BATS_TEST_TMPDIR/ar" -rf "$BATS_TEST_TMPDIR/ovl.tar" upper
	run vessel restore -d --import "$BATS_TEST_TMPDIR/ovl.tar" -b "$b" "$id"
	[ "$status" -eq 1 ]
	[[ $output == *"criu restore: "* ]] || fail "$output"
	[ ! -e "$b" ]
	[ ! -e "$ROOT/$id" ]
}

@test "checkpoint --export: refused before any dump when it cannot work, container untouched" {
	counter
	pid=$(container_pid "$CID")
	img=$BATS_TEST_TMPDIR/img
	run vessel checkpoint --export "$BATS_TEST_TMPDIR/no/dir/ct.tar" --image-path "$img" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--export $BATS_TEST_TMPDIR/no/dir/ct.tar: directory $BATS_TEST_TMPDIR/no/dir"* ]] ||
		fail "$output"
	run vessel checkpoint --export "$BATS_TEST_TMPDIR" --image-path "$img" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"Is a directory"* ]] || fail "$output"
	run vessel checkpoint --pre-dump --export "$BATS_TEST_TMPDIR/ct.tar" --image-path "$img" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--export: a pre-dump cannot be restored on its own"* ]] || fail "$output"
	[ ! -e "$img" ]
	[ "$(container_pid "$CID")" = "$pid" ]
}

@test "checkpoint --export: criu's failure writes no archive, container running" {
	criu_fails
	counter
	run vessel checkpoint --export "$BATS_TEST_TMPDIR/ct.tar" --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"criu dump: "* ]] || fail "$output"
	run ls "$BATS_TEST_TMPDIR"
	[[ $output != *ct.tar* ]] || fail "$output"
	[ "$(container_status "$CID")" = running ]
}
