#!/usr/bin/env bats
# The container's cgroup as runc 1.1.5 treats it, on any host with a
# cgroup2 mount (hybrid or pure v2): a cgroup that is already there
# (populated, frozen), sub-cgroups the container's processes make, and
# `exec --cgroup`.  tests/cgroup/runc-compat.bats is a link to this file,
# so the cgroup v2 VM (tests/vm/run-suites cgroup/vm) runs it too; the
# `load` path below works from either directory.

load ../cgroup/cgroup-helpers

setup() {
	setup_bundle
	requires root cgroup2
}

# A cgroup2 directory made by the test (not by vessel), removed by teardown's
# leak cleanup if the test fails half-way: its name holds $CID.
premade() {
	local dir
	dir="$(cgroup2_mount)/vessel-pre-$CID"
	mkdir "$dir"
	echo "$dir"
}

@test "a pre-frozen cgroup2 cgroup is refused before anything joins it, nothing is left" {
	dir=$(premade)
	[[ -e $dir/cgroup.freeze ]] || skip "no cgroup.freeze"
	echo 1 >"$dir/cgroup.freeze"
	update_config '.linux.cgroupsPath = "/vessel-pre-'"$CID"'"'
	set_cmd true
	run timeout 20 "$VESSEL" --root "$ROOT" run "$CID"
	assert_failure
	assert_output --partial "container's cgroup unexpectedly frozen"
	[ ! -e "$ROOT/$CID" ] || fail "state dir left behind"
	[ -z "$(cat "$dir/cgroup.procs")" ] || fail "processes left in $dir: $(cat "$dir/cgroup.procs")"
	# a child of a frozen parent is frozen too
	update_config '.linux.cgroupsPath = "/vessel-pre-'"$CID"'/child"'
	run timeout 20 "$VESSEL" --root "$ROOT" run "$CID"
	assert_failure
	assert_output --partial "container's cgroup unexpectedly frozen"
	[ ! -e "$dir/child" ] || fail "child cgroup left behind"
	rmdir "$dir"
}

@test "a pre-frozen v1 freezer cgroup is refused too (hybrid hosts)" {
	requires cgroup_hybrid
	local frz
	frz=$(awk '$9 == "cgroup" && $NF ~ /(^|,)freezer(,|$)/ { print $5; exit }' /proc/self/mountinfo)
	[[ -n $frz ]] || skip "no v1 freezer hierarchy"
	mkdir "$frz/vessel-pre-$CID"
	echo FROZEN >"$frz/vessel-pre-$CID/freezer.state"
	update_config '.linux.cgroupsPath = "/vessel-pre-'"$CID"'"'
	set_cmd true
	run timeout 20 "$VESSEL" --root "$ROOT" run "$CID"
	assert_failure
	assert_output --partial "container's cgroup unexpectedly frozen: the v1 freezer cgroup /vessel-pre-$CID"
	[ ! -e "$ROOT/$CID" ] || fail "state dir left behind"
	[ ! -e "$(cgroup2_mount)/vessel-pre-$CID" ] || fail "cgroup2 dir left behind"
	echo THAWED >"$frz/vessel-pre-$CID/freezer.state"
	rmdir "$frz/vessel-pre-$CID"
}

@test "create into a cgroup that already has processes warns and goes on" {
	dir=$(premade)
	sleep 1000 </dev/null >/dev/null 2>&1 &
	local other=$!
	echo "$other" >"$dir/cgroup.procs"
	update_config '.linux.cgroupsPath = "/vessel-pre-'"$CID"'"'
	set_cmd sleep 1000
	detached vessel run -d "$CID" || fail "run: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	grep -q "container's cgroup is not empty: .* already has processes" "$BATS_TEST_TMPDIR/detached.log" ||
		fail "no warning: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" running
	pid=$(container_pid "$CID")
	grep -qx "$pid" "$dir/cgroup.procs" || fail "init $pid not in $dir"
	grep -qx "$other" "$dir/cgroup.procs" || fail "the other process left $dir"
	kill "$other"
	wait "$other" || true
	run vessel delete --force "$CID"
	assert_success
}

