#!/usr/bin/env bats
# vessel behind a real containerd (Debian's 1.6) through the
# io.containerd.runc.v2 shim, driven with ctr, as Kubernetes and nerdctl
# reach it.  The private daemon and the ctr helpers: containerd-helpers.bash.

load containerd-helpers

setup_file() {
	ctd_setup_file
}

teardown_file() {
	ctd_teardown_file
}

setup() {
	[[ -z ${CL_SKIP:-} ]] || skip "$CL_SKIP"
}

teardown() {
	ctd_teardown
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
