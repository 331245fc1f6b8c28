#!/usr/bin/env bats
# cgroups on a hybrid host (v1 controllers, a cgroup2 tree with few or
# none): containers still get a cgroup2 cgroup, freeze/thaw and the device
# program work there, the cpu, memory and pids limits are written to the v1
# cgroups at the same path, and any other limit no cgroup2 controller can
# enforce is refused, naming the controller, never silently dropped.

load hybrid-lib

# Refused at create: the error names the resource and the controller, and
# nothing is left (the teardown's leak check also looks for the cgroup).
expect_refused() {
	local ctrl=$1
	grep -qw "$ctrl" "$(cgroup2_mount)/cgroup.controllers" && skip "$ctrl is in this host's cgroup2"
	set_cmd true
	run vessel run -d "$CID"
	assert_failure
	assert_output --partial "cannot enforce"
	assert_output --partial "the $ctrl controller"
	[ ! -e "$ROOT/$CID" ] || fail "state dir left behind"
	[ ! -e "$(cgroup2_mount)/vessel/$CID" ] || fail "cgroup left behind"
}

# A pipeline that needs 100 MB in one process, marked as the first to kill.
HOG_100M='head -c 100000000 /dev/zero | (echo 1000 >/proc/self/oom_score_adj; exec tail >/dev/null)'

@test "hybrid: a memory limit is written to the v1 memory cgroup and enforced (OOM kill)" {
	requires_v1 memory
	update_config '.linux.resources.memory = {"limit": 33554432, "reservation": 16777216}'
	[[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]] &&
		update_config '.linux.resources.memory.swap = 33554432'
	start_detached sleep 1000
	dir=$(v1_dir memory)
	[ "$(cat "$dir/memory.limit_in_bytes")" = 33554432 ]
	[ "$(cat "$dir/memory.soft_limit_in_bytes")" = 16777216 ]
	pid=$(container_pid "$CID")
	grep -qx "$pid" "$dir/cgroup.procs" || fail "init $pid not in $dir"
	# tail buffers the one 100 MB "line" in memory: above the limit. Its
	# oom_score_adj of 1000 makes it the OOM killer's choice: under load the
	# killer once took the reporting shell instead (CI, empty output).
	run vessel exec "$CID" sh -c "$HOG_100M"'; echo "rc=$?"'
	assert_output --partial "rc=137"
	grep -q '^oom_kill [1-9]' "$dir/memory.oom_control" || fail "no OOM kill: $(cat "$dir/memory.oom_control")"
	# below the limit the same works
	run vessel exec "$CID" sh -c 'head -c 4000000 /dev/zero | tail >/dev/null; echo "rc=$?"'
	assert_output "rc=0"
}

@test "hybrid: cpu shares, quota and period are written to the v1 cpu cgroup, and updated" {
	requires_v1 cpu
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 20000, "period": 50000}'
	start_detached sleep 1000
	dir=$(v1_dir cpu)
	[ "$(cat "$dir/cpu.shares")" = 512 ]
	[ "$(cat "$dir/cpu.cfs_quota_us")" = 20000 ]
	[ "$(cat "$dir/cpu.cfs_period_us")" = 50000 ]
	run vessel update --cpu-shares 2 --cpu-period 10000 --cpu-quota 5000 "$CID"
	assert_success
	[ "$(cat "$dir/cpu.shares")" = 2 ]
	[ "$(cat "$dir/cpu.cfs_quota_us")" = 5000 ]
	[ "$(cat "$dir/cpu.cfs_period_us")" = 10000 ]
	run vessel update --cpu-quota -1 "$CID"
	assert_success
	[ "$(cat "$dir/cpu.cfs_quota_us")" = -1 ]
	jq -e '.linux.resources.cpu.quota == -1 and .linux.resources.cpu.shares == 2' "$ROOT/$CID/config.json"
}

