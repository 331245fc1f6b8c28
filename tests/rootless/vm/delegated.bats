#!/usr/bin/env bats
# Rootless with a delegated cgroup v2 subtree (run in the cgroup v2 VM,
# group rootless/vm): the test does by hand what systemd's user@.service
# with Delegate=yes does: a cgroup DELEG owned by the user (the directory
# and its cgroup.procs, cgroup.subtree_control and cgroup.threads) with the
# memory and pids controllers enabled for its children, and the user's
# processes in a leaf DELEG/user.  The container's cgroup is DELEG/ctr
# (linux.cgroupsPath): the user may make it, and move its init there, since
# it may write cgroup.procs of DELEG, the common ancestor.

load ../helpers

setup() {
	requires cgroup2_controller memory
	requires cgroup2_controller pids
	rootless_setup
	CG2=$(cgroup2_mount)
	DELEG_REL=/vessel-rl-$BATS_SUITE_TEST_NUMBER-$$
	DELEG=$CG2$DELEG_REL
	echo "+memory +pids" >"$CG2/cgroup.subtree_control"
	mkdir "$DELEG" "$DELEG/user"
	echo "+memory +pids" >"$DELEG/cgroup.subtree_control"
	chown "$RL_USER:" "$DELEG" "$DELEG"/cgroup.{procs,subtree_control,threads} \
		"$DELEG/user" "$DELEG"/user/cgroup.{procs,threads}
	rl_config ".linux.cgroupsPath = \"$DELEG_REL/ctr\""
	export CG2 DELEG DELEG_REL
}

teardown() {
	rootless_teardown
	local rc=$?
	[[ -d $DELEG/ctr ]] && { echo "# the container's cgroup $DELEG/ctr is left" >&2; rc=1; }
	rmdir "$DELEG/ctr" "$DELEG/user" "$DELEG" 2>/dev/null || true
	return $rc
}

# rl, started from the user's leaf of the delegated subtree (moved there
# by root: the user may not write the cgroup.procs of the cgroup it comes
# from, and the kernel wants that of the common ancestor)
rl_deleg() {
	local RL_CMD
	_rl_cmd
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$DELEG/user" "${RL_CMD[@]}" "$VESSEL" "$@"
}

@test "rootless vm: memory and pids limits are enforced in a delegated cgroup" {
	rl_config '.linux.resources = {memory: {limit: 33554432}, pids: {limit: 12}}
		| .process.args = ["sh", "-c", "cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; i=0; while [ $i -lt 20 ]; do sleep 5 & i=$((i + 1)); done 2>&1 | grep -c fork; kill $(jobs -p) 2>/dev/null; true"]'
	run rl_deleg --debug run "$CID"
	assert_success
	refute_output --partial "without a cgroup of its own"
	assert_line "0::/"
	assert_line 33554432
	assert_line 12
	# the 12th process onwards cannot be forked
	assert_line --regexp '^([89]|1[0-9])$'
}

@test "rootless vm: update changes the limits of a running container" {
	rl_config '.linux.resources = {pids: {limit: 12}} | .process.args = ["sleep", "300"]'
	detached rl_deleg run -d "$CID"
	[[ $(cat "$DELEG/ctr/pids.max") == 12 ]]
	run rl_deleg update --pids-limit 30 --memory 64M "$CID"
	assert_success
	[[ $(cat "$DELEG/ctr/pids.max") == 30 ]]
	[[ $(cat "$DELEG/ctr/memory.max") == 67108864 ]]
	run rl_deleg ps --format json "$CID"
	assert_success
	[[ $(jq length <<<"$output") == 1 ]]
	run rl_deleg pause "$CID"
	assert_success
	[[ $(rl state "$CID" | jq -r .status) == paused ]]
	run rl_deleg resume "$CID"
	assert_success
	run rl_deleg delete --force "$CID"
	assert_success
	[[ ! -d $DELEG/ctr ]]
}

@test "rootless vm: a cgroup outside the delegated subtree: no limit runs without it, a limit is refused" {
	rl_config '.linux.cgroupsPath = "/vessel-not-delegated/ctr" | .process.args = ["true"]'
	run rl_deleg --debug run "$CID"
	assert_success
	assert_output --partial "the container runs without a cgroup of its own"
	rl_config '.linux.resources = {memory: {limit: 33554432}}'
	run rl_deleg run "$CID"
	assert_failure
	assert_output --partial "linux.resources.memory: cannot enforce the requested limit rootless"
	[[ ! -e $CG2/vessel-not-delegated ]]
}
