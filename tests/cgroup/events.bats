#!/usr/bin/env bats
# events: runc-shaped stats JSON, --interval, the end when the container
# stops.  (The oom event is in memory.bats.)

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 cpu memory pids
}

@test "events --stats: cpu, memory, pids, blkio of the container as one JSON line" {
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 30}}'
	start_detached sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1000'
	sleep 1
	run vessel events --stats "$CID"
	assert_success
	[ "${#lines[@]}" = 1 ]
	jq -e --arg id "$CID" '.type == "stats" and .id == $id' <<<"$output"
	jq -e '.data.cpu.usage.total > 0 and .data.cpu.usage.user >= 0 and .data.cpu.usage.kernel >= 0' <<<"$output"
	jq -e '.data.cpu.throttling | has("periods") and has("throttled_periods") and has("throttled_time")' <<<"$output"
	jq -e '.data.memory.usage.usage > 0 and .data.memory.usage.limit == 67108864' <<<"$output"
	jq -e '.data.memory.raw | has("anon") and has("file")' <<<"$output"
	jq -e '.data.pids.current == 1 and .data.pids.limit == 30' <<<"$output"
	jq -e '.data.blkio | has("ioServiceBytesRecursive")' <<<"$output"
}

stats_lines() {
	grep -c '"type":"stats"' "$BATS_TEST_TMPDIR/ev" || true
}

at_least_two_stats() {
	(($(stats_lines) >= 2))
}

@test "events --interval: a stats line per interval until the container stops; errors" {
	start_detached sleep 1000
	run vessel events --interval soon "$CID"
	assert_failure
	assert_output --partial "--interval"
	"$VESSEL" --root "$ROOT" events --interval 500ms "$CID" >"$BATS_TEST_TMPDIR/ev" 2>&1 &
	pid=$!
	retry 100 0.2 at_least_two_stats
	run vessel kill "$CID" KILL
	assert_success
	# events ends by itself once the init is gone.
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		fail "events did not end with the container"
	fi
	wait "$pid"
	wait_for_status "$CID" stopped
	run vessel events --stats "$CID"
	assert_failure
	assert_output --partial "not running"
}