@test "hybrid: a pids limit is written to the v1 pids cgroup and forks beyond it fail" {
	requires_v1 pids
	update_config '.linux.resources.pids = {"limit": 8}'
	start_detached sleep 1000
	dir=$(v1_dir pids)
	[ "$(cat "$dir/pids.max")" = 8 ]
	run vessel exec "$CID" sh -c 'i=0; while [ $i -lt 12 ]; do sleep 100 </dev/null >/dev/null 2>&1 & i=$((i+1)); done; echo done'
	assert_output --partial "can't fork"
	[ "$(cat "$dir/pids.current")" -le 8 ]
	run vessel update --pids-limit 0 "$CID"
	assert_success
	[ "$(cat "$dir/pids.max")" = max ]
}

@test "hybrid: update raises then lowers memory and memory+swap (the order each direction needs)" {
	requires_v1 memory
	[[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]] || skip "no swap accounting"
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 134217728}'
	start_detached sleep 1000
	dir=$(v1_dir memory)
	[ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 134217728 ]
	# raising: the limit above the old memsw only works once memsw is up
	run vessel update --memory 256m --memory-swap 512m "$CID"
	assert_success
	[ "$(cat "$dir/memory.limit_in_bytes")" = 268435456 ]
	[ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 536870912 ]
	# lowering: memsw below the old limit only works once the limit is down
	run vessel update --memory 32m --memory-swap 48m "$CID"
	assert_success
	[ "$(cat "$dir/memory.limit_in_bytes")" = 33554432 ]
	[ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 50331648 ]
	# a new limit alone keeps the amount of swap (16m)
	run vessel update --memory 64m "$CID"
	assert_success
	[ "$(cat "$dir/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$dir/memory.memsw.limit_in_bytes")" = 83886080 ]
	run vessel update --memory -1 --memory-swap -1 "$CID"
	assert_success
	[ "$(cat "$dir/memory.limit_in_bytes")" = "$(cat "$dir/../memory.limit_in_bytes")" ]
	jq -e '.linux.resources.memory.limit == -1' "$ROOT/$CID/config.json"
}

@test "hybrid: checkBeforeUpdate refuses a v1 memory limit below the current usage" {
	requires_v1 memory
	update_config '.linux.resources.memory = {"limit": 134217728}'
	start_detached sleep 1000
	dir=$(v1_dir memory)
	# tmpfs pages are charged to the writer's memory cgroup and stay
	run vessel exec "$CID" sh -c 'head -c 20000000 /dev/zero >/dev/shm/fill && echo ok'
	assert_output ok
	run vessel update --resources - "$CID" <<<'{"memory": {"limit": 10485760, "checkBeforeUpdate": true}}'
	assert_failure
	assert_output --partial "linux.resources.memory.limit: 10485760 is below the current usage"
	[ "$(cat "$dir/memory.limit_in_bytes")" = 134217728 ]
	jq -e '.linux.resources.memory.limit == 134217728' "$ROOT/$CID/config.json"
}

@test "hybrid: a v1 write the kernel refuses names the field and file, and leaves nothing" {
	requires_v1 memory
	update_config '.linux.resources.memory = {"limit": 67108864, "swappiness": 1000}'
	set_cmd true
	run vessel run -d "$CID"
	assert_failure
	assert_output --partial "linux.resources.memory.swappiness: write /sys/fs/cgroup/memory"
	assert_output --partial "/$CID/memory.swappiness"
	[ ! -e "$ROOT/$CID" ] || fail "state dir left behind"
	[ ! -e "$(cgroup2_mount)/vessel/$CID" ] || fail "cgroup left behind"
	[ ! -e "/sys/fs/cgroup/memory/vessel/$CID" ] || fail "v1 memory cgroup left behind"
}

@test "hybrid: a create failing after the cgroup step leaves no v1 cgroup" {
	requires_v1 memory pids
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 10}'
	set_cmd /no/such/binary
	run vessel run -d "$CID"
	assert_failure
	assert_output --partial "/no/such/binary"
	[ ! -e "$ROOT/$CID" ] || fail "state dir left behind"
	local c
	for c in memory pids; do
		[ ! -e "/sys/fs/cgroup/$c/vessel/$CID" ] || fail "v1 $c cgroup left behind"
	done
}

