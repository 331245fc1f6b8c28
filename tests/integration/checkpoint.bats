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

@test "checkpoint: flags that cannot work are refused, before anything runs" {
	counter
	for flag in --lazy-pages "--status-fd 3" "--empty-ns network"; do
		# shellcheck disable=SC2086 # two words
		run vessel checkpoint $flag "$CID"
		[ "$status" -eq 1 ]
		[[ $output == *"${flag%% *}: not supported"* ]]
	done
	run vessel checkpoint --manage-cgroups-mode bogus "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--manage-cgroups-mode: invalid mode 'bogus'"* ]]
	run vessel restore --lazy-pages "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"--lazy-pages: not supported"* ]]
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
	[ "$(container_status "$CID")" = running ]
	[ "$(container_pid "$CID")" = "$pid" ]
}
