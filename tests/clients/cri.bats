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

load clients-helpers

CRI_CLIENT=$BATS_TEST_DIRNAME/cri-client.py

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

# write_config DIR DISABLE_CGROUP: a containerd config under DIR
write_config() {
	local d=$1 disable_cgroup=$2 p='plugins."io.containerd.grpc.v1.cri"'
	mkdir -p "$d/cni-conf" "$d/cni-bin"
	cat >"$d/config.toml" <<-EOF
		version = 2
		root = "$d/root"
		state = "$d/state"
		[grpc]
		  address = "$d/containerd.sock"
		[ttrpc]
		  address = "$d/containerd.sock.ttrpc"
		[debug]
		  address = ""
		[$p]
		  sandbox_image = "$PAUSE_IMAGE"
		  disable_apparmor = true
		  restrict_oom_score_adj = true
		  disable_cgroup = $disable_cgroup
		  [$p.containerd]
		    default_runtime_name = "vessel"
		    [$p.containerd.runtimes.vessel]
		      runtime_type = "io.containerd.runc.v2"
		      [$p.containerd.runtimes.vessel.options]
		        BinaryName = "$VESSEL"
		        Root = "$d/runc"
		        SystemdCgroup = false
		  [$p.cni]
		    bin_dir = "$d/cni-bin"
		    conf_dir = "$d/cni-conf"
	EOF
}

# start_daemon DIR: containerd with DIR/config.toml; prints its pid
start_daemon() {
	local d=$1 pid
	containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 </dev/null 3>&- &
	pid=$!
	if ! retry 100 0.1 ctr --address "$d/containerd.sock" version >/dev/null; then
		echo "containerd did not start: $(tail -n 5 "$d/containerd.log")" >&2
		stop_daemon "$pid"
		return 1
	fi
	# the image the sandboxes and containers run, in CRI's namespace
	if ! timeout 60 ctr --address "$d/containerd.sock" -n k8s.io images import \
		--base-name docker.io/vessel/busybox "$CRI_ARCHIVE" >/dev/null; then
		echo "ctr images import failed" >&2
		stop_daemon "$pid"
		return 1
	fi
	echo "$pid"
}

stop_daemon() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	retry 100 0.1 sh -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
}

# add_pause_tag LAYOUT: a second manifest, tagged "pause", whose config's
# Cmd is sleep inf (same layer)
add_pause_tag() {
	local l=$1 m cfg sum size
	m=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$l/index.json")
	cfg=$(jq -r '.config.digest | sub("sha256:"; "")' "$l/blobs/sha256/$m")
	jq -c '.config.Cmd = ["sleep", "inf"]' "$l/blobs/sha256/$cfg" >"$l/new"
	sum=$(sha256sum "$l/new" | cut -d' ' -f1) size=$(stat -c %s "$l/new")
	mv "$l/new" "$l/blobs/sha256/$sum"
	jq -c --arg d "sha256:$sum" --argjson s "$size" '.config.digest = $d | .config.size = $s' \
		"$l/blobs/sha256/$m" >"$l/new"
	sum=$(sha256sum "$l/new" | cut -d' ' -f1) size=$(stat -c %s "$l/new")
	mv "$l/new" "$l/blobs/sha256/$sum"
	jq --arg d "sha256:$sum" --argjson s "$size" '.manifests += [.manifests[0] +
		{digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "pause"}}]' \
		"$l/index.json" >"$l/new"
	mv "$l/new" "$l/index.json"
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
	cl_cgroups_snapshot "$CRI_CG_PARENT"
	local layout=$CL_DIR/oci
	cp -a "$BUILDDIR/images/busybox-oci" "$layout"
	add_pause_tag "$layout"
	CRI_ARCHIVE=$CL_DIR/busybox-cri.tar
	tar -C "$layout" -cf "$CRI_ARCHIVE" .
	IMAGE=docker.io/vessel/busybox:latest
	PAUSE_IMAGE=docker.io/vessel/busybox:pause
	CRI_V2=0 CRI_V1=0
	_cri_full_v2 && CRI_V2=1
	_cri_hybrid_v1 && CRI_V1=1
	CTD_DIR=$CL_DIR/main
	# the API descriptor, read from the containerd binary by the first call
	CRI_API_CACHE=$CL_DIR/cri-api.pb
	CTD_SOCK=$CTD_DIR/containerd.sock
	CL_STATE_ROOTS="$CTD_DIR/runc/k8s.io $CL_DIR/cg/runc/k8s.io"
	export CRI_API_CACHE CRI_CG_PARENT CRI_ARCHIVE IMAGE PAUSE_IMAGE CRI_V2 CRI_V1 CTD_DIR CTD_SOCK CL_STATE_ROOTS
	write_config "$CTD_DIR" "$( ((CRI_V2 || CRI_V1)) && echo false || echo true)"
	CL_DAEMON_PID=$(start_daemon "$CTD_DIR") || fail "containerd with CRI did not start"
	# One client process makes the calls: a python start with grpc costs
	# ~0.4 s here and 10+ s in the TCG VM, a forwarding one a tenth of
	# that.  Its socket is outside $CL_DIR, so the leak check skips it.
	CRI_SERVER=$BATS_FILE_TMPDIR/cri-client.sock
	CRI_SOCKET=$CTD_SOCK "$CRI_CLIENT" serve "$CRI_SERVER" >"$CL_DIR/cri-client.log" 2>&1 </dev/null 3>&- &
	CRI_SERVER_PID=$!
	export CL_DAEMON_PID CRI_SERVER CRI_SERVER_PID
	retry 100 0.1 test -S "$CRI_SERVER" || fail "cri-client.py serve did not start: $(cat "$CL_DIR/cri-client.log")"
}