@test "hybrid: what the v1 path does not support is still refused clearly" {
	requires_v1 cpu memory
	update_config '.linux.resources.cpu = {"burst": 1000, "quota": 20000}'
	set_cmd true
	run vessel run -d "$CID"
	assert_failure
	assert_output --partial "linux.resources.cpu.burst/idle"
	# memory.kernel is deprecated: ignored with a warning as runc does
	# (tests/integration/config-edges.bats), no longer refused
	update_config '.linux.resources.cpu = {} | .linux.resources.memory = {"limit": 67108864, "kernel": 67108864}'
	run vessel run "$CID"
	assert_success
	assert_output --partial "linux.resources.memory.kernel: deprecated and ignored"
	[ ! -e "$ROOT/$CID" ] || fail "state dir left behind"
	[ ! -e "/sys/fs/cgroup/memory/vessel/$CID" ] || fail "v1 memory cgroup left behind"
}

# A parent made beforehand (as an orchestrator does) whose cpuset.cpus and
# cpuset.mems are empty: joining a child of it fails with ENOSPC unless
# they are filled from the grandparent first, as runc does.
@test "hybrid: cpuset cpus and mems go to the v1 cpuset cgroup, a pre-made empty parent is filled" {
	requires_v1 cpuset
	local mnt parent=vessel-test-$CID
	mnt=$(dirname "$(dirname "$(v1_dir_for_path cpuset /x/y)")")
	mkdir "$mnt/$parent"
	[ -z "$(tr -d '\n' <"$mnt/$parent/cpuset.cpus")" ] || skip "the kernel filled the new cpuset"
	update_config '.linux.cgroupsPath = "/'"$parent/$CID"'" | .linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	start_detached sleep 1000
	dir=$(v1_dir cpuset)
	[ "$(cat "$dir/cpuset.cpus")" = 0 ]
	[ "$(cat "$dir/cpuset.mems")" = 0 ]
	[ -n "$(tr -d '\n' <"$mnt/$parent/cpuset.cpus")" ] || fail "parent's cpus left empty"
	pid=$(container_pid "$CID")
	grep -qx "$pid" "$dir/cgroup.procs" || fail "init $pid not in $dir"
	grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$pid/status" || fail "$(grep Cpus_allowed_list "/proc/$pid/status")"
	if (($(nproc) > 1)); then
		run vessel update --cpuset-cpus 1 "$CID"
		assert_success
		[ "$(cat "$dir/cpuset.cpus")" = 1 ]
		jq -e '.linux.resources.cpu.cpus == "1"' "$ROOT/$CID/config.json"
	fi
	run vessel delete --force "$CID"
	assert_success
	rmdir "$mnt/$parent"
}

