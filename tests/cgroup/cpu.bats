#!/usr/bin/env bats
# cpu: weights and cpu.max written with runc's conversions; a busy loop
# under a 10% quota is throttled and uses about its quota.

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 cpu
}

@test "cpu: shares -> cpu.weight (1024 -> 100), quota/period -> cpu.max, burst, cpuset" {
	local cpuset=""
	grep -qw cpuset "$(cgroup2_mount)/cgroup.controllers" && cpuset=', "cpus": "0", "mems": "0"'
	update_config ".linux.resources.cpu = {\"shares\": 1024, \"quota\": 50000, \"period\": 100000, \"burst\": 10000$cpuset}"
	start_detached sleep 1000
	[ "$(cg_read cpu.weight)" = 100 ]
	[ "$(cg_read cpu.max)" = "50000 100000" ]
	[ "$(cg_read cpu.max.burst)" = 10000 ]
	if [[ -n $cpuset ]]; then
		[ "$(cg_read cpuset.cpus)" = 0 ]
		[ "$(cg_read cpuset.mems)" = 0 ]
		[ "$(cg_read cpuset.cpus.effective)" = 0 ]
	fi
	# The ends and a middle point of the log-quadratic map.
	for pair in 2:1 262144:10000 512:59; do
		run vessel update --cpu-shares "${pair%:*}" "$CID"
		assert_success
		[ "$(cg_read cpu.weight)" = "${pair#*:}" ] || fail "shares ${pair%:*}: weight $(cg_read cpu.weight)"
	done
}

@test "cpu: a busy loop under a 10% quota is throttled and stays near its quota" {
	update_config '.linux.resources.cpu = {"quota": 10000, "period": 100000}'
	start_detached sh -c 'while :; do :; done'
	sleep 1
	u0=$(cg_stat_key cpu.stat usage_usec)
	t0=$(cg_stat_key cpu.stat nr_throttled)
	w0=$(date +%s%N)
	sleep 3
	u1=$(cg_stat_key cpu.stat usage_usec)
	t1=$(cg_stat_key cpu.stat nr_throttled)
	w1=$(date +%s%N)
	[ "$t1" -gt "$t0" ] || fail "not throttled: nr_throttled $t0 -> $t1"
	[ "$(cg_stat_key cpu.stat throttled_usec)" -gt 0 ]
	wall_us=$(((w1 - w0) / 1000))
	used=$((u1 - u0))
	pct=$((used * 100 / wall_us))
	echo "# cpu used ${used}us of ${wall_us}us wall: ${pct}%" >&3
	# 10% of one cpu; allow for the period boundaries and scheduler slack.
	[ "$pct" -le 20 ] || fail "used ${pct}% of a cpu under a 10% quota"
	[ "$pct" -ge 3 ] || fail "used only ${pct}%: the loop did not run"
}