teardown_file() {
	[[ -n ${CL_DAEMON_PID:-} ]] || return 0
	remove_all_pods >/dev/null
	kill "$CRI_SERVER_PID" 2>/dev/null
	stop_daemon "$CL_DAEMON_PID"
	[[ -f $CL_DIR/cg/pid ]] && stop_daemon "$(cat "$CL_DIR/cg/pid")"
	local leaks shims s
	leaks=$(cl_leaks)
	shims=$(pgrep -f "containerd-shim-runc-v2 -namespace k8s.io .*-address $CL_DIR/" || true)
	for s in $shims; do
		kill -KILL "$s"
	done
	# only this file's (exact names): a suite alongside has its own
	for s in $(shim_sockets); do
		leaks+="${leaks:+$'\n'}shim socket $s"
		rm -f "$s"
	done
	cl_cgroups_restore "$CRI_CG_PARENT"
	umount -R "$CTD_DIR/root" "$CL_DIR/cg/root" 2>/dev/null || true
	[[ -z $leaks && -z $shims ]] || fail "left behind after stopping containerd:
$leaks${shims:+
shim pids: $shims}"
}

setup() {
	[[ -z ${CL_SKIP:-} ]] || skip "$CL_SKIP"
}

# Every test removes its pods; a pod still there (a failure midway) is
# removed and reported as a leak.
teardown() {
	[[ -z ${CL_SKIP:-} ]] || return 0
	local leaks socks pods
	leaks=$(cl_lasting_leaks)
	socks=$(shim_sockets)
	[[ -z $socks ]] || leaks+="${leaks:+$'\n'}shim sockets: $socks"
	pods=$(remove_all_pods)
	[[ -z $pods ]] || leaks+="${leaks:+$'\n'}pods still in containerd: $pods"
	[[ -z $leaks ]] || fail "left behind: $leaks"
}

# shim_sockets: the shim sockets of this file's pods that exist (run_pod
# lists them: the pods' containers share the pod's shim)
shim_sockets() {
	local s
	[[ -f $CL_DIR/shim-sockets ]] || return 0
	while read -r s; do
		[[ -e $s ]] && echo "$s"
	done <"$CL_DIR/shim-sockets"
	return 0
}

# cri ARGS...: cri-client.py ARGS through the suite's client process (its
# --socket is the main daemon's unless ARGS name another)
cri() {
	CRI_SERVER=$CRI_SERVER timeout 60 "$CRI_CLIENT" "$@"
}

# remove_all_pods: stop and remove every pod, printing their ids
remove_all_pods() {
	local p
	for p in $(cri call RuntimeService/ListPodSandbox '{}' | jq -r '.items[]?.id'); do
		echo "$p"
		cri stopp "$p" >/dev/null
		cri rmp "$p" >/dev/null
	done
}

# pod_config NAME: a PodSandboxConfig on the host network
pod_config() {
	jq -n --arg n "$1" --arg logs "$CL_DIR/logs/$1" --arg cg "/$CRI_CG_PARENT" '{
		metadata: {name: $n, namespace: "vessel-test", uid: ("uid-" + $n)},
		logDirectory: $logs,
		linux: {cgroupParent: $cg, securityContext: {namespaceOptions: {network: "NODE"}}}}'
}

# run_pod [DAEMON-SOCKET]: a new pod; sets POD (its id) and POD_JSON (its
# config file); the ids go to the leak check's list
run_pod() {
	local name
	name=$(cl_new_name)
	POD_JSON=$CL_DIR/$name.pod.json
	pod_config "$name" >"$POD_JSON"
	run cri runp --runtime vessel "$POD_JSON"
	assert_success
	POD=$(jq -r .podSandboxId <<<"$output")
	echo "$POD" >>"$CL_DIR/ids"
	# The shim's socket is /run/containerd/s/<sha256 of "ADDRESS/NAMESPACE/
	# ID">, whatever the config says; the shim removes it when it exits.
	local sum
	read -r sum _ < <(printf '%s' "$CTD_SOCK/k8s.io/$POD" | sha256sum)
	echo "/run/containerd/s/$sum" >>"$CL_DIR/shim-sockets"
}

# new_container NAME CMD-JSON [JQ-FILTER]: create a container in $POD; sets
# CTR and CTR_LOG
new_container() {
	local name=$1 cmd=$2 filter=${3:-.} cfg=$CL_DIR/$POD.$1.json
	jq -n --arg n "$name" --arg img "$IMAGE" --argjson cmd "$cmd" '{
		metadata: {name: $n}, image: {image: $img}, command: $cmd, logPath: ($n + ".log")}' |
		jq "$filter" >"$cfg"
	run cri create "$POD" "$cfg" "$POD_JSON"
	assert_success
	CTR=$(jq -r .containerId <<<"$output")
	CTR_LOG=$(jq -r .logDirectory "$POD_JSON")/$name.log
	echo "$CTR" >>"$CL_DIR/ids"
}

ctr_state() {
	cri status "$1" | jq -r .status.state
}

ctr_exited() {
	[[ $(ctr_state "$1") == CONTAINER_EXITED ]]
}

# cgroup_of PID: the cgroup2 path of a process
cgroup_of() {
	awk -F: '$1 == 0 { print $3 }' "/proc/$1/cgroup"
}

# v1_cgroup_of PID CONTROLLER: its v1 cgroup directory
v1_cgroup_of() {
	local rel
	rel=$(awk -F: -v c="$2" '{ n = split($2, o, ","); for (i = 1; i <= n; i++) if (o[i] == c) print $3 }' "/proc/$1/cgroup")
	echo "/sys/fs/cgroup/$2$rel"
}

remove_pod() {
	run cri stopp "$1"
	assert_success
	run cri rmp "$1"
	assert_success
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