# runc 1.1.5's `update` flags, with its value syntax; what each sets is read
# back from the container's saved config (the cgroup files are checked by
# cgroup-hybrid.bats and tests/cgroup/update.bats).
@test "update: runc's flags and value syntax (units, -1, --cpu-share, obsolete kernel memory)" {
	set_cmd sleep 1000
	detached vessel run -d "$CID" || fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" running
	cfg=$ROOT/$CID/config.json
	run vessel update --memory "256 MB" --memory-reservation 1.5m --memory-swap 1GiB "$CID"
	if [[ $status != 0 ]]; then
		# a host that cannot take one of them (no swap accounting) still
		# parsed them: the error is the host's, not the syntax's
		refute_output --partial "invalid value"
	else
		jq -e '.linux.resources.memory.limit == 268435456 and .linux.resources.memory.reservation == 1572864 and .linux.resources.memory.swap == 1073741824' "$cfg"
	fi
	run vessel update --memory 64m "$CID"
	assert_success
	jq -e '.linux.resources.memory.limit == 67108864' "$cfg"
	run vessel update --memory -1 "$CID"
	assert_success
	jq -e '.linux.resources.memory.limit == -1' "$cfg"
	run vessel update --cpu-share 512 "$CID"
	assert_success
	jq -e '.linux.resources.cpu.shares == 512' "$cfg"
	run vessel update --pids-limit 50 "$CID"
	assert_success
	jq -e '.linux.resources.pids.limit == 50' "$cfg"
	# accepted, warned about, and nothing set (as runc)
	run vessel update --kernel-memory 64m --kernel-memory-tcp 8m "$CID"
	assert_success
	assert_output --partial "obsolete"
	jq -e '.linux.resources.memory.kernel == null and .linux.resources.memory.kernelTCP == null' "$cfg"
	local bad
	for bad in "--memory 12q" "--memory 1.2.3" "--memory -5" "--cpu-share x" "--cpu-rt-period -1" "--blkio-weight 5" "--pids-limit many"; do
		# shellcheck disable=SC2086
		run vessel update $bad "$CID"
		assert_failure
		assert_output --partial "${bad%% *}:"
		assert_output --partial "invalid value"
	done
	jq -e '.linux.resources.memory.limit == -1 and .linux.resources.pids.limit == 50' "$cfg"
}

@test "update: --l3-cache-schema and --mem-bw-schema fail clearly without resctrl, nothing changed" {
	grep -q ' - resctrl ' /proc/self/mountinfo && skip "resctrl is mounted here"
	set_cmd sleep 1000
	detached vessel run -d "$CID" || fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" running
	run vessel update --pids-limit 20 --l3-cache-schema "L3:0=f" "$CID"
	assert_failure
	assert_output --partial "Intel RDT/CAT: l3 cache schema is not enabled"
	run vessel update --mem-bw-schema "MB:0=70" "$CID"
	assert_failure
	assert_output --partial "Intel RDT/MBA: memory bandwidth schema is not enabled"
	jq -e '.linux.resources.pids.limit == null' "$ROOT/$CID/config.json"
}

# The v1 hierarchy mount of controller $1, or nothing.
v1_mount() {
	awk -v c="$1" '{
		for (i = 1; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) != "cgroup") next
		n = split($(i + 3), o, ",")
		for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

