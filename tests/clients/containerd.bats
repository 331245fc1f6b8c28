#!/usr/bin/env bats
# vessel behind a real containerd (Debian's 1.6) through the
# io.containerd.runc.v2 shim, driven with ctr, as Kubernetes and nerdctl
# reach it.  The daemon is private: its own config, root, state and socket
# under $CL_DIR, started once for the file, stopped in teardown_file.  ctr
# run --runc-binary sets the shim's BinaryName, the same option config.toml
# sets (docs/clients.md).
#
# The shim keeps vessel's state under /run/containerd/runc/<namespace> and
# its sockets in /run/containerd/s/ whatever the config says; the namespace
# is unique to this run, and both are checked and cleaned at the end.

load clients-helpers

setup_file() {
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

teardown_file() {
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

setup() {
	[[ -z ${CL_SKIP:-} ]] || skip "$CL_SKIP"
}

# Every test removes its container; whatever is left (a failure midway) is
# force-removed and reported as a leak.
teardown() {
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

@test "containerd: run to completion: output and exit code reach ctr" {
	name=$(cl_new_name)
	run ctr_run --rm "$IMAGE" "$name" sh -c 'echo hello from vessel; exit 3'
	assert_equal "$status" 3
	assert_output "hello from vessel"
	[ -z "$(ctr_ containers ls -q)" ]
}

# fd 3 of `vessel create` is the shim's listening socket: O_CLOEXEC in the
# shim, but a runtime that passed extra fds would hand it to the container.
@test "containerd: the container gets stdio only, not the shim's fds" {
	name=$(cl_new_name)
	# the init's fds, seen from an exec: a shell listing its own would race
	# with the pipe it makes for the listing
	start_task "$name" sleep 1000
	run ctr_ task exec --exec-id fds "$name" ls /proc/1/fd
	assert_success
	assert_equal "$(tr '\n' ' ' <<<"$output")" "0 1 2 "
	remove_task "$name"
}

@test "containerd: run -d, task exec with its exit code, exec --tty through a pty" {
	name=$(cl_new_name)
	start_task "$name" sleep 1000
	run ctr_ task exec --exec-id e1 "$name" sh -c 'echo in-exec; exit 4'
	assert_equal "$status" 4
	assert_output "in-exec"
	# the exec joins the init's pid namespace
	run ctr_ task exec --exec-id e2 "$name" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	assert_success
	assert_output "sleep 1000 "
	# ctr -t needs a terminal of its own: script gives it one
	run timeout 60 script -qec "ctr --address $CTD_SOCK --namespace $CTD_NS task exec --exec-id e3 -t $name sh -c 'tty; exit 5'" /dev/null </dev/null
	assert_equal "$status" 5
	assert_output --partial "/dev/pts/"
	remove_task "$name"
}

@test "containerd: task ps, pause and resume" {
	name=$(cl_new_name)
	start_task "$name" sh -c 'sleep 1000 & sleep 1000'
	init=$(ctr_ task ls | awk -v n="$name" '$1 == n { print $2 }')
	run ctr_ task ps "$name"
	assert_success
	assert_line --regexp "^$init +"
	[ "$(echo "$output" | grep -cE '^[0-9]+ ')" -eq 2 ] || fail "expected 2 processes (sh execs its last command): $output"
	run ctr_ task pause "$name"
	assert_success
	[ "$(task_status "$name")" = PAUSED ]
	cg=$(awk -F: '$1 == 0 { print $3 }' "/proc/$init/cgroup")
	grep -qx 'frozen 1' "$(cgroup2_mount)$cg/cgroup.events" || fail "cgroup $cg is not frozen"
	run ctr_ task resume "$name"
	assert_success
	[ "$(task_status "$name")" = RUNNING ]
	remove_task "$name"
}

@test "containerd: task kill (TERM to the init), kill --all, delete" {
	name=$(cl_new_name)
	start_task "$name" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	run ctr_ task kill "$name"
	assert_success
	retry 50 0.1 sh -c "ctr --address $CTD_SOCK --namespace $CTD_NS task ls | grep -q '^$name .*STOPPED'"
	run ctr_ task delete "$name"
	assert_success
	assert_output --partial "7"
	run ctr_ containers rm "$name"
	assert_success

	name=$(cl_new_name)
	start_task "$name" sh -c 'sleep 1000 & trap "" TERM; while :; do sleep 1; done'
	run ctr_ task kill --all -s KILL "$name"
	assert_success
	retry 50 0.1 sh -c "ctr --address $CTD_SOCK --namespace $CTD_NS task ls | grep -q '^$name .*STOPPED'"
	# the shim maps "container not running" to "process already finished"
	run ctr_ task kill -s KILL "$name"
	assert_failure
	assert_output --partial "process already finished"
	run ctr_ task delete "$name"
	assert_success
	run ctr_ containers rm "$name"
	assert_success
}

@test "containerd: task metrics reads the container's cgroup" {
	name=$(cl_new_name)
	start_task "$name" sleep 1000
	run ctr_ task metrics "$name"
	assert_success
	# v1 (hybrid host): memory.usage_in_bytes; v2: memory.usage
	usage=$(echo "$output" | awk '$1 == "memory.usage_in_bytes" || $1 == "memory.usage" { print $2 }')
	[ -n "$usage" ] || fail "no memory usage in: $output"
	# the container's own cgroup (a sleep), not the host's or the shim's
	[ "$usage" -gt 0 ] && [ "$usage" -lt $((64 << 20)) ] || fail "memory usage $usage: not the container's cgroup"
	remove_task "$name"
}

# The limit is applied: in cgroup2's memory.max where cgroup2 has the
# memory controller, else (hybrid host) in the v1 memory cgroup at the same
# path (memory.limit_in_bytes), as runc does.
@test "containerd: a container with a memory limit" {
	name=$(cl_new_name)
	cg2=$(cgroup2_mount)
	ctr_run -d --memory-limit 67108864 "$IMAGE" "$name" sleep 1000 >/dev/null ||
		fail "ctr run -d with a memory limit failed"
	pid=$(ctr_ task ls | awk -v n="$name" '$1 == n { print $2 }')
	if [[ -n $cg2 ]] && grep -qw memory "$cg2/cgroup.controllers"; then
		cg=$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
		assert_equal "$(cat "$cg2$cg/memory.max")" 67108864
	else
		cg=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$pid/cgroup")
		[[ -n $cg && $cg != / ]] || fail "init $pid is in no v1 memory cgroup of its own"
		assert_equal "$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes")" 67108864
	fi
	remove_task "$name"
}

@test "containerd: a runtime error reaches the user through log.json" {
	name=$(cl_new_name)
	run ctr_run --rm "$IMAGE" "$name" /no/such/binary
	assert_failure
	assert_output --regexp "OCI runtime (create|start) failed"
	assert_output --partial "/no/such/binary"
	assert_output --partial "o such file or directory"
	ctr_ task delete -f "$name" >/dev/null 2>&1 || true
	ctr_ containers rm "$name" >/dev/null 2>&1 || true
}
