#!/usr/bin/env bats
# Containers without a cgroup: what vessel does on a host where it sees no
# cgroup2 mount.  Every vessel command here runs through `nocg`, in a private
# mount namespace of its own where the cgroup2 mounts are lazily unmounted
# (the host's mounts are untouched), so the container gets no cgroup.
#
# Without a cgroup two things need another way: finding the init of a create
# killed before state.json (the "init" record written right after the clone)
# and `kill --all` (the processes of the pid namespace the container made;
# refused when it shares one).

load helpers

setup() {
	setup_bundle
	requires command unshare
	cat >"$BATS_TEST_TMPDIR/nocg-env" <<-'EOF'
		#!/bin/bash
		# Runs "$@" with no cgroup2 mount in this (private) mount namespace.
		while read -r m; do
			umount -l "$m" || exit 99
		done < <(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' /proc/self/mountinfo)
		grep -q ' - cgroup2 ' /proc/self/mountinfo && exit 98
		exec "$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/nocg-env"
	SLEEPER=""
}

teardown() {
	if [[ -n $SLEEPER ]]; then
		kill -9 "$SLEEPER" 2>/dev/null || true
		wait "$SLEEPER" 2>/dev/null || true
	fi
	teardown_bundle
}

# vessel ARGS, seeing no cgroup2 mount.
nocg() {
	unshare -m --propagation private "$BATS_TEST_TMPDIR/nocg-env" "$VESSEL" --root "$ROOT" "$@"
}

# Pids of the processes whose root is this bundle's rootfs (by device:inode,
# which survives pivot_root), i.e. the containers' processes.
bundle_pids() {
	local id
	id=$(stat -c %d:%i "$BUNDLE/rootfs")
	stat -L -c '%n %d:%i' /proc/[0-9]*/root 2>/dev/null |
		awk -v id="$id" '$2 == id { split($1, a, "/"); print a[3] }'
}

# A zombie has exited; its reaper (not us) may not have waited yet.
gone() {
	[[ ! -e /proc/$1 ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == Z ]]
}

@test "nocgroup: create, start, exec, kill and delete work without a cgroup" {
	set_args sleep 1000
	nocg create "$CID" </dev/null >"$BATS_TEST_TMPDIR/create.log" 2>&1 ||
		fail "create: $(cat "$BATS_TEST_TMPDIR/create.log")"
	[ "$(jq -r '.cgroupPath // ""' "$ROOT/$CID/state.json")" = "" ] ||
		fail "the container got a cgroup: nothing tested"
	[ "$(container_status "$CID")" = created ]
	nocg start "$CID"
	[ "$(container_status "$CID")" = running ]
	run nocg exec "$CID" sh -c 'echo exec-ok; exit 3'
	[ "$status" -eq 3 ] || fail "exec status $status: $output"
	assert_output "exec-ok"
	run nocg kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	run nocg delete "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
}

@test "nocgroup: run in the foreground returns the exit status and leaves nothing" {
	set_cmd 'echo hello; exit 7'
	run nocg run "$CID"
	[ "$status" -eq 7 ] || fail "run status $status: $output"
	assert_line "hello"
	[ ! -e "$ROOT/$CID" ]
}

# The init has reported ready and blocks on its exec FIFO, where it outlives
# vessel (no parent death signal any more) and state.json is not written yet:
# without a cgroup only the "init" record written after the clone leads to
# it.  strace kills vessel on its last rename(), the one that would publish
# state.json; the count comes from a calibration create, so it follows the
# code (as in lifecycle.bats, with a cgroup).
@test "nocgroup: delete --force kills the blocked init of a create killed before its state" {
	requires command strace
	set_args sleep 1000
	for _ in 1 2; do
		cal=$(new_id)
		unshare -m --propagation private "$BATS_TEST_TMPDIR/nocg-env" \
			strace -qq -o "$BATS_TEST_TMPDIR/cal.trace" -e trace=rename \
			"$VESSEL" --root "$ROOT" create "$cal" </dev/null >"$BATS_TEST_TMPDIR/cal.log" 2>&1 ||
			fail "calibration create: $(cat "$BATS_TEST_TMPDIR/cal.log")"
		nocg delete --force "$cal"
	done
	n=$(grep -n '^rename(.*state\.json' "$BATS_TEST_TMPDIR/cal.trace" | cut -d: -f1)
	[ -n "$n" ] || fail "no rename of state.json in the calibration"
	n=$(head -n "$n" "$BATS_TEST_TMPDIR/cal.trace" | grep -c '^rename(')

	status=0
	unshare -m --propagation private "$BATS_TEST_TMPDIR/nocg-env" \
		strace -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when="$n" \
		"$VESSEL" --root "$ROOT" create "$CID" </dev/null >"$BATS_TEST_TMPDIR/create.log" 2>&1 ||
		status=$?
	[ "$status" -eq 137 ] || fail "create was not killed (status $status): $(cat "$BATS_TEST_TMPDIR/create.log")"
	[ -d "$ROOT/$CID" ] && [ ! -e "$ROOT/$CID/state.json" ]
	[ ! -e "$ROOT/$CID/cgroup" ] || fail "a cgroup was recorded: nothing tested"
	pids=$(bundle_pids)
	[ -n "$pids" ] || fail "no init was left blocked: nothing tested"
	read -r rec_pid _ <"$ROOT/$CID/init"
	[[ " $pids " == *" $rec_pid "* ]] || fail "the record names $rec_pid, the container has $pids"
	run vessel list -q
	refute_output --partial "$CID"

	run nocg delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
	for p in $pids; do
		gone "$p" || fail "init $p left behind"
	done
}

# Earlier: vessel killed by a createRuntime hook, mid-handshake.  The init
# still has its parent death signal there and dies with vessel; delete --force
# then finds a dead (or reaped) init in the record and removes the state dir.
@test "nocgroup: delete --force after a create killed mid-handshake leaves nothing" {
	cat >"$BATS_TEST_TMPDIR/killer" <<-'EOF_HOOK'
		#!/bin/sh
		kill -9 "$PPID"
	EOF_HOOK
	chmod +x "$BATS_TEST_TMPDIR/killer"
	set_args sleep 1000
	update_config ".hooks.createRuntime = [{path: \"$BATS_TEST_TMPDIR/killer\"}]"
	run nocg create "$CID"
	[ "$status" -eq 137 ] || fail "create was not killed (status $status): $output"
	[ -e "$ROOT/$CID/init" ] && [ ! -e "$ROOT/$CID/state.json" ] ||
		fail "no init record without state.json: nothing tested"
	read -r rec_pid _ <"$ROOT/$CID/init"
	run nocg delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
	retry 50 0.1 gone "$rec_pid"
}

# A new pid namespace inside a joined user namespace: the cloned child forks
# the real init and exits (SYNC_PID); the record must follow to the init.
@test "nocgroup: the init record names the forked init of a joined user namespace" {
	userns_100000
	set_args sleep 1000
	first=$(new_id first)
	detached nocg run -d "$first"
	wait_for_status "$first" running
	pid=$(container_pid "$first")
	update_config "del(.linux.uidMappings, .linux.gidMappings) |
		.linux.namespaces |= map(if .type == \"user\" then .path = \"/proc/$pid/ns/user\" else . end)"
	detached nocg create "$CID"
	[ "$(container_status "$CID")" = created ]
	read -r rec_pid rec_start <"$ROOT/$CID/init"
	[ "$rec_pid" = "$(jq .pid "$ROOT/$CID/state.json")" ] ||
		fail "record names $rec_pid, the init is $(jq .pid "$ROOT/$CID/state.json")"
	[ "$rec_start" = "$(jq .initStartTime "$ROOT/$CID/state.json")" ]
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$rec_pid/status")" = 1 ]
}

# A record whose pid now belongs to another process (same pid, other start
# time) must not get that process killed; the same record with the right
# start time does, which shows the record is what delete --force follows.
@test "nocgroup: delete --force never kills a recycled pid named by an init record" {
	(cd / && exec sleep 1000) </dev/null >/dev/null 2>&1 &
	SLEEPER=$!
	retry 50 0.1 test -e "/proc/$SLEEPER/stat"
	start=$(awk '{ print $22 }' "/proc/$SLEEPER/stat")
	mkdir -m 0700 "$ROOT/$CID"
	touch "$ROOT/$CID/lock"
	echo "$SLEEPER $((start + 1))" >"$ROOT/$CID/init"
	run nocg delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
	kill -0 "$SLEEPER" || fail "a process with a recycled pid was killed"

	mkdir -m 0700 "$ROOT/$CID"
	touch "$ROOT/$CID/lock"
	echo "$SLEEPER $start" >"$ROOT/$CID/init"
	run nocg delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
	gone "$SLEEPER" || fail "the recorded init was not killed"
	status=0
	wait "$SLEEPER" || status=$?
	SLEEPER=""
	[ "$status" -eq 137 ] || fail "the recorded init did not die of SIGKILL (wait status $status)"
}

@test "nocgroup: a malformed init record fails delete --force and keeps the state dir" {
	mkdir -m 0700 "$ROOT/$CID"
	touch "$ROOT/$CID/lock"
	echo "garbage" >"$ROOT/$CID/init"
	run nocg delete --force "$CID"
	assert_failure
	assert_output --partial "$ROOT/$CID/init: not a \"PID START_TIME\" record"
	[ -d "$ROOT/$CID" ]
	rm "$ROOT/$CID/init"
	run nocg delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
}

# With its own pid namespace, the container's processes are that namespace's.
@test "nocgroup: kill --all signals every process of the container's pid namespace" {
	set_cmd 'sleep 1000 & sleep 1000 & trap "" TERM; while :; do sleep 1; done'
	detached nocg run -d "$CID"
	wait_for_status "$CID" running
	pid=$(container_pid "$CID")
	retry 50 0.1 test "$(pgrep -c -f -P "$pid" 'sleep 1000')" -eq 2
	children=$(pgrep -f -P "$pid" 'sleep 1000')
	run nocg kill --all "$CID" TERM
	assert_success
	for c in $children; do
		retry 50 0.1 gone "$c" || fail "child $c survived kill --all TERM"
	done
	# The init ignores TERM: it was signalled, not killed.
	[ "$(container_status "$CID")" = running ]
	run nocg kill --all "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	run nocg kill --all "$CID" KILL
	assert_success
}

@test "nocgroup: kill --all in the host's pid namespace is refused and signals nothing" {
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sleep 1000
	detached nocg run -d "$CID"
	wait_for_status "$CID" running
	run nocg kill --all "$CID" KILL
	assert_failure
	assert_output --partial "has no cgroup and shares its pid namespace"
	sleep 0.2
	[ "$(container_status "$CID")" = running ]
	run nocg kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
}

# A container that joined another's pid namespace must not signal the other's
# processes, which share that namespace.
@test "nocgroup: kill --all in another container's pid namespace is refused" {
	set_args sleep 1000
	detached nocg run -d "$CID"
	wait_for_status "$CID" running
	owner=$(container_pid "$CID")
	guest=$(new_id)
	update_config '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/'"$owner"'/ns/pid" else . end)'
	detached nocg run -d "$guest"
	wait_for_status "$guest" running
	[ "$(readlink "/proc/$(container_pid "$guest")/ns/pid")" = "$(readlink "/proc/$owner/ns/pid")" ] ||
		fail "the guest did not join the pid namespace: nothing tested"
	run nocg kill --all "$guest" KILL
	assert_failure
	assert_output --partial "has no cgroup and shares its pid namespace"
	sleep 0.2
	[ "$(container_status "$CID")" = running ]
	[ "$(container_status "$guest")" = running ]
	run nocg kill "$guest" KILL
	assert_success
	wait_for_status "$guest" stopped
	[ "$(container_status "$CID")" = running ]
}
