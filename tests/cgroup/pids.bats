#!/usr/bin/env bats
# pids: pids.max from linux.resources.pids.limit, and forks past it failing
# with EAGAIN inside the container.

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 pids
}

@test "pids: limit becomes pids.max; 0 or absent is max" {
	update_config '.linux.resources.pids = {"limit": 42}'
	start_detached sleep 1000
	[ "$(cg_read pids.max)" = 42 ]
	run vessel update --pids-limit 0 "$CID"
	assert_success
	[ "$(cg_read pids.max)" = max ]
}

@test "pids: forks past pids.max fail with EAGAIN inside the container" {
	update_config '.linux.resources.pids = {"limit": 6}'
	start_detached sleep 1000
	# init + this sh + 4 sleeps = 6 processes: the next fork must fail.
	run vessel exec "$CID" sh -c 'for i in 1 2 3 4; do sleep 100 & done; vprobe syscall fork; echo rc=$?'
	assert_line --partial "fork: EAGAIN"
	assert_line "rc=1"
	[ "$(cg_stat_key pids.events max)" -ge 1 ]
	[ "$(cg_read pids.current)" -le 6 ]
}
