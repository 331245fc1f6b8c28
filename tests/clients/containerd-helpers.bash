# shellcheck shell=bash
# tests/clients/containerd-helpers.bash: a private containerd (Debian's
# 1.6) for the suites that drive vessel through the io.containerd.runc.v2
# shim (containerd.bats, containerd-checkpoint.bats).  The daemon has its
# own config, root, state and socket under $CL_DIR, started once per file
# (ctd_setup_file), stopped in ctd_teardown_file.  ctr run --runc-binary
# sets the shim's BinaryName, the same option config.toml sets
# (docs/clients.md).
#
# The shim keeps vessel's state under /run/containerd/runc/<namespace> and
# its sockets in /run/containerd/s/ whatever the config says; the namespace
# is unique to this run, and both are checked and cleaned at the end.
#
# Functions:
#   ctd_setup_file         start containerd, import the busybox image as
#                          $IMAGE (or record why not in CL_SKIP)
#   ctd_teardown_file      stop it, fail on what it left
#   ctd_teardown           after a test: fail on leaks, remove what is left
#   ctr_ ARGS...           ctr against this daemon and namespace
#   ctr_run ARGS...        ctr run with vessel as the shim's runtime
#   start_task NAME CMD... a detached task, running when this returns
#   task_status NAME       RUNNING, PAUSED, STOPPED...
#   remove_task NAME       kill, delete the task, remove the container

load clients-helpers

ctd_setup_file() {
	CL_SKIP=$(cl_missing containerd ctr script)
	export CL_SKIP
	[[ -z $CL_SKIP ]] || return 0
	cl_prepare
	CTD_NS=vessel-test-$$
	cl_cgroups_snapshot "$CTD_NS"
	CTD_SOCK=$CL_DIR/containerd.sock
	CL_STATE_ROOTS=/run/containerd/runc/$CTD_NS
	mkdir -p /run/containerd/s
	ls /run/containerd/s >"$CL_DIR/shim-sockets-before"
	cat >"$CL_DIR/config.toml" <<-EOF
		version = 2
		root = "$CL_DIR/root"
		state = "$CL_DIR/state"
		# the CRI plugin wants CNI and a sandbox image; ctr needs neither
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTD_SOCK"
		[ttrpc]
		  address = "$CTD_SOCK.ttrpc"
		[debug]
		  address = ""
	EOF
	containerd --config "$CL_DIR/config.toml" >"$CL_DIR/containerd.log" 2>&1 </dev/null 3>&- &
	CL_DAEMON_PID=$!
	export CTD_NS CTD_SOCK CL_STATE_ROOTS CL_DAEMON_PID
	retry 100 0.1 ctr --address "$CTD_SOCK" version >/dev/null ||
		fail "containerd did not start: $(tail -n 5 "$CL_DIR/containerd.log")"
	ctr_ images import --base-name docker.io/vessel/busybox "$CL_OCI_ARCHIVE" >/dev/null ||
		fail "ctr images import failed"
	IMAGE=docker.io/vessel/busybox:latest
	export IMAGE
}

ctd_teardown_file() {
	[[ -n ${CL_DAEMON_PID:-} ]] || return 0
	local c
	for c in $(ctr_ containers ls -q 2>/dev/null); do
		ctr_ task kill -s KILL "$c" >/dev/null 2>&1
		ctr_ task delete -f "$c" >/dev/null 2>&1
		ctr_ containers rm "$c" >/dev/null 2>&1
	done
	ctr_ images rm "$IMAGE" >/dev/null 2>&1
	kill -TERM "$CL_DAEMON_PID"
	retry 100 0.1 sh -c "! kill -0 $CL_DAEMON_PID 2>/dev/null" || kill -KILL "$CL_DAEMON_PID"
	wait "$CL_DAEMON_PID" 2>/dev/null || true
	local leaks shims s
	leaks=$(cl_leaks)
	shims=$(pgrep -f "containerd-shim-runc-v2 -namespace $CTD_NS " || true)
	for s in $shims; do
		kill -KILL "$s"
	done
	cl_sweep_shim_sockets "$CL_DIR/shim-sockets-before"
	rmdir "/run/containerd/runc/$CTD_NS" 2>/dev/null || true
	# the shim's cgroupsPath is /<namespace>/<id>: vessel removes the
	# leaves and the parents it marked; a parent it could not mark stays
	cl_cgroups_restore "$CTD_NS"
	umount -R "$CL_DIR/root" 2>/dev/null || true
	[[ -z $leaks && -z $shims ]] || fail "left behind after stopping containerd:
$leaks${shims:+
shim pids: $shims}"
}

# Every test removes its container; whatever is left (a failure midway) is
# force-removed and reported as a leak.
ctd_teardown() {
	[[ -z ${CL_SKIP:-} ]] || return 0
	local c leaks
	# a shim exits a moment after its last task is deleted
	leaks=$(cl_lasting_leaks)
	for c in $(ctr_ containers ls -q 2>/dev/null); do
		leaks+="${leaks:+$'\n'}container $c still in containerd"
		ctr_ task kill -s KILL "$c" >/dev/null 2>&1
		ctr_ task delete -f "$c" >/dev/null 2>&1
		ctr_ containers rm "$c" >/dev/null 2>&1
	done
	[[ -z $leaks ]] || fail "left behind: $leaks"
}

ctr_() {
	timeout 60 ctr --address "$CTD_SOCK" --namespace "$CTD_NS" "$@"
}

# ctr_run ARGS... IMAGE-ARGS: `ctr run` with vessel as the shim's runtime.
ctr_run() {
	ctr_ run --runc-binary "$VESSEL" "$@"
}

# start_task NAME CMD...: a detached task, running when this returns.
start_task() {
	local name=$1
	shift
	ctr_run -d "$IMAGE" "$name" "$@" >/dev/null 2>&1 </dev/null || fail "ctr run -d $name failed"
	retry 50 0.1 sh -c "ctr --address $CTD_SOCK --namespace $CTD_NS task ls | grep -q '^$name .*RUNNING'"
}

task_status() {
	ctr_ task ls | awk -v n="$1" '$1 == n { print $3 }'
}

remove_task() {
	local name=$1
	ctr_ task kill -s KILL "$name" >/dev/null 2>&1 || true
	retry 50 0.1 sh -c "ctr --address $CTD_SOCK --namespace $CTD_NS task ls | grep -q '^$name .*STOPPED'"
	run ctr_ task delete "$name"
	assert_success
	run ctr_ containers rm "$name"
	assert_success
}
