#!/usr/bin/env bats
# pids: pids.max from linux.resources.pids.limit, and forks past it failing
# with EAGAIN inside the container.

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 pids
}

@test "pids: limit -> pids.max; forks past it fail with EAGAIN inside; 0 is max" {
	update_config '.linux.resources.pids = {"limit": 6}'
	start_detached sleep 1000
	[ "$(cg_read pids.max)" = 6 ]
	# Fill the cgroup up to the limit with sleeps (read and [ are shell
	# builtins: no fork of their own), then try one more fork from vprobe,
	# exec'd in place of the shell so it needs no fork to start.
	run vessel exec "$CID" sh -c 'f=/sys/fs/cgroup/pids.current; read n <$f; while [ "$n" -lt 6 ]; do sleep 100 & read n <$f; done; exec vprobe syscall fork'
	assert_failure
	assert_output --partial "fork: EAGAIN"
	[ "$(cg_stat_key pids.events max)" -ge 1 ]
	[ "$(cg_read pids.current)" -le 6 ]
	run vessel update --pids-limit 0 "$CID"
	assert_success
	[ "$(cg_read pids.max)" = max ]
}
