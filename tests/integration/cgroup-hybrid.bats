#!/usr/bin/env bats
# cgroups on a hybrid host (v1 controllers, a cgroup2 tree with few or
# none): containers still get a cgroup2 cgroup, freeze/thaw and the device
# program work there, and a limit no cgroup2 controller can enforce is
# refused, naming the controller, never silently dropped.

load ../cgroup/cgroup-helpers

setup() {
	setup_bundle
	requires root cgroup_hybrid
}

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

@test "hybrid: a memory limit is refused naming the memory controller" {
	update_config '.linux.resources.memory = {"limit": 67108864}'
	expect_refused memory
	assert_output --partial "linux.resources.memory"
}

@test "hybrid: cpu shares and quota are refused naming the cpu controller" {
	update_config '.linux.resources.cpu = {"shares": 512, "quota": 10000}'
	expect_refused cpu
	assert_output --partial "linux.resources.cpu"
}

@test "hybrid: a pids limit is refused naming the pids controller" {
	update_config '.linux.resources.pids = {"limit": 10}'
	expect_refused pids
	assert_output --partial "linux.resources.pids"
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
	run vessel update --memory 64m "$CID"
	assert_failure
	assert_output --partial "the memory controller"
	jq -e '.linux.resources.memory.limit == null' "$ROOT/$CID/config.json"
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
