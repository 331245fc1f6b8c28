#!/usr/bin/env bats
# vessel behind containerd 1.6's CRI plugin, the way the kubelet reaches it:
# CRI RPCs (cri-client.py, a small crictl of our own: Debian has no crictl)
# to a private containerd whose CRI runtime handler "vessel" is the runc v2
# shim with BinaryName = $VESSEL and Root = $CL_DIR/runc (vessel's --root).
#
# Choices, and why:
# - pods use the host network (NamespaceOption network NODE), so no CNI
#   plugin runs; conf_dir and bin_dir point at empty private dirs.
# - the sandbox ("pause") image is the busybox test image re-tagged "pause"
#   with Cmd ["sleep", "inf"]: the pause container must stay up (the pod's
#   namespaces are its), and busybox's default sh exits at once.
# - restrict_oom_score_adj: the sandbox asks oom_score_adj -998, which this
#   host refuses without CAP_SYS_RESOURCE (runc alike).
# - cgroups: the CRI plugin gives vessel its cgroups and limits (cgroupsPath
#   /$CRI_CG_PARENT/<id>) where the cgroup2 tree has cpu, memory and pids
#   (the VM), and on a hybrid host whose v1 hierarchies have them: vessel
#   writes cpu, memory and pids limits to the v1 cgroups there (the
#   sandbox's cpu shares 2 is v1 cpu.shares 2).  Elsewhere the daemon runs
#   with disable_cgroup.

load cri-helpers

# a hybrid host: cpu, memory and pids not in cgroup2 but in v1 hierarchies
_cri_hybrid_v1() {
	local cg2 c
	cg2=$(cgroup2_mount)
	[[ -n $cg2 ]] || return 1
	for c in cpu memory pids; do
		grep -qw "$c" "$cg2/cgroup.controllers" 2>/dev/null && return 1
		grep -q " - cgroup .*[ ,]$c\(,\|\$\)" /proc/self/mountinfo || return 1
	done
}

# cgroup2 with the controllers CRI's limits need: the VM, a v2 host
_cri_full_v2() {
	local cg2 c
	cg2=$(cgroup2_mount)
	[[ -n $cg2 ]] || return 1
	for c in cpu memory pids; do
		grep -qw "$c" "$cg2/cgroup.controllers" 2>/dev/null || return 1
	done
}

setup_file() {
	CL_SKIP=$(cl_missing containerd ctr)
	if [[ -z $CL_SKIP ]] && ! /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null; then
		CL_SKIP="needs python3-grpcio and python3-protobuf (scripts/install-deps)"
	fi
	export CL_SKIP
	[[ -z $CL_SKIP ]] || return 0
	cl_prepare
	CRI_CG_PARENT=vessel-cri-$$
	CRI_POD_PARENT=/$CRI_CG_PARENT
	cl_cgroups_snapshot "$CRI_CG_PARENT"
	CRI_V2=0 CRI_V1=0
	_cri_full_v2 && CRI_V2=1
	_cri_hybrid_v1 && CRI_V1=1
	export CRI_CG_PARENT CRI_POD_PARENT CRI_V2 CRI_V1
	cri_setup_file "$( ((CRI_V2 || CRI_V1)) && echo false || echo true)" false
}

teardown_file() {
	[[ -n ${CL_DAEMON_PID:-} ]] || return 0
	cri_teardown_file
	cl_cgroups_restore "$CRI_CG_PARENT"
	[[ -z $CRI_LEAKS ]] || fail "left behind after stopping containerd:
$CRI_LEAKS"
}

setup() {
	[[ -z ${CL_SKIP:-} ]] || skip "$CL_SKIP"
}

teardown() {
	[[ -z ${CL_SKIP:-} ]] || return 0
	cri_teardown
}

