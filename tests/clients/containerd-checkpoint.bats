#!/usr/bin/env bats
# containerd 1.6 checkpoints and restores through vessel (the runc v2
# shim's BinaryName): ctr task checkpoint into an image path, and ctr c
# checkpoint --task / ctr c restore --live through containerd's content
# store.  Needs a kernel criu works on: the cgroup v2 VM (tests/vm, group
# clients/vm-containerd-checkpoint); on this host it skips with criu's
# reason.  The runtime is a wrapper logging each vessel command line, so
# the tests also check what the shim asked for (docs/clients.md).

load containerd-helpers

setup_file() {
	CL_SKIP=$(cl_missing containerd ctr)
	[[ -n $CL_SKIP ]] || CL_SKIP=$(cl_criu_missing)
	export CL_SKIP
	[[ -z $CL_SKIP ]] || return 0
	ctd_setup_file
}

teardown_file() {
	ctd_teardown_file
}

setup() {
	[[ -z ${CL_SKIP:-} ]] || skip "$CL_SKIP"
	RT_LOG=$BATS_TEST_TMPDIR/runtime.log
	RT=$(cl_logging_runtime "$RT_LOG")
	OUT=$BATS_TEST_TMPDIR/out
	mkdir -p "$OUT"
}

teardown() {
	ctd_teardown
}

# counter NAME: a task counting into $OUT/count every 0.5 s (a bind mount,
# read from here without an exec) that appends a line to $OUT/starts each
# time its command starts: a restore that started it again instead of
# resuming it would show two.
counter() {
	ctr_ run --runc-binary "$RT" -d --mount "type=bind,src=$OUT,dst=/out,options=rbind:rw" \
		"$IMAGE" "$1" sh -c 'echo start >>/out/starts; i=0; while :; do i=$((i+1)); echo $i >/out/count; sleep 0.5; done' \
		>/dev/null </dev/null || fail "ctr run -d $1 failed"
	retry 100 0.2 test -s "$OUT/count"
}

# resumed N: the count is N or more and goes on, by one run of the command.
resumed() {
	local n
	retry 100 0.2 test -s "$OUT/count"
	n=$(cat "$OUT/count")
	[ "$n" -ge "$1" ] || fail "count $n after the restore, $1 at the checkpoint"
	retry 100 0.2 sh -c "[ \"\$(cat '$OUT/count')\" -gt $n ]"
	[ "$(grep -c start "$OUT/starts")" -eq 1 ]
}

@test "containerd: ctr task checkpoint --image-path: images written, the task goes on" {
	name=$(cl_new_name)
	counter "$name"
	img=$BATS_TEST_TMPDIR/img work=$BATS_TEST_TMPDIR/work
	run ctr_ task checkpoint --image-path "$img" --work-path "$work" "$name"
	assert_success
	grep -q -- "checkpoint --image-path $img .*--leave-running.* $name\$" "$RT_LOG" ||
		fail "no checkpoint --leave-running in: $(cat "$RT_LOG")"
	compgen -G "$img/pages-*.img" >/dev/null || fail "no pages in $img: $(ls "$img")"
	[ -s "$work/dump.log" ]
	# paused around the dump, resumed after, counting
	[ "$(task_status "$name")" = RUNNING ]
	resumed "$(cat "$OUT/count")"
	remove_task "$name"
}

@test "containerd: ctr c checkpoint --task, then ctr c restore --live: the counter resumes" {
	name=$(cl_new_name)
	ref=docker.io/vessel/checkpoint:$name
	counter "$name"
	run ctr_ containers checkpoint --task "$name" "$ref"
	assert_success
	n=$(cat "$OUT/count")
	remove_task "$name"
	run ctr_ containers restore --live "$name" "$ref"
	assert_success
	# go-runc's flags, -no-subreaper with one dash (read as Go's flag
	# package reads it)
	grep -qE -- "restore --image-path [^ ]+ --work-path [^ ]+ --detach --pid-file [^ ]+ -no-subreaper --bundle [^ ]+ $name\$" "$RT_LOG" ||
		fail "no restore as the shim sends it in: $(cat "$RT_LOG")"
	[ "$(task_status "$name")" = RUNNING ]
	resumed "$n"
	remove_task "$name"
	ctr_ images rm "$ref" >/dev/null
}
