#!/usr/bin/env bats
# `vessel update` has every flag of runc 1.1.5's `update` (the runc Debian 12
# ships), and on a hybrid host (v1 controllers) each one reaches its v1 file.
# The real-time pair needs a parent with real-time bandwidth: it is in
# cgroup-hybrid.bats ("cpu realtimePeriod and realtimeRuntime ..."); the
# Intel RDT pair fails clearly (cgroup-runc.bats).

load hybrid-lib

# runc 1.1.5's `update --help`, flag by flag.
RUNC_UPDATE_FLAGS="--resources -r --blkio-weight --cpu-period --cpu-quota --cpu-share
	--cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems --memory
	--memory-reservation --memory-swap --pids-limit --l3-cache-schema --mem-bw-schema"

# check FILE WANT: the v1 file holds WANT.
check() {
	[[ $(cat "$1") == "$2" ]] || fail "$1: $(cat "$1"), want $2"
}

@test "update: every flag of runc 1.1.5's update is in vessel's" {
	run vessel update --help
	assert_success
	local f
	for f in $RUNC_UPDATE_FLAGS; do
		grep -qE -- "(^|[ ,])$f( |,|\$)" <<<"$output" || fail "vessel update --help has no $f"
	done
}

@test "update: each flag reaches its v1 file on a hybrid host, and persists" {
	requires_v1 memory cpu cpuset pids
	update_config '.linux.resources = {"memory": {"limit": 268435456}, "pids": {"limit": 100}}'
	start_detached sleep 1000
	local mem cpu cpuset pids
	mem=$(v1_dir memory)
	cpu=$(v1_dir cpu)
	cpuset=$(v1_dir cpuset)
	pids=$(v1_dir pids)
	run vessel update --memory 64m --memory-reservation 32m --cpu-share 512 \
		--cpu-period 50000 --cpu-quota 25000 --cpuset-cpus 0 --cpuset-mems 0 \
		--pids-limit 50 "$CID"
	assert_success
	check "$mem/memory.limit_in_bytes" 67108864
	check "$mem/memory.soft_limit_in_bytes" 33554432
	check "$cpu/cpu.shares" 512
	check "$cpu/cpu.cfs_period_us" 50000
	check "$cpu/cpu.cfs_quota_us" 25000
	check "$cpuset/cpuset.cpus" 0
	check "$cpuset/cpuset.mems" 0
	check "$pids/pids.max" 50
	jq -e '.linux.resources | .memory.limit == 67108864 and .cpu.mems == "0" and .cpu.cpus == "0"
		and .cpu.quota == 25000 and .pids.limit == 50' "$ROOT/$CID/config.json" >/dev/null ||
		fail "not kept in the container's config: $(jq -c .linux.resources "$ROOT/$CID/config.json")"
	# memory+swap: only where the kernel accounts swap
	if [[ -e $mem/memory.memsw.limit_in_bytes ]]; then
		run vessel update --memory-swap 128m "$CID"
		assert_success
		check "$mem/memory.memsw.limit_in_bytes" 134217728
	fi
	# a node the host does not have: the kernel's refusal, naming the field
	run vessel update --cpuset-mems 1000 "$CID"
	assert_failure
	assert_output --partial "cpu.mems"
	check "$cpuset/cpuset.mems" 0
	# unlimited again
	run vessel update --memory -1 --memory-swap -1 --cpu-quota -1 "$CID"
	assert_success
	check "$cpu/cpu.cfs_quota_us" -1
	[[ $(cat "$mem/memory.limit_in_bytes") -gt 1000000000000 ]] || fail "memory still limited"
}

@test "update: --blkio-weight reaches the v1 blkio weight, or fails naming it where the kernel has none" {
	requires_v1 io
	start_detached sleep 1000
	local dir w
	dir=$(v1_dir blkio)
	w=blkio.weight
	[[ -e $dir/$w ]] || w=blkio.bfq.weight
	run vessel update --blkio-weight 300 "$CID"
	if [[ -e $dir/$w ]]; then
		assert_success
		grep -qw 300 "$dir/$w" || fail "$w: $(cat "$dir/$w")"
	else
		assert_failure
		assert_output --partial "blockIO.weight"
	fi
}