# v1_cgroup_of PID CONTROLLER: its v1 cgroup directory
v1_cgroup_of() {
	local rel
	rel=$(awk -F: -v c="$2" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$1/cgroup")
	echo "/sys/fs/cgroup/$2$rel"
}

@test "cri: Version names containerd and CRI runtime.v1; the handler is vessel" {
	run cri version
	assert_success
	assert_equal "$(jq -r .runtimeName <<<"$output")" containerd
	assert_equal "$(jq -r .runtimeApiVersion <<<"$output")" v1
	run cri call RuntimeService/Status '{"verbose": true}'
	assert_success
	# the CRI plugin's own view of its config: vessel is the default handler
	cfg=$(jq -r .info.config <<<"$output")
	assert_equal "$(jq -r .containerd.defaultRuntimeName <<<"$cfg")" vessel
	assert_equal "$(jq -r .containerd.runtimes.vessel.runtimeType <<<"$cfg")" io.containerd.runc.v2
	assert_equal "$(jq -r .containerd.runtimes.vessel.options.BinaryName <<<"$cfg")" "$VESSEL"
	assert_equal "$(jq -r .disableCgroup <<<"$cfg")" "$( ((CRI_V2 || CRI_V1)) && echo false || echo true)"
	run jq -e '.status.conditions[] | select(.type == "RuntimeReady") | .status' <<<"$output"
	assert_output true
}

@test "cri: a pod and a busybox container: run, status, exec-sync, stop, remove" {
	run_pod
	new_container c1 '["sh", "-c", "echo started; exec sleep 1000"]'
	run cri start "$CTR"
	assert_success
	assert_equal "$(ctr_state "$CTR")" CONTAINER_RUNNING
	# vessel ran it: its state is under the handler's Root
	run "$VESSEL" --root "$CTD_DIR/runc/k8s.io" state "$CTR"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	assert_equal "$(jq -r '.annotations["io.kubernetes.cri.sandbox-id"]' <<<"$output")" "$POD"
	run cri exec-sync "$CTR" sh -c 'echo out; echo err >&2; exit 3'
	assert_equal "$status" 3
	assert_line out
	assert_line err
	# the container joined the pod's pid namespace, whose init is the pause
	run cri exec-sync "$CTR" sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_success
	assert_output "sleep inf "
	retry 50 0.1 grep -q ' stdout F started$' "$CTR_LOG"
	run cri stop "$CTR"
	assert_success
	run cri status "$CTR"
	assert_equal "$(jq -r .status.state <<<"$output")" CONTAINER_EXITED
	assert_equal "$(jq -r .status.exitCode <<<"$output")" 137
	run cri rm "$CTR"
	assert_success
	[[ ! -e $CTD_DIR/runc/k8s.io/$CTR ]] || fail "vessel's state of $CTR is left"
	remove_pod "$POD"
}

@test "cri: a container's own exit code; StopContainer sends TERM before KILL" {
	run_pod
	new_container exits '["sh", "-c", "echo bye; exit 7"]'
	run cri start "$CTR"
	assert_success
	retry 100 0.1 ctr_exited "$CTR"
	assert_equal "$(cri status "$CTR" | jq -r .status.exitCode)" 7
	retry 50 0.1 grep -q ' stdout F bye$' "$CTR_LOG"

	new_container trap '["sh", "-c", "trap \"exit 9\" TERM; while :; do sleep 0.1; done"]'
	run cri start "$CTR"
	assert_success
	run cri stop -t 30 "$CTR"
	assert_success
	assert_equal "$(cri status "$CTR" | jq -r .status.exitCode)" 9
	remove_pod "$POD"
}

# CRI builds its own spec (not ctr's): the securityContext fields and the
# runtime's default seccomp profile must reach the process.
@test "cri: a container's securityContext: user, read-only root, capabilities, seccomp, no_new_privs" {
	run_pod
	new_container sec '["sleep", "1000"]' '.linux.securityContext = {
		runAsUser: {value: 1000}, readonlyRootfs: true, noNewPrivs: true,
		capabilities: {dropCapabilities: ["ALL"], addCapabilities: ["NET_RAW"]},
		seccomp: {profileType: "RuntimeDefault"}}'
	run cri start "$CTR"
	assert_success
	run cri exec-sync "$CTR" id -u
	assert_success
	assert_output 1000
	run cri exec-sync "$CTR" grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status
	assert_success
	assert_line --regexp '^CapEff:[[:space:]]+0000000000000000$'
	# NET_RAW is bit 13
	assert_line --regexp '^CapBnd:[[:space:]]+0000000000002000$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	run cri exec-sync "$CTR" touch /x
	assert_failure
	assert_output "touch: /x: Read-only file system"
	remove_pod "$POD"
}

@test "cri: ContainerStats reads the container's own cgroup" {
	run_pod
	new_container stats '["sleep", "1000"]'
	run cri start "$CTR"
	assert_success
	run cri stats "$CTR"
	assert_success
	usage=$(jq -r .stats.memory.usageBytes.value <<<"$output")
	cpu=$(jq -r .stats.cpu.usageCoreNanoSeconds.value <<<"$output")
	# a sleep's cgroup, not the host's or the shim's
	[[ $usage -gt 0 && $usage -lt $((64 << 20)) ]] || fail "memory usage $usage: not the container's cgroup"
	[[ $cpu -gt 0 ]] || fail "no cpu usage in: $output"
	remove_pod "$POD"
}

