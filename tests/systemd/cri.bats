#!/usr/bin/env bats
# vessel behind containerd's CRI plugin with SystemdCgroup = true, against
# systemd as PID 1 (tests/vm/run-suites systemd/vm): the runc v2 shim runs
# vessel --systemd-cgroup, and the CRI plugin gives it cgroupsPath
# "SLICE:cri-containerd:ID" for a pod whose cgroupParent is a slice, the
# name the kubelet's systemd driver sends ("kubepods-besteffort-pod<uid>
# .slice").  Every container (the pause one too) is a scope in the pod's
# slice, its limits unit properties; stop and remove leave no unit.  The
# limits' enforcement under the driver is systemd/vm-cgroup's (the cgroup
# suites again with --systemd-cgroup).  Lean on purpose: each CRI call costs
# seconds under TCG.

load ../clients/cri-helpers

setup_file() {
	CL_SKIP=$(cl_missing containerd ctr systemctl)
	if [[ -z $CL_SKIP && ! -d /run/systemd/system ]]; then
		CL_SKIP="systemd is not PID 1 here (tests/vm/run-suites systemd/vm boots it)"
	elif [[ -z $CL_SKIP ]] && ! grep -qw memory "$(cgroup2_mount)/cgroup.controllers" 2>/dev/null; then
		CL_SKIP="needs the memory controller in the cgroup2 tree"
	elif [[ -z $CL_SKIP ]] && ! /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null; then
		CL_SKIP="needs python3-grpcio and python3-protobuf (scripts/install-deps)"
	fi
	export CL_SKIP
	[[ -z $CL_SKIP ]] || return 0
	cl_prepare
	# the kubelet's shape: a pod slice inside a parent slice
	CRI_TOP_SLICE=vsdcri$$.slice
	CRI_POD_PARENT=vsdcri$$-pod.slice
	CRI_SLICE_PATH=$(cgroup2_mount)/$CRI_TOP_SLICE/$CRI_POD_PARENT
	export CRI_TOP_SLICE CRI_POD_PARENT CRI_SLICE_PATH
	cri_setup_file false true
}

teardown_file() {
	[[ -n ${CL_DAEMON_PID:-} ]] || return 0
	cri_teardown_file
	# the slices systemd made for the pods (a slice stays until stopped)
	systemctl stop "$CRI_TOP_SLICE"
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

init_pid() {
	"$VESSEL" --root "$CTD_DIR/runc/k8s.io" state "$1" | jq -r .pid
}

# unit_gone UNIT: systemd no longer knows it and its cgroup is gone
unit_gone() {
	[[ $(systemctl show -P LoadState "$1") == not-found ]] ||
		fail "$1 is still loaded: $(systemctl show -p ActiveState -p SubState "$1")"
	[[ ! -e $CRI_SLICE_PATH/$1 ]] || fail "$1's cgroup is left"
}

@test "cri systemd: the pod's and the container's scopes in the pod slice; memory limit and update as MemoryMax; stop and remove leave no unit" {
	run_pod
	assert_equal "$(cgroup_of "$(init_pid "$POD")")" "${CRI_SLICE_PATH#"$(cgroup2_mount)"}/cri-containerd-$POD.scope"
	new_container mem '["sleep", "1000"]' '.linux.resources.memoryLimitInBytes = 67108864'
	run cri start "$CTR"
	assert_success
	unit=cri-containerd-$CTR.scope
	cg=$CRI_SLICE_PATH/$unit
	assert_equal "$(cgroup2_mount)$(cgroup_of "$(init_pid "$CTR")")" "$cg"
	run systemctl show -p ActiveState -p Slice -p Delegate -p MemoryMax "$unit"
	assert_line ActiveState=active
	assert_line "Slice=$CRI_POD_PARENT"
	assert_line Delegate=yes
	assert_line MemoryMax=67108864
	assert_equal "$(cat "$cg/memory.max")" 67108864
	# UpdateContainerResources: vessel --systemd-cgroup update, a property
	# that a daemon-reload (which rewrites the files from them) keeps
	run cri update "$CTR" '{"memoryLimitInBytes": 134217728}'
	assert_success
	assert_equal "$(systemctl show -P MemoryMax "$unit")" 134217728
	systemctl daemon-reload
	assert_equal "$(cat "$cg/memory.max")" 134217728
	# ContainerStats: the shim reads the scope's cgroup
	run cri stats "$CTR"
	assert_success
	usage=$(jq -r .stats.memory.usageBytes.value <<<"$output")
	[[ $usage -gt 0 && $usage -lt $((64 << 20)) ]] || fail "memory usage $usage: not the container's cgroup"
	run cri stop "$CTR"
	assert_success
	run cri rm "$CTR"
	assert_success
	unit_gone "$unit"
	remove_pod "$POD"
	unit_gone "cri-containerd-$POD.scope"
}

@test "cri systemd: a failing start leaves no scope; StopPodSandbox with a running container removes every scope" {
	run_pod
	new_container nobin '["/no/such/binary"]'
	run cri start "$CTR"
	assert_failure
	assert_output --partial 'exec "/no/such/binary"'
	unit_gone "cri-containerd-$CTR.scope"
	run cri rm "$CTR"
	assert_success
	new_container up '["sleep", "1000"]'
	run cri start "$CTR"
	assert_success
	assert_equal "$(systemctl show -P ActiveState "cri-containerd-$CTR.scope")" active
	remove_pod "$POD"
	unit_gone "cri-containerd-$CTR.scope"
	unit_gone "cri-containerd-$POD.scope"
}