@test "hybrid: blkio weight, per-device weight and throttles go to the v1 blkio cgroup" {
	requires_v1 io
	local dev=$(stat -c '%Hd:%Ld' "$BUNDLE")
	local maj=${dev%:*} min=${dev#*:}
	update_config '.linux.resources.blockIO = {
		"throttleReadBpsDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 1048576}],
		"throttleWriteBpsDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 2097152}],
		"throttleReadIOPSDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 300}],
		"throttleWriteIOPSDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 400}]}'
	start_detached sleep 1000
	dir=$(v1_dir blkio)
	grep -qx "$maj:$min 1048576" "$dir/blkio.throttle.read_bps_device"
	grep -qx "$maj:$min 2097152" "$dir/blkio.throttle.write_bps_device"
	grep -qx "$maj:$min 300" "$dir/blkio.throttle.read_iops_device"
	grep -qx "$maj:$min 400" "$dir/blkio.throttle.write_iops_device"
	# the weight file is CFQ's blkio.weight or BFQ's blkio.bfq.weight
	local w=blkio.weight
	[[ -e $dir/$w ]] || w=blkio.bfq.weight
	[[ -e $dir/$w ]] || skip "no blkio weight file"
	run vessel update --blkio-weight 300 "$CID"
	assert_success
	grep -qw 300 "$dir/$w" || fail "$w: $(cat "$dir/$w")"
}

@test "hybrid: a blkio leafWeight the kernel has no file for is a clear error" {
	requires_v1 io
	[[ -e /sys/fs/cgroup/blkio/blkio.leaf_weight ]] && skip "this kernel has blkio.leaf_weight"
	update_config '.linux.resources.blockIO = {"leafWeight": 500}'
	set_cmd true
	run vessel run -d "$CID"
	assert_failure
	assert_output --partial "linux.resources.blockIO.leafWeight: the kernel has no blkio.leaf_weight"
	[ ! -e "$ROOT/$CID" ] || fail "state dir left behind"
}

# The kernel lets a cgroup have real-time bandwidth only out of what its
# parent has: the test's parent gets some from the root.
@test "hybrid: cpu realtimePeriod and realtimeRuntime go to the v1 cpu cgroup" {
	requires_v1 cpu
	local mnt parent=vessel-rt-$CID
	mnt=$(dirname "$(dirname "$(v1_dir_for_path cpu /x/y)")")
	[[ -e $mnt/cpu.rt_runtime_us ]] || skip "no real-time group scheduling"
	mkdir "$mnt/$parent"
	echo 100000 >"$mnt/$parent/cpu.rt_runtime_us" || { rmdir "$mnt/$parent"; skip "no real-time bandwidth left"; }
	update_config '.linux.cgroupsPath = "/'"$parent/$CID"'" | .linux.resources.cpu = {"realtimePeriod": 500000, "realtimeRuntime": 20000}'
	start_detached sleep 1000
	dir=$(v1_dir cpu)
	[ "$(cat "$dir/cpu.rt_period_us")" = 500000 ]
	[ "$(cat "$dir/cpu.rt_runtime_us")" = 20000 ]
	run vessel update --cpu-rt-period 400000 --cpu-rt-runtime 30000 "$CID"
	assert_success
	[ "$(cat "$dir/cpu.rt_period_us")" = 400000 ]
	[ "$(cat "$dir/cpu.rt_runtime_us")" = 30000 ]
	# above what the parent has: the kernel's refusal, naming the field
	run vessel update --cpu-rt-runtime 900000 "$CID"
	assert_failure
	assert_output --partial "linux.resources.cpu.realtimeRuntime"
	run vessel delete --force "$CID"
	assert_success
	rmdir "$mnt/$parent"
}

@test "hybrid: hugepageLimits go to the v1 hugetlb cgroup when hugetlb is bound to v1" {
	requires_v1 hugetlb
	[[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "no 2MB huge pages"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	start_detached sleep 1000
	[ "$(cat "$(v1_dir hugetlb)/hugetlb.2MB.limit_in_bytes")" = 4194304 ]
}

@test "hybrid: a container without limits runs in its own cgroup2 cgroup" {
	update_config '.linux.resources.memory = {"limit": -1} | .linux.resources.pids = {"limit": -1}'
	start_detached sleep 1000
	dir=$(cg_dir)
	[[ $dir == "$(cgroup2_mount)/"* ]]
	pid=$(container_pid "$CID")
	grep -qx "$pid" "$dir/cgroup.procs" || fail "init $pid not in $dir"
	grep -q "^0::$(jq -r .cgroupPath "$ROOT/$CID/state.json")\$" "/proc/$pid/cgroup"
	run vessel ps --format json "$CID"
	assert_success
	assert_output "[$pid]"
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$dir" ] || fail "cgroup $dir left behind"
}

@test "hybrid: pause and resume work through cgroup.freeze" {
	start_detached sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; done'
	retry 100 0.2 test -s "$BUNDLE/rootfs/tmp/count"
	run vessel pause "$CID"
	assert_success
	[ "$(container_status "$CID")" = paused ]
	a=$(cat "$BUNDLE/rootfs/tmp/count")
	sleep 0.5
	[ "$a" = "$(cat "$BUNDLE/rootfs/tmp/count")" ] || fail "counter moved while paused"
	run vessel resume "$CID"
	assert_success
	[ "$(container_status "$CID")" = running ]
}

@test "hybrid: update of a limit the host cannot enforce is refused, nothing changed" {
	start_detached sleep 1000
	grep -qw memory "$(cgroup2_mount)/cgroup.controllers" && skip "memory is in this host's cgroup2"
	run vessel update -r - "$CID" <<<'{"unified": {"memory.high": "100000000"}}'
	assert_failure
	assert_output --partial "the memory controller"
	jq -e '.linux.resources.unified == null' "$ROOT/$CID/config.json"
}

@test "hybrid: hugetlb limits work when hugetlb is in the cgroup2 tree" {
	requires cgroup2_controller hugetlb
	[[ -e /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "no 2MB huge pages"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	start_detached sleep 1000
	[ "$(cg_read hugetlb.2MB.max)" = 4194304 ]
}

@test "hybrid: the device program is enforced from the cgroup2 cgroup" {
	[[ -e /dev/loop-control ]] || skip "needs /dev/loop-control"
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	start_detached sleep 1000
	run vessel exec "$CID" sh -c 'mknod /dev/probe c 10 237 && vprobe open /dev/probe r'
	assert_failure
	assert_output --partial EPERM
	run vessel exec "$CID" vprobe open /dev/null rw
	assert_success
}

@test "hybrid: events --stats reports what cgroup2 has (cpu from cpu.stat)" {
	start_detached sleep 1000
	run vessel events --stats "$CID"
	assert_success
	jq -e --arg id "$CID" '.type == "stats" and .id == $id and (.data.cpu.usage | has("total"))' <<<"$output"
}

@test "hybrid: events --stats has memory, pids and cpu throttling from the v1 cgroups" {
	requires_v1 memory pids
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 30} | .linux.resources.cpu = {"quota": 50000, "period": 100000}'
	start_detached sleep 1000
	run vessel events --stats "$CID"
	assert_success
	jq -e '.data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0' <<<"$output"
	jq -e '.data.memory.raw | has("cache") and has("rss")' <<<"$output"
	jq -e '.data.pids.current == 1 and .data.pids.limit == 30' <<<"$output"
	jq -e '.data.cpu.throttling | has("periods")' <<<"$output"
}

holds_eventfd() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -q eventfd
}

oom_reported() {
	grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/ev"
}

@test "hybrid: events reports an OOM kill in the v1 memory cgroup" {
	requires_v1 memory
	update_config '.linux.resources.memory = {"limit": 33554432}'
	start_detached sleep 1000
	"$VESSEL" --root "$ROOT" events --interval 1h "$CID" >"$BATS_TEST_TMPDIR/ev" 2>&1 &
	local ev=$!
	# events is watching once it holds the eventfd registration
	# (a function: retry must look again each time, not test one expansion)
	retry 100 0.1 holds_eventfd "$ev"
	# the hog is the OOM killer's choice (HOG_100M)
	run vessel exec "$CID" sh -c "$HOG_100M"'; echo "rc=$?"'
	grep -q '^oom_kill [1-9]' "$(v1_dir memory)/memory.oom_control" || fail "no OOM kill: $output"
	retry 100 0.1 oom_reported || { kill "$ev"; fail "no oom event: $(cat "$BATS_TEST_TMPDIR/ev")"; }
	jq -e --arg id "$CID" 'select(.type == "oom") | .id == $id' "$BATS_TEST_TMPDIR/ev"
	run vessel kill "$CID" KILL
	# events ends with the container
	for _ in $(seq 100); do kill -0 "$ev" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$ev" 2>/dev/null && { kill "$ev"; fail "events did not end with the container"; }
	wait "$ev"
}

# runc shows the v1 hierarchies in the container's /sys/fs/cgroup; vessel
# adds the cgroup2 view at /sys/fs/cgroup/unified, the host's layout.
@test "hybrid: the container's /sys/fs/cgroup has the v1 hierarchies, its own cgroup as root, read-only" {
	requires_v1 pids memory
	set_cmd sh -c 'cat /sys/fs/cgroup/pids/cgroup.procs; echo ---; grep -c . /sys/fs/cgroup/unified/cgroup.procs; ls /sys/fs/cgroup; mkdir /sys/fs/cgroup/pids/sub 2>&1; cat /proc/self/mountinfo'
	run vessel run "$CID"
	assert_success
	# in the cgroup namespace, the hierarchy's root is the container's cgroup
	assert_line --index 0 1
	assert_line pids
	assert_line memory
	assert_line unified
	assert_line --partial "Read-only file system"
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ / /sys/fs/cgroup/pids ro,.* - cgroup cgroup .*pids'
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9:]+ / /sys/fs/cgroup ro,.* - tmpfs '
}

@test "hybrid: a rw cgroup mount without a cgroup namespace binds the container's v1 cgroups, writable; delete --force removes what the container made" {
	requires_v1 pids memory
	update_config '.linux.namespaces |= map(select(.type != "cgroup")) | (.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= (map(select(. != "ro")) + ["rw"])'
	start_detached sh -c 'mkdir /sys/fs/cgroup/memory/nested && echo $$ >/sys/fs/cgroup/memory/nested/cgroup.procs && sleep 1000 & exec sleep 1000'
	dir=$(v1_dir memory)
	retry 50 0.1 grep -q . "$dir/nested/cgroup.procs"
	run vessel exec "$CID" cat /sys/fs/cgroup/pids/cgroup.procs
	assert_success
	assert_line 1
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$dir" ] || fail "v1 memory cgroup $dir left"
}

@test "hybrid: --systemd-cgroup without systemd is a clear error" {
	update_config '.linux.cgroupsPath = "system.slice:vessel:'"$CID"'"'
	set_cmd true
	run "$VESSEL" --root "$ROOT" --systemd-cgroup run -d "$CID"
	assert_failure
	assert_output --partial "systemd"
	[ ! -e "$ROOT/$CID" ] || fail "state dir left behind"
}

# In a private mount namespace without the cgroup2 mount (the host's mounts
# are untouched): vessel runs containers without a cgroup, refuses limits,
# and pause says why it cannot work.
@test "no cgroup2 at all: containers run without a cgroup, limits and pause are refused clearly" {
	requires command unshare
	set_cmd sleep 1000
	update_config '.root.readonly = false'
	cat >"$BATS_TEST_TMPDIR/nocg.sh" <<-'SCRIPT'
		set -u
		umount -l "$(awk '$9 == "cgroup2" { print $5 }' /proc/self/mountinfo | head -n 1)" || exit 99
		grep -q ' - cgroup2 ' /proc/self/mountinfo && exit 98
		v() { "$VESSEL" --root "$ROOT" "$@"; }
		v run -d "$CID" </dev/null >/dev/null 2>&1 || { echo "run failed"; exit 1; }
		echo "cgroupPath=$(jq -r '.cgroupPath // ""' "$ROOT/$CID/state.json")"
		echo "status=$(v state "$CID" | jq -r .status)"
		v pause "$CID" 2>&1; echo "pause=$?"
		v delete --force "$CID"; echo "delete=$?"
		jq '.linux.resources.memory = {"limit": 67108864}' config.json >c.tmp && mv c.tmp config.json
		v run -d "$CID-2" </dev/null 2>&1; echo "limited=$?"
	SCRIPT
	run unshare -m --propagation private env VESSEL="$VESSEL" ROOT="$ROOT" CID="$CID" bash "$BATS_TEST_TMPDIR/nocg.sh"
	assert_line "cgroupPath="
	assert_line "status=running"
	assert_line --partial "no cgroup2 hierarchy"
	assert_line "pause=1"
	assert_line "delete=0"
	assert_line --partial "linux.resources.memory: cannot enforce the requested limit: no cgroup2 hierarchy is mounted"
	assert_line "limited=1"
}

@test "a cgroup2 mounted over the hybrid tree is the one used (the hidden one is skipped)" {
	requires command unshare
	set_cmd cat /proc/self/cgroup
	# In a private mount namespace, cgroup2 over /sys/fs/cgroup hides both
	# /sys/fs/cgroup/unified and the v1 hierarchies, though mountinfo still
	# lists them first; vessel must use the mount its path really reaches.
	cat >"$BATS_TEST_TMPDIR/over.sh" <<-'SCRIPT'
		set -u
		mount -t cgroup2 none /sys/fs/cgroup || exit 99
		"$VESSEL" --root "$ROOT" run "$CID" </dev/null 2>&1; echo "run=$?"
	SCRIPT
	run unshare -m --propagation private env VESSEL="$VESSEL" ROOT="$ROOT" CID="$CID" bash "$BATS_TEST_TMPDIR/over.sh"
	assert_line "run=0"
	assert_line --regexp '^0::/'
	refute_output --partial "No such file"
}
