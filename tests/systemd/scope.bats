#!/usr/bin/env bats
# The systemd cgroup driver against systemd as PID 1 (tests/vm/run-suites
# systemd/vm boots one: tests/vm/vm -s): the scope and its properties, the
# cgroup systemd made for it, limits that survive `systemctl daemon-reload`,
# update through SetUnitProperties, annotations, delete removing the unit.
# The limits themselves and pause, kill, ps, events, stats run in
# systemd/vm-cgroup (the cgroup suites with --systemd-cgroup).

load ../cgroup/cgroup-helpers

setup() {
	setup_bundle
	requires_v2 cpu memory pids
	[[ -d /run/systemd/system ]] || skip "systemd is not PID 1 here"
}

sd() {
	"$VESSEL" --root "$ROOT" --systemd-cgroup "$@"
}

sd_start() {
	set_cmd "$@"
	update_config '.root.readonly = false'
	sd run -d "$CID" </dev/null >"$BATS_TEST_TMPDIR/$CID.out" 2>&1 ||
		fail "run -d $CID failed: $(cat "$BATS_TEST_TMPDIR/$CID.out")"
	wait_for_status "$CID" running
}

# prop UNIT NAME: the unit's property as systemctl show prints it
prop() {
	systemctl show -P "$2" "$1"
}

@test "systemd: run makes vessel-ID.scope in system.slice with Delegate=yes, the limits as properties and files" {
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "cpu": {"shares": 2048, "quota": 50000, "period": 100000}, "pids": {"limit": 40}}'
	sd_start sleep 1000
	unit=vessel-$CID.scope
	[ "$(prop "$unit" ActiveState)" = active ]
	[ "$(prop "$unit" Delegate)" = yes ]
	[ "$(prop "$unit" Slice)" = system.slice ]
	[ "$(prop "$unit" MemoryMax)" = 67108864 ]
	[ "$(prop "$unit" TasksMax)" = 40 ]
	[ "$(prop "$unit" CPUQuotaPerSecUSec)" = 500ms ]
	[ "$(prop "$unit" CPUWeight)" = "$(cg_read cpu.weight)" ]
	[ "$(cg_dir)" = "$(cgroup2_mount)/system.slice/$unit" ]
	[ "$(cg_read memory.max)" = 67108864 ]
	[ "$(cg_read pids.max)" = 40 ]
	# the init and nothing else (the placeholder that held the scope is gone)
	[ "$(cg_read cgroup.procs)" = "$(container_pid "$CID")" ]
	run vessel delete --force "$CID"
	assert_success
	[ "$(prop "$unit" LoadState)" = not-found ] || fail "$unit still loaded: $(prop "$unit" ActiveState)"
	[ ! -e "$(cgroup2_mount)/system.slice/$unit" ]
}

@test "systemd: systemctl daemon-reload leaves the limits; update changes properties and files" {
	update_config '.linux.resources = {"memory": {"limit": 67108864}, "cpu": {"quota": 20000, "period": 100000}, "pids": {"limit": 30}}'
	sd_start sleep 1000
	unit=vessel-$CID.scope
	systemctl daemon-reload
	[ "$(cg_read memory.max)" = 67108864 ]
	[ "$(cg_read pids.max)" = 30 ]
	[ "$(cg_read cpu.max)" = "20000 100000" ]
	run vessel update --memory 128m --pids-limit 20 "$CID"
	assert_success
	[ "$(prop "$unit" MemoryMax)" = 134217728 ]
	[ "$(prop "$unit" TasksMax)" = 20 ]
	systemctl daemon-reload
	[ "$(cg_read memory.max)" = 134217728 ]
	[ "$(cg_read pids.max)" = 20 ]
}

@test "systemd: cgroupsPath slice:prefix:name, annotations as properties" {
	update_config '.linux.cgroupsPath = "machine.slice:vt:'"$CID"'"'
	update_config '.annotations["org.systemd.property.TimeoutStopSec"] = "7" | .annotations["org.systemd.property.CollectMode"] = "'"'inactive-or-failed'"'"'
	sd_start sleep 1000
	unit=vt-$CID.scope
	[ "$(prop "$unit" Slice)" = machine.slice ]
	[ "$(prop "$unit" TimeoutStopUSec)" = 7s ]
	[ "$(prop "$unit" CollectMode)" = inactive-or-failed ]
	[ "$(cg_dir)" = "$(cgroup2_mount)/machine.slice/$unit" ]
	# the process is in the scope from the start; pause, ps, kill --all as usual
	run vessel pause "$CID"
	assert_success
	[ "$(cg_read cgroup.freeze)" = 1 ]
	run vessel resume "$CID"
	assert_success
	run vessel ps --format json "$CID"
	assert_output "[$(container_pid "$CID")]"
	run vessel kill --all "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	run vessel delete "$CID"
	assert_success
	[ "$(prop "$unit" LoadState)" = not-found ]
}

@test "systemd: a bad annotation or cgroupsPath fails clearly and leaves no scope" {
	update_config '.annotations["org.systemd.property.bad-name"] = "1"'
	set_cmd true
	run sd run "$CID"
	assert_failure
	assert_output --partial "is not a unit property name"
	[ ! -e "$ROOT/$CID" ]
	[ "$(prop "vessel-$CID.scope" LoadState)" = not-found ]
	update_config 'del(.annotations["org.systemd.property.bad-name"]) | .linux.cgroupsPath = "/a/b"'
	run sd run "$CID"
	assert_failure
	assert_output --partial "slice:prefix:name"
	# a property systemd refuses: its own message, nothing left
	update_config '.linux.cgroupsPath = "" | .annotations["org.systemd.property.NoSuchProperty"] = "1"'
	run sd run "$CID"
	assert_failure
	assert_output --partial "NoSuchProperty"
	[ ! -e "$ROOT/$CID" ]
	[ "$(prop "vessel-$CID.scope" LoadState)" = not-found ]
	[ ! -e "$(cgroup2_mount)/system.slice/vessel-$CID.scope" ]
}
