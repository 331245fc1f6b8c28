#!/usr/bin/env bats
# memory: the v2 files written from linux.resources.memory, the OOM killer
# at memory.max (and `events` reporting it), the swap limit.

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 memory
}

# busybox dd allocates its block (bs) and reads /dev/zero into it, touching
# every page: a quick way to hold N MiB of anonymous memory.
alloc_cmd() {
	echo "dd if=/dev/zero of=/dev/null bs=$1M count=1 2>/dev/null && echo survived"
}

@test "memory: limit/reservation/swap -> memory.max/low/swap.max; -1 is max; bad swap refused" {
	update_config '.linux.resources.memory = {"limit": 33554432, "reservation": 16777216, "swap": 50331648}'
	start_detached sleep 1000
	[ "$(cg_read memory.max)" = 33554432 ]
	[ "$(cg_read memory.low)" = 16777216 ]
	# The spec's swap is memory+swap; v2 limits swap alone.
	[ "$(cg_read memory.swap.max)" = 16777216 ]
	run vessel update --memory -1 --memory-swap -1 "$CID"
	assert_success
	[ "$(cg_read memory.max)" = max ]
	[ "$(cg_read memory.swap.max)" = max ]
	run vessel update --resources - "$CID" <<<'{"memory": {"limit": 33554432, "swap": 1000}}'
	assert_failure
	assert_output --partial "linux.resources.memory"
	assert_output --partial "must not be below"
	[ "$(cg_read memory.max)" = max ]
}

at_least_one_oom() {
	grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events"
}

@test "memory: allocating past memory.max is OOM-killed and events reports oom" {
	# swap == limit: no swap at all, so the kill is certain.
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	start_detached sleep 1000
	"$VESSEL" --root "$ROOT" events --interval 1s "$CID" >"$BATS_TEST_TMPDIR/events" 2>&1 &
	events_pid=$!
	run vessel exec "$CID" sh -c "$(alloc_cmd 8)"
	assert_success
	assert_output survived
	run vessel exec "$CID" sh -c "$(alloc_cmd 64)"
	assert_failure
	refute_output --partial survived
	[ "$(cg_stat_key memory.events oom_kill)" -ge 1 ]
	retry 50 0.2 at_least_one_oom || fail "no oom event: $(cat "$BATS_TEST_TMPDIR/events")"
	grep '"type":"oom"' "$BATS_TEST_TMPDIR/events" | head -n 1 | jq -e --arg id "$CID" '.id == $id'
	kill "$events_pid"
	wait "$events_pid" || true
	# Only the allocating process died, not the container.
	[ "$(container_status "$CID")" = running ]
}

# A swap device, made from zram in the test VM only (never on a host).
swap_available() {
	[[ $(awk 'NR > 1' /proc/swaps | wc -l) -gt 0 ]] && return 0
	[[ -n ${VESSEL_IN_VM:-} ]] || return 1
	[[ -e /sys/block/zram0 ]] || modprobe zram 2>/dev/null || return 1
	echo 256M >/sys/block/zram0/disksize 2>/dev/null || true
	mkswap /dev/zram0 >/dev/null 2>&1 && swapon /dev/zram0 2>/dev/null
}

@test "memory: memory.swap.max lets a process swap up to the limit, no further" {
	swap_available || skip "no swap device (made from zram only inside the test VM)"
	# 32 MiB of memory + 24 MiB of swap.
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 58720256}'
	start_detached sleep 1000
	[ "$(cg_read memory.swap.max)" = 25165824 ]
	# 40 MiB only fits with 8 MiB of it in swap (64 MiB without swap is
	# killed in the test above).
	run vessel exec "$CID" sh -c "$(alloc_cmd 40)"
	assert_success
	assert_output survived
	run vessel exec "$CID" sh -c "$(alloc_cmd 80)"
	assert_failure
	refute_output --partial survived
	[ "$(cg_stat_key memory.events oom_kill)" -ge 1 ]
}
