# shellcheck shell=bash
# tests/clients/cri-helpers.bash: containerd's CRI plugin driving vessel,
# shared by tests/clients/cri.bats (cgroupfs) and tests/systemd/cri.bats
# (SystemdCgroup = true, systemd as PID 1).  Loads clients-helpers.bash.
#
#   cri_setup_file DISABLE_CGROUP SYSTEMD_CGROUP
#                      after cl_prepare: the busybox image (and a "pause"
#                      tag) as an archive, a private containerd ($CTD_DIR)
#                      with the handler "vessel", the image imported, one
#                      cri-client.py server process ($CRI_SERVER)
#   cri_teardown_file  remove every pod, stop the client and containerd,
#                      sweep shims and sockets; sets CRI_LEAKS (what was
#                      left) for the caller to fail on
#   cri_teardown       per test: leaks, shim sockets, pods still there
#                      (removed), as a failure
#   cri ARGS...        cri-client.py through the server process
#   run_pod            a pod in $CRI_POD_PARENT: POD, POD_JSON
#   new_container NAME CMD-JSON [JQ-FILTER]   CTR, CTR_LOG
#   remove_pod ID, remove_all_pods, ctr_state ID, ctr_exited ID,
#   cgroup_of PID (its cgroup2 path)

# (load resolves names against the test file's directory: tests/systemd's
# suites load this file too)
load "$(dirname "${BASH_SOURCE[0]}")/clients-helpers"

CRI_CLIENT=$(dirname "${BASH_SOURCE[0]}")/cri-client.py

# write_config DIR DISABLE_CGROUP [SYSTEMD_CGROUP]: a containerd config under
# DIR (SYSTEMD_CGROUP true: the shim passes vessel --systemd-cgroup and the
# CRI plugin gives it cgroupsPath "slice:cri-containerd:ID")
write_config() {
	local d=$1 disable_cgroup=$2 systemd_cgroup=${3:-false} p='plugins."io.containerd.grpc.v1.cri"'
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
		        SystemdCgroup = $systemd_cgroup
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

cri_setup_file() {
	local disable_cgroup=$1 systemd_cgroup=$2 layout=$CL_DIR/oci
	cp -a "$BUILDDIR/images/busybox-oci" "$layout"
	add_pause_tag "$layout"
	CRI_ARCHIVE=$CL_DIR/busybox-cri.tar
	tar -C "$layout" -cf "$CRI_ARCHIVE" .
	IMAGE=docker.io/vessel/busybox:latest
	PAUSE_IMAGE=docker.io/vessel/busybox:pause
	CTD_DIR=$CL_DIR/main
	# the API descriptor, read from the containerd binary by the first call
	CRI_API_CACHE=$CL_DIR/cri-api.pb
	CTD_SOCK=$CTD_DIR/containerd.sock
	CL_STATE_ROOTS="$CTD_DIR/runc/k8s.io $CL_DIR/cg/runc/k8s.io"
	export CRI_API_CACHE CRI_ARCHIVE IMAGE PAUSE_IMAGE CTD_DIR CTD_SOCK CL_STATE_ROOTS
	write_config "$CTD_DIR" "$disable_cgroup" "$systemd_cgroup"
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

cri_teardown_file() {
	CRI_LEAKS=
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
	umount -R "$CTD_DIR/root" "$CL_DIR/cg/root" 2>/dev/null || true
	[[ -z $shims ]] || leaks+="${leaks:+$'\n'}shim pids: $shims"
	CRI_LEAKS=$leaks
}

# Every test removes its pods; a pod still there (a failure midway) is
# removed and reported as a leak.
cri_teardown() {
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

# pod_config NAME: a PodSandboxConfig on the host network, in the cgroup
# parent $CRI_POD_PARENT (a path, or a slice name for the systemd driver)
pod_config() {
	jq -n --arg n "$1" --arg logs "$CL_DIR/logs/$1" --arg cg "$CRI_POD_PARENT" '{
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

remove_pod() {
	run cri stopp "$1"
	assert_success
	run cri rmp "$1"
	assert_success
}
