# shellcheck shell=bash
# What the cgroup v2 suites (tests/cgroup/*.bats) share, on top of
# tests/integration/helpers.bash.  These suites need cgroup2 with the
# cpu, memory and pids controllers: tests/run-all runs them on such a host
# directly, and on a hybrid host inside tests/vm/run-suites' VM.
#
#   cg_dir [ID]          the container's cgroup directory (cgroupPath kept
#                        in state.json, under the cgroup2 mount)
#   cg_read [ID] FILE    one interface file of it
#   cg_stat_key [ID] FILE KEY   value of KEY in a flat-keyed file
#   set_cmd ARG...       process.args = these words
#   start_detached ARG...  run -d a container with these args, writable
#                        rootfs, wait until it runs
#   requires_v2 CTRL...  skip unless cgroup2 has these controllers
#   requires_cgroupfs_driver  skip in the systemd driver's run (a test of
#                        cgroupsPath as a path, which that driver refuses)
#
# VESSEL_TEST_SYSTEMD_CGROUP=1 (tests/vm/run-suites' systemd/vm-cgroup, with
# systemd as PID 1): `vessel` passes --systemd-cgroup, so every container
# of these suites gets a systemd scope, and the same limits, pause, kill,
# ps, events, stats, update and delete tests run against the systemd driver.

load ../integration/helpers

if [[ ${VESSEL_TEST_SYSTEMD_CGROUP:-} == 1 ]]; then
	vessel() {
		"$VESSEL" --root "$ROOT" --systemd-cgroup "$@"
	}
fi

requires_cgroupfs_driver() {
	[[ ${VESSEL_TEST_SYSTEMD_CGROUP:-} == 1 ]] &&
		skip "cgroupsPath as a path: the systemd driver takes slice:prefix:name"
	return 0
}

requires_v2() {
	local c
	requires root cgroup2
	for c in "$@"; do
		requires cgroup2_controller "$c"
	done
}

cg_dir() {
	local id=${1:-$CID} rel
	rel=$(jq -r '.cgroupPath // empty' "$ROOT/$id/state.json")
	[[ -n $rel ]] || fail "container $id has no cgroupPath in its state"
	echo "$(cgroup2_mount)$rel"
}

cg_read() {
	if (($# == 1)); then set -- "$CID" "$1"; fi
	cat "$(cg_dir "$1")/$2"
}

cg_stat_key() {
	if (($# == 2)); then set -- "$CID" "$1" "$2"; fi
	awk -v k="$3" '$1 == k { print $2 }' "$(cg_dir "$1")/$2"
}

# process.args = exactly these words (after "--", so a word like -c is not
# taken as one of jq's options).
set_cmd() {
	local args tmp
	args=$(jq -nc '$ARGS.positional' --args -- "$@") || fail "set_cmd: jq failed"
	tmp=$(mktemp "$BUNDLE/config.json.XXXXXX")
	jq --argjson a "$args" '.process.args = $a' "$BUNDLE/config.json" >"$tmp" &&
		mv "$tmp" "$BUNDLE/config.json"
}

start_detached() {
	set_cmd "$@"
	update_config '.root.readonly = false'
	# The container keeps the stdio it is given: not bats's pipe, or
	# `run` would wait for the container to exit.
	vessel run -d "$CID" </dev/null >"$BATS_TEST_TMPDIR/$CID.out" 2>&1 ||
		fail "run -d $CID failed: $(cat "$BATS_TEST_TMPDIR/$CID.out")"
	wait_for_status "$CID" running
}

# Seconds (float) that busybox dd reported for its copy, from its stderr.
dd_seconds() {
	sed -n 's/.* copied, \([0-9.]*\) seconds.*/\1/p' <<<"$1"
}
