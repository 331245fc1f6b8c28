#!/usr/bin/env bats
# update changes the effective limits of a running container and keeps
# them; ps lists every process; delete leaves no cgroup.

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 cpu memory pids
}

@test "update: flags change memory.max, cpu.max, cpu.weight, pids.max of a running container" {
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "cpu": {"quota": 20000, "period": 100000}, "pids": {"limit": 50}}'
	start_detached sleep 1000
	run vessel update --memory 128m --cpu-quota 30000 --cpu-shares 1024 --pids-limit 20 "$CID"
	assert_success
	[ "$(cg_read memory.max)" = 134217728 ]
	[ "$(cg_read cpu.max)" = "30000 100000" ]
	[ "$(cg_read cpu.weight)" = 100 ]
	[ "$(cg_read pids.max)" = 20 ]
	# The period alone keeps the quota set before.
	run vessel update --cpu-period 50000 "$CID"
	assert_success
	[ "$(cg_read cpu.max)" = "30000 50000" ]
}

@test "update: --resources - (containerd's JSON) applies and persists; bad values change nothing" {
	start_detached sleep 1000
	run vessel update --resources - "$CID" <<<'{"memory": {"limit": 50331648, "swap": 67108864}, "pids": {"limit": 33}, "unified": {"memory.high": "41943040"}}'
	assert_success
	[ "$(cg_read memory.max)" = 50331648 ]
	[ "$(cg_read memory.swap.max)" = 16777216 ]
	[ "$(cg_read memory.high)" = 41943040 ]
	[ "$(cg_read pids.max)" = 33 ]
	jq -e '.linux.resources.memory.limit == 50331648 and .linux.resources.pids.limit == 33' \
		"$ROOT/$CID/config.json"
	# A new limit alone keeps the amount of swap (16 MiB) as it was.
	run vessel update --memory 64m "$CID"
	assert_success
	[ "$(cg_read memory.max)" = 67108864 ]
	[ "$(cg_read memory.swap.max)" = 16777216 ]
	jq -e '.linux.resources.memory.swap == 83886080' "$ROOT/$CID/config.json"
	# Refusals name what is wrong and leave the limits alone.
	run vessel update --memory lots "$CID"
	assert_failure
	assert_output --partial "--memory"
	run vessel update --resources - "$CID" <<<'{"memory": {"limit": 4096, "checkBeforeUpdate": true}}'
	assert_failure
	assert_output --partial "below the current usage"
	run vessel update --resources - "$CID" <<<'{"cpu": {"idle": 5}}'
	assert_failure
	assert_output --partial "linux.resources.cpu: idle"
	run vessel update --resources - "$CID" <<<'{"unified": {"../cgroup.procs": "1"}}'
	assert_failure
	run vessel update --resources - "$CID" <<<'not json'
	assert_failure
	assert_output --partial "--resources"
	[ "$(cg_read memory.max)" = 67108864 ]
	run vessel update --memory 1g nosuchcontainer
	assert_failure
	assert_output --partial "does not exist"
}

three_procs() {
	(($(wc -l <"$(cg_dir)/cgroup.procs") == 3))
}

@test "ps lists every process (json: host pids); delete leaves no cgroup behind" {
	start_detached sh -c 'sleep 1000 & sleep 1001 & wait'
	retry 50 0.1 three_procs
	run vessel ps --format json "$CID"
	assert_success
	[ "$(jq length <<<"$output")" = 3 ]
	for p in $(jq '.[]' <<<"$output"); do
		grep -qx "$p" "$(cg_dir)/cgroup.procs" || fail "pid $p not in the cgroup"
	done
	run vessel ps "$CID"
	assert_success
	assert_line --index 0 --regexp 'PID'
	assert_line --partial "sleep 1000"
	assert_line --partial "sleep 1001"
	[ "${#lines[@]}" = 4 ]
	run vessel ps "$CID" -- -o pid,comm
	assert_success
	assert_line --regexp '^ *PID +COMMAND'
	dir=$(cg_dir)
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$dir" ] || fail "cgroup $dir left behind"
}

@test "delete: an absolute cgroupsPath is created, removed with the parents vessel made" {
	requires_cgroupfs_driver
	update_config ".linux.cgroupsPath = \"/vessel-test-$CID/a/b\""
	start_detached sleep 1000
	[ "$(cg_dir)" = "$(cgroup2_mount)/vessel-test-$CID/a/b" ]
	run vessel kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	run vessel update --memory 1g "$CID"
	assert_failure
	assert_output --partial "stopped"
	run vessel delete "$CID"
	assert_success
	[ ! -e "$(cgroup2_mount)/vessel-test-$CID" ] || fail "parents of the cgroup left behind"
}