@test "exec --cgroup PATH runs the process in that sub-cgroup of the container's; bad ones are refused" {
	start_detached sleep 1000
	dir=$(cg_dir)
	mkdir "$dir/sub"
	run vessel exec --cgroup sub "$CID" cat /proc/self/cgroup
	assert_success
	assert_line --regexp '^0::/(.*/)?sub$'
	run vessel exec --cgroup /sub "$CID" sh -c 'cat /proc/self/cgroup; sleep 0'
	assert_success
	assert_line --regexp '^0::/(.*/)?sub$'
	run vessel exec --cgroup nosuch "$CID" true
	assert_failure
	assert_output --partial "--cgroup nosuch"
	# runc's words, which tools match
	assert_output --regexp " adding pid .*/nosuch/cgroup.procs: no such file "
	run vessel exec --cgroup ../.. "$CID" true
	assert_failure
	assert_output --partial "is not a sub cgroup path"
	run vessel exec --cgroup sub --cgroup sub "$CID" true
	assert_failure
	assert_output --partial "missing the CONTROLLER: prefix"
	run vessel exec --cgroup a:b:c "$CID" true
	assert_failure
	assert_output --partial "expected [CONTROLLER"
	run vessel exec --cgroup nosuchctrl:sub "$CID" true
	assert_failure
	assert_output --partial "unknown controller nosuchctrl"
	# the plain exec is still in the container's own cgroup
	run vessel exec "$CID" cat /proc/self/cgroup
	assert_success
	refute_line --regexp '^0::/(.*/)?sub$'
}

@test "exec --cgroup CTRL,CTRL:PATH joins v1 sub-cgroups of those controllers (hybrid hosts)" {
	requires cgroup_hybrid
	local mem pids
	mem=$(v1_mount memory)
	pids=$(v1_mount pids)
	[[ -n $mem && -n $pids ]] || skip "needs v1 memory and pids hierarchies"
	start_detached sleep 1000
	rel=$(jq -r .cgroupPath "$ROOT/$CID/state.json")
	mkdir "$mem$rel/sub" "$pids$rel/sub" "$(cg_dir)/sub2"
	run vessel exec --cgroup memory,pids:sub --cgroup :sub2 "$CID" cat /proc/self/cgroup
	assert_success
	assert_line --regexp '^[0-9]+:memory:/(.*/)?sub$'
	assert_line --regexp '^[0-9]+:pids:/(.*/)?sub$'
	assert_line --regexp '^0::/(.*/)?sub2$'
	refute_line --regexp '^[0-9]+:cpu:/(.*/)?sub$'
	run vessel exec --cgroup cpu:sub "$CID" true
	assert_failure
	assert_output --partial "--cgroup cpu:sub"
	assert_output --regexp " adding pid .*/sub/cgroup.procs: no such file "
	# delete --force removes the sub-cgroups, v1 ones included
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$mem$rel" ] || fail "v1 memory cgroup left"
	[ ! -e "$pids$rel" ] || fail "v1 pids cgroup left"
}

# The container's processes make sub-cgroups of their own (a nested
# runtime, systemd) through a writable cgroup2 mount (/sys/fs/cgroup, or
# /sys/fs/cgroup/unified on a hybrid host) and move into them.
subcgroup_script='cg=/sys/fs/cgroup; [ -d $cg/unified ] && cg=$cg/unified; mkdir -p $cg/nested/deeper $cg/empty && { sleep 1000 & echo $! >$cg/nested/deeper/cgroup.procs; }; exec sleep 1000'

subcgroups_made() {
	[[ -d $1/nested/deeper && -d $1/empty && -n $(cat "$1/nested/deeper/cgroup.procs") ]]
}

@test "delete --force removes sub-cgroups the container made, with a cgroup namespace" {
	update_config '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= (map(select(. != "ro")) + ["rw"])'
	start_detached sh -c "$subcgroup_script"
	dir=$(cg_dir)
	retry 50 0.1 subcgroups_made "$dir"
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$dir" ] || fail "cgroup $dir left: $(find "$dir" -type d)"
}

@test "delete --force removes sub-cgroups the container made, without a cgroup namespace" {
	update_config '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= (map(select(. != "ro")) + ["rw"]) | .linux.namespaces |= map(select(.type != "cgroup"))'
	start_detached sh -c "$subcgroup_script"
	dir=$(cg_dir)
	retry 50 0.1 subcgroups_made "$dir"
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$dir" ] || fail "cgroup $dir left: $(find "$dir" -type d)"
}
