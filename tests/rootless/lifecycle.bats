#!/usr/bin/env bats
# vessel run by an ordinary user with subordinate ids (see helpers.bash):
# the state directory, the lifecycle, exec, ps, and what happens to the
# cgroup on a host that delegates none to the user (this one: cgroup v1
# plus a cgroup2 with hugetlb only, all root's).

load helpers

setup() {
	rootless_setup
}

status_is() {
	[[ $(rl state "$CID" | jq -r .status) == "$1" ]]
}

n_procs_is() {
	[[ $(rl ps --format json "$CID" | jq length) == "$1" ]]
}

teardown() {
	rootless_teardown
}

@test "rootless: spec --rootless writes a config that runs as is for the user" {
	run jq -ec '[.linux.uidMappings, .linux.gidMappings, ([.linux.namespaces[].type] | index("network")), ([.linux.namespaces[].type] | index("user") != null)]' "$BUNDLE/config.json"
	assert_success
	if [[ $RL_MODE == unshare ]]; then
		assert_output '[[{"containerID":0,"hostID":0,"size":1}],[{"containerID":0,"hostID":0,"size":1}],null,true]'
	else
		assert_output "[[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}],[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}],null,true]"
	fi
	rl_config '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]'
	run rl run "$CID"
	assert_success
	assert_line --index 0 0
	if [[ $RL_MODE == rootless ]]; then
		assert_line --index 1 --regexp "^ +0 +$RL_UID +1\$"
	fi
}

@test "rootless: the default --root is \$XDG_RUNTIME_DIR/vessel, private to the user" {
	rl_config '.process.args = ["sleep", "30"]'
	detached rl create "$CID"
	[[ -f $RL_XDG/vessel/$CID/state.json ]]
	[[ $(stat -c '%U %a' "$RL_XDG/vessel/$CID") == "$RL_USER 700" ]]
	run rl --debug list -q
	assert_success
	assert_output --partial "rootless: state in $RL_XDG/vessel"
	assert_line "$CID"
	# root's default state dir knows nothing of it
	run "$VESSEL" state "$CID"
	assert_failure
}

@test "rootless: without XDG_RUNTIME_DIR the state goes to a private \$TMPDIR/vessel-UID" {
	[[ $RL_MODE == rootless ]] || skip "the uid differs in a user namespace"
	local tmp=$BATS_TEST_TMPDIR/tmp
	mkdir -m 0700 "$tmp"
	chown "$RL_USER:" "$tmp"
	run runuser -u "$RL_USER" -- env -u XDG_RUNTIME_DIR TMPDIR="$tmp" "$VESSEL" --debug list
	assert_success
	assert_output --partial "rootless: state in $tmp/vessel-$RL_UID"
	[[ $(stat -c '%U %a' "$tmp/vessel-$RL_UID") == "$RL_USER 700" ]]
	# one that is not the user's is refused, not used
	rmdir "$tmp/vessel-$RL_UID"
	mkdir -m 0777 "$tmp/vessel-$RL_UID"
	run runuser -u "$RL_USER" -- env -u XDG_RUNTIME_DIR TMPDIR="$tmp" "$VESSEL" list
	assert_failure
	assert_output --partial "$tmp/vessel-$RL_UID belongs to uid 0, not to uid $RL_UID"
	assert_output --partial "set XDG_RUNTIME_DIR or pass --root"
}

@test "rootless: create, start, state, exec, ps, list, kill, delete" {
	rl_config '.process.args = ["sleep", "300"]'
	detached rl create "$CID"
	run rl state "$CID"
	assert_success
	[[ $(jq -r .status <<<"$output") == created ]]
	run rl start "$CID"
	assert_success
	run rl state "$CID"
	[[ $(jq -r .status <<<"$output") == running ]]
	local pid
	pid=$(jq -r .pid <<<"$output")
	[[ $(stat -c %U "/proc/$pid") == "$RL_USER" ]]
	run rl exec "$CID" sh -c 'echo in:$(id -u):$(cat /proc/1/comm)'
	assert_success
	assert_output "in:0:sleep"
	run rl ps --format json "$CID"
	assert_success
	[[ $(jq -c . <<<"$output") == "[$pid]" ]]
	run rl ps "$CID"
	assert_success
	assert_line --partial "sleep 300"
	run rl list -q
	assert_output "$CID"
	run rl kill "$CID" KILL
	assert_success
	retry 50 0.1 status_is stopped
	run rl delete "$CID"
	assert_success
	[[ ! -e $ROOT/$CID ]]
}

@test "rootless: run -d and kill --all reach every process of the container" {
	rl_config '.process.args = ["sh", "-c", "sleep 300 & sleep 300 & wait"]'
	detached rl run -d "$CID"
	retry 50 0.1 n_procs_is 3
	run rl kill --all "$CID" KILL
	assert_success
	retry 50 0.1 bash -c "! pgrep -u $RL_USER -f '^sleep 300'"
	run rl delete "$CID"
	assert_success
}

@test "rootless: with no delegated cgroup the container runs without one, as --debug says" {
	rl_config '.process.args = ["cat", "/proc/self/cgroup"]'
	run rl --debug run "$CID"
	assert_success
	assert_output --partial "is not in a cgroup v2 subtree delegated to uid"
	assert_output --partial "the container runs without a cgroup of its own"
	# it stays in the cgroups of the user that started it
	refute_line --regexp "^[0-9]+:[^:]*:.*/vessel/$CID"
	local own
	own=$(rl_as cat /proc/self/cgroup | grep '^0::')
	assert_line "$own"
	run rl --debug pause "$CID"
	assert_failure
}

@test "rootless: pause of a container without a cgroup says why" {
	rl_config '.process.args = ["sleep", "300"]'
	detached rl run -d "$CID"
	run rl pause "$CID"
	assert_failure
	assert_output --partial "cannot pause: the container has no cgroup (rootless, with no delegated cgroup v2 subtree"
}

@test "rootless: a limit that cannot be enforced is refused by name, nothing left behind" {
	local what
	for what in 'memory = {"limit": 67108864}|linux.resources.memory' \
		'pids = {"limit": 20}|linux.resources.pids'; do
		rl_config ".linux.resources.${what%%|*}"
		run rl run "$CID"
		assert_failure
		assert_output --partial "${what#*|}: cannot enforce the requested limit rootless"
		assert_output --partial "remove the limit or delegate a cgroup"
		[[ ! -e $ROOT/$CID ]]
		rl_config 'del(.linux.resources)'
	done
}

@test "rootless: --rootless true and auto are accepted, false is refused" {
	run rl --rootless true list -q
	assert_success
	run rl --rootless auto list -q
	assert_success
	run rl --rootless false list
	assert_failure
	assert_output --partial "--rootless false: vessel runs rootless here"
}
