#!/usr/bin/env bats
# pause/resume through cgroup.freeze: the processes really stop, state says
# paused, signals wait, and runc's refusals.

load cgroup-helpers

setup() {
	setup_bundle
	requires root cgroup2
}

counter_value() {
	local v
	v=$(cat "$BUNDLE/rootfs/tmp/count" 2>/dev/null)
	echo "${v:-0}"
}

counter_above() {
	(($(counter_value) > $1))
}

@test "freezer: a counter stops while paused, resumes after; runc's refusals; delete of a paused one" {
	start_detached sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; done'
	retry 50 0.1 counter_above 0
	run vessel resume "$CID"
	assert_failure
	assert_output --partial "container not paused"
	run vessel pause "$CID"
	assert_success
	[ "$(container_status "$CID")" = paused ]
	[ "$(cg_stat_key cgroup.events frozen)" = 1 ]
	a=$(counter_value)
	sleep 1
	b=$(counter_value)
	[ "$a" = "$b" ] || fail "counter moved while paused: $a -> $b"
	run vessel pause "$CID"
	assert_failure
	assert_output --partial "container not running"
	run vessel resume "$CID"
	assert_success
	[ "$(container_status "$CID")" = running ]
	[ "$(cg_stat_key cgroup.events frozen)" = 0 ]
	retry 50 0.1 counter_above "$b"
	# delete --force of a paused container: SIGKILL gets through the
	# freezer, the cgroup is removed.
	run vessel pause "$CID"
	assert_success
	dir=$(cg_dir)
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$dir" ] || fail "cgroup $dir left behind"
}

@test "freezer: a signal to a paused container stays pending until resume" {
	start_detached vprobe signals
	retry 50 0.1 grep -q ready "$BATS_TEST_TMPDIR/$CID.out"
	run vessel pause "$CID"
	assert_success
	run vessel kill "$CID" TERM
	assert_success
	sleep 1
	[ "$(container_status "$CID")" = paused ] || fail "the init acted on SIGTERM while frozen"
	run vessel resume "$CID"
	assert_success
	wait_for_status "$CID" stopped 20
}

@test "freezer: pause and resume of a stopped container fail as in runc" {
	set_cmd true
	vessel create "$CID" </dev/null >/dev/null 2>&1 || fail "create failed"
	run vessel start "$CID"
	assert_success
	wait_for_status "$CID" stopped
	run vessel pause "$CID"
	assert_failure
	assert_output --partial "container not running"
	run vessel resume "$CID"
	assert_failure
	assert_output --partial "container not paused"
}
