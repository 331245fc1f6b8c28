#!/usr/bin/env bats
# podman 4.3 checkpoints and restores through vessel (--runtime, via
# conmon): podman container checkpoint / restore, and --export / --import
# of podman's own archive (the runtime's images plus podman's tar of the
# container).  Needs a kernel criu works on: the cgroup v2 VM (tests/vm,
# group clients/vm-podman-checkpoint); on this host it skips with criu's
# reason.  The runtime is a wrapper logging each vessel command line, so
# the tests also check what podman and conmon asked for (docs/clients.md).

load podman-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	CL_SKIP=$(cl_missing podman conmon)
	[[ -n $CL_SKIP ]] || CL_SKIP=$(cl_criu_missing)
	export CL_SKIP
	[[ -z $CL_SKIP ]] || return 0
	PM_RUNTIME_LOG=$BATS_FILE_TMPDIR/runtime.log
	export PM_RUNTIME_LOG
	cl_prepare
	cl_cgroups_snapshot libpod_parent
	pm_setup_file cgroupfs
}

teardown_file() {
	[[ -n ${CL_DIR:-} && -f $CL_DIR/containers.conf ]] || return 0
	pm_teardown_file
	cl_cgroups_restore libpod_parent
	[[ -z $PM_LEAKS ]] || fail "left behind: $PM_LEAKS"
}

setup() {
	[[ -z ${CL_SKIP:-} ]] || skip "$CL_SKIP"
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
}

teardown() {
	[[ -z ${CL_SKIP:-} ]] || return 0
	pm_teardown
}

# counter NAME: a container counting into $OUT/count every 0.5 s (a bind
# mount, read from here without an exec) that appends a line to
# $OUT/starts each time its command starts: a restore that started it
# again instead of resuming it would show two.
counter() {
	pm_run_d "$1" -v "$OUT:/out" "$PM_IMAGE" \
		sh -c 'echo start >>/out/starts; i=0; while :; do i=$((i+1)); echo $i >/out/count; sleep 0.5; done'
	retry 100 0.2 test -s "$OUT/count"
}

# resumed N: the count is N or more and goes on, by one run of the command.
resumed() {
	local n
	n=$(cat "$OUT/count")
	[ "$n" -ge "$1" ] || fail "count $n after the restore, $1 at the checkpoint"
	retry 100 0.2 sh -c "[ \"\$(cat '$OUT/count')\" -gt $n ]"
	[ "$(grep -c start "$OUT/starts")" -eq 1 ]
}

# runtime_called ID PATTERN: a vessel command line for container ID
# matched the extended regex PATTERN.
runtime_called() {
	grep -E -- "$2" "$PM_RUNTIME_LOG" | grep -q -- "$1\$" ||
		fail "no vessel '$2' for $1 in: $(grep -- "$1" "$PM_RUNTIME_LOG")"
}

@test "podman: container checkpoint, then restore: the counter resumes" {
	name=$(cl_new_name)
	counter "$name"
	id=$(cat "$CL_DIR/$name.cid")
	run pm container checkpoint "$name"
	assert_success
	n=$(cat "$OUT/count")
	[ "$(pm_status "$name")" = exited ]
	runtime_called "$id" "checkpoint --image-path [^ ]+/userdata/checkpoint --work-path [^ ]+/userdata $id"
	run pm container restore "$name"
	assert_success
	runtime_called "$id" "restore --bundle [^ ]+ --pid-file [^ ]+ --detach --image-path [^ ]+/checkpoint --work-path [^ ]+ $id"
	[ "$(pm_status "$name")" = running ]
	resumed "$n"
	pm rm -f -t 0 "$name" >/dev/null
}

@test "podman: checkpoint --export, restore --import of podman's archive: the counter resumes" {
	name=$(cl_new_name)
	counter "$name"
	archive=$BATS_TEST_TMPDIR/ckpt.tar.gz
	run pm container checkpoint --export "$archive" "$name"
	assert_success
	n=$(cat "$OUT/count")
	pm rm -f -t 0 "$name" >/dev/null
	run pm container restore --import "$archive"
	assert_success
	# the import is a new container: its id for the leak check
	pm inspect -f '{{.Id}}' "$name" >>"$CL_DIR/ids"
	[ "$(pm_status "$name")" = running ]
	resumed "$n"
	pm rm -f -t 0 "$name" >/dev/null
}
