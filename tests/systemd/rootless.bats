#!/usr/bin/env bats
# The systemd cgroup driver rootless (tests/vm/run-suites systemd/vm, the
# guest with systemd as PID 1): vessel run by an ordinary user asks that
# user's own systemd instance (user@UID.service, started here as logind
# would at login or with linger) over the user bus for the scope, in the
# instance's user.slice.  The instance is delegated "cpu memory pids"
# (Debian's user@.service), so those limits are set, the rest refused.
# vessel is started through `systemd-run --user --scope` where it creates a
# container, as podman does: the kernel lets it clone the init into the
# scope only from a cgroup of the same instance.
#
# Kept to two tests (one start of the user's instance, ~20 s under TCG,
# and few execs): the scope, limits and commands; then the refusals.

load ../rootless/helpers

setup() {
	[[ -d /run/systemd/system ]] || skip "systemd is not PID 1 here"
	requires command systemd-run
	rootless_setup
	# Idempotent, and quick once the instance runs (the first start takes
	# ~20 s under TCG: the instance starts its default.target).
	systemctl start "user@$RL_UID.service" || fail "systemctl start user@$RL_UID.service"
	USER_BUS=/run/user/$RL_UID/bus
	retry 100 0.1 test -S "$USER_BUS" || fail "no user bus at $USER_BUS"
	RL_ENV=(DBUS_SESSION_BUS_ADDRESS="unix:path=$USER_BUS")
	CG2=$(cgroup2_mount)
	USER_ROOT=$CG2/user.slice/user-$RL_UID.slice/user@$RL_UID.service
	UNIT=vessel-$CID.scope
}

# rootless_teardown's, but delete reaches the user bus, and the user's
# instance and its bus stay for the next test: any other process of the
# user is a leak.
teardown() {
	[[ -n ${RL_XDG:-} ]] || return 0 # skipped before rootless_setup
	local id pid left= rc=0 RL_CMD
	_rl_cmd
	for id in $(_rl_ids); do
		timeout 60 "${RL_CMD[@]}" "$VESSEL" delete --force "$id" >/dev/null 2>&1 || true
	done
	for pid in $(pgrep -u "$RL_USER"); do
		grep -qE "user@$RL_UID\.service/(init\.scope|session\.slice/|app\.slice/dbus\.service)" \
			"/proc/$pid/cgroup" 2>/dev/null && continue
		[[ $(ps -o stat= -p "$pid") == Z* ]] && continue
		left+=" $pid:$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
		kill -9 "$pid" 2>/dev/null || true
		rc=1
	done
	[[ -z $left ]] || echo "# processes of $RL_USER left:$left" >&2
	rm -rf "$ROOT/@cache"
	teardown_bundle || rc=1
	return $rc
}

# sd_rl ARGS...: vessel --systemd-cgroup ARGS... as the user, from a scope
# of the user's instance
sd_rl() {
	rl_as systemd-run --user --scope --quiet "$VESSEL" --systemd-cgroup "$@"
}

# try CMD...: as `run`, but with the output in a file, not a pipe a
# container started by mistake would hold open
try() {
	local log=$BATS_TEST_TMPDIR/try.log
	status=0
	"$@" >"$log" 2>&1 </dev/null || status=$?
	output=$(<"$log")
}

# user_show UNIT PROPS: `systemctl --user show` of the user's instance,
# "Name=value" lines for the comma-separated PROPS
user_show() {
	rl_as systemctl --user show -p "$2" "$1"
}

@test "systemd rootless: a scope in the user's user.slice, its limits set and enforced, pause/resume/ps/kill/update, gone at delete" {
	# 30 sleeps against pids.max 20: forks fail from the 20th process on
	# (in a subshell, which may give up then; the init goes on sleeping)
	rl_config '.process.args = ["sh", "-c", "(i=0; while [ $i -lt 30 ]; do sleep 1000 & i=$((i + 1)); done) 2>/dev/null; exec sleep 1000"] | .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 20}}'
	try sd_rl run -d "$CID"
	assert_success
	wait_for_status "$CID" running
	run user_show "$UNIT" ActiveState,Delegate,Slice,MemoryMax,TasksMax
	assert_success
	assert_line ActiveState=active
	assert_line Delegate=yes
	assert_line Slice=user.slice
	assert_line MemoryMax=67108864
	assert_line TasksMax=20
	local dir=$USER_ROOT/user.slice/$UNIT
	[[ $(stat -c %U "$dir") == "$RL_USER" ]]
	[[ $(<"$dir/memory.max") == 67108864 ]]
	[[ $(<"$dir/pids.max") == 20 ]]
	# the kernel refused the forks past the limit
	retry 100 0.2 grep -qE '^max [1-9]' "$dir/pids.events" ||
		fail "pids.max never hit: $(cat "$dir/pids.events" "$dir/pids.current")"
	grep -qx "$(container_pid "$CID")" "$dir/cgroup.procs"

	run rl pause "$CID"
	assert_success
	[[ $(<"$dir/cgroup.freeze") == 1 ]]
	run rl resume "$CID"
	assert_success
	[[ $(<"$dir/cgroup.freeze") == 0 ]]
	run rl ps --format json "$CID"
	assert_success
	[[ $(jq length <<<"$output") == "$(wc -l <"$dir/cgroup.procs")" ]]
	jq -e --argjson p "$(container_pid "$CID")" 'index($p) != null' <<<"$output"

	# update goes through SetUnitProperties of the user's instance too
	run rl update --memory 128m "$CID"
	assert_success
	run user_show "$UNIT" MemoryMax
	assert_output MemoryMax=134217728
	[[ $(<"$dir/memory.max") == 134217728 ]]

	run rl kill --all "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	run rl delete "$CID"
	assert_success
	run user_show "$UNIT" LoadState
	assert_output LoadState=not-found
	[[ ! -e $dir ]]
}

@test "systemd rootless: no user bus, a limit the user's instance is not delegated, a vessel outside it: clear errors, no scope left" {
	rl_config '.process.args = ["sleep", "1000"]'
	RL_ENV=()
	try rl --systemd-cgroup run -d "$CID"
	assert_failure
	assert_output --partial "no user bus"
	assert_output --partial "$RL_XDG/bus (\$XDG_RUNTIME_DIR/bus) does not exist"
	assert_output --partial "user@$RL_UID.service"
	[[ ! -e $ROOT/$CID ]]
	RL_ENV=(DBUS_SESSION_BUS_ADDRESS="unix:path=$USER_BUS")

	rl_config '.linux.resources = {"blockIO": {"weight": 500}}'
	try sd_rl run -d "$CID"
	assert_failure
	assert_output --partial "linux.resources.blockIO"
	assert_output --partial "systemd instance is not delegated the io controller"
	assert_output --partial "\"cpu memory pids\""
	[[ ! -e $ROOT/$CID ]]
	# vessel in a root's cgroup (this test's service): refused, named.
	# (Had the scope above been left, this start would fail on it.)
	rl_config 'del(.linux.resources.blockIO)'
	try rl --systemd-cgroup run -d "$CID"
	assert_failure
	assert_output --partial "outside uid $RL_UID's systemd instance"
	assert_output --partial "systemd-run --user --scope"
	[[ ! -e $ROOT/$CID ]]
	run user_show "$UNIT" LoadState
	assert_output LoadState=not-found
	[[ ! -e $USER_ROOT/user.slice/$UNIT ]]
}