# The limit is applied at create and changed by UpdateContainerResources:
# in cgroup2 (v2 host, the VM), or in the v1 memory cgroup (hybrid host).
# Without either the daemon runs without cgroups (see the top), where the
# CRI plugin drops a container's limits.
@test "cri: a container with a memory limit, and UpdateContainerResources" {
	((CRI_V2 || CRI_V1)) || skip "neither cgroup2 nor v1 has the memory controller"
	run_pod
	new_container mem '["sleep", "1000"]' '.linux.resources.memoryLimitInBytes = 67108864'
	run cri start "$CTR"
	assert_success
	pid=$("$VESSEL" --root "$CTD_DIR/runc/k8s.io" state "$CTR" | jq -r .pid)
	if ((CRI_V2)); then
		cg=$(cgroup2_mount)$(cgroup_of "$pid")
		assert_equal "$cg" "$(cgroup2_mount)/$CRI_CG_PARENT/$CTR"
		file=$cg/memory.max
	else
		cg=$(v1_cgroup_of "$pid" memory)
		assert_equal "$cg" "/sys/fs/cgroup/memory/$CRI_CG_PARENT/$CTR"
		file=$cg/memory.limit_in_bytes
	fi
	assert_equal "$(cat "$file")" 67108864
	run cri update "$CTR" '{"memoryLimitInBytes": 134217728}'
	assert_success
	assert_equal "$(cat "$file")" 134217728
	assert_equal "$(ctr_state "$CTR")" CONTAINER_RUNNING
	remove_pod "$POD"
}

# containerd gives every sandbox cpu shares 2: cpu.weight 1 on cgroup v2,
# cpu.shares 2 in the v1 cpu cgroup on a hybrid host.
@test "cri: the pod sandbox's cgroup (cpu shares 2): applied on cgroup v2 and on a hybrid host" {
	((CRI_V2 || CRI_V1)) || skip "neither cgroup2 nor v1 has the cpu controller"
	run_pod
	pid=$("$VESSEL" --root "$CTD_DIR/runc/k8s.io" state "$POD" | jq -r .pid)
	if ((CRI_V2)); then
		cg=$(cgroup2_mount)$(cgroup_of "$pid")
		assert_equal "$cg" "$(cgroup2_mount)/$CRI_CG_PARENT/$POD"
		assert_equal "$(cat "$cg/cpu.weight")" 1
	else
		cg=$(v1_cgroup_of "$pid" cpu)
		assert_equal "$cg" "/sys/fs/cgroup/cpu/$CRI_CG_PARENT/$POD"
		assert_equal "$(cat "$cg/cpu.shares")" 2
	fi
	remove_pod "$POD"
	[[ ! -e $cg ]] || fail "the sandbox's cgroup $cg is left"
}

@test "cri: a failing start (missing binary) reports vessel's error through CRI" {
	run_pod
	new_container nobin '["/no/such/binary"]'
	# CRI's CreateContainer only records the container: vessel's create runs
	# at StartContainer
	run cri start "$CTR"
	assert_failure
	msg='OCI runtime create failed: create: init step executable: exec "/no/such/binary": stat /no/such/binary: no such file or directory'
	assert_output --partial "cri-client: StartContainer: UNKNOWN: failed to create containerd task: failed to create shim task: $msg"
	run cri status "$CTR"
	assert_success
	assert_equal "$(jq -r .status.state <<<"$output")" CONTAINER_EXITED
	assert_equal "$(jq -r .status.reason <<<"$output")" StartError
	assert_equal "$(jq -r .status.exitCode <<<"$output")" 128
	assert_equal "$(jq -r .status.message <<<"$output")" \
		"failed to create containerd task: failed to create shim task: $msg: unknown"
	[[ ! -e $CTD_DIR/runc/k8s.io/$CTR ]] || fail "vessel's state of $CTR is left"
	run cri rm "$CTR"
	assert_success
	remove_pod "$POD"
}

@test "cri: StopPodSandbox and RemovePodSandbox with running containers leave nothing" {
	run_pod
	new_container a '["sleep", "1000"]'
	a=$CTR
	new_container b '["sh", "-c", "sleep 1000 & exec sleep 1001"]'
	b=$CTR
	run cri start "$a"
	assert_success
	run cri start "$b"
	assert_success
	[[ -d $CTD_DIR/runc/k8s.io/$a && -d $CTD_DIR/runc/k8s.io/$POD ]] || fail "no vessel state for the pod"
	run cri stopp "$POD"
	assert_success
	assert_equal "$(ctr_state "$a")" CONTAINER_EXITED
	assert_equal "$(ctr_state "$b")" CONTAINER_EXITED
	run cri rmp "$POD"
	assert_success
	run cri call RuntimeService/ListContainers '{}'
	assert_output '{}'
	leaks=$(cl_lasting_leaks)
	[[ -z $leaks ]] || fail "left behind: $leaks"
}
