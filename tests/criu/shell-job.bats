#!/usr/bin/env bats
# --shell-job: a container without a terminal of its own whose stdio is
# the caller's terminal (`vessel run` in the foreground on a tty, no
# console socket).  The pty's other end is no process of the container's:
# criu dumps the slave as a shell job's and restores it as its own stdin,
# the restoring vessel's terminal.  In the cgroup v2 VM (criu/vm).

load helpers

# ticks FILE: the tick numbers the container printed on a terminal whose
# output script(1) logged in FILE.
ticks() {
	grep -o 'tick[0-9]*' "$1" | tr -dc '0-9\n'
}

# gone PID: the process exited (bounded: a vessel that hangs fails the test).
gone() {
	retry 150 0.2 sh -c "! kill -0 $1 2>/dev/null"
}

@test "--shell-job: on the caller's terminal, restored onto the restorer's; without it, criu's reason" {
	command -v script >/dev/null || skip "needs script(1) (util-linux)"
	local t=$BATS_TEST_TMPDIR run1 run2 last
	# exit 3 unless stdin and stdout are the terminal script made
	set_cmd '[ -t 0 ] && [ -t 1 ] || exit 3; i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.5; done'
	script -qfec "$VESSEL --root $ROOT run $CID" "$t/tty1" </dev/null >/dev/null 2>&1 &
	run1=$!
	retry 100 0.2 grep -q tick2 "$t/tty1" || fail "no ticks: $(cat "$t/tty1")"

	# without --shell-job: criu's reason, vessel's hint, the container runs on
	run vessel checkpoint --image-path "$t/refused" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"criu dump: "*"(log: $t/refused/dump.log)"*"--shell-job"* ]] || fail "$output"
	echo "# without --shell-job: $output" >&3
	[ "$(container_status "$CID")" = running ]
	n=$(ticks "$t/tty1" | tail -1)
	retry 100 0.2 grep -q "tick$((n + 1))" "$t/tty1"

	run vessel checkpoint --shell-job --image-path "$IMG" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	[ ! -e "$ROOT/$CID" ]
	# the foreground run saw its init go; only then is the id used again
	gone "$run1"
	last=$(ticks "$t/tty1" | tail -1)

	# restore needs --shell-job, and a terminal to hand the init: refused
	# before criu runs, nothing left
	run vessel restore -d --image-path "$IMG" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"restore it with --shell-job"* ]] || fail "$output"
	[ ! -e "$ROOT/$CID" ]
	run vessel restore -d --shell-job --image-path "$IMG" "$CID" </dev/null
	[ "$status" -eq 1 ]
	[[ $output == *"--shell-job: "*"no terminal"* ]] || fail "$output"
	[ ! -e "$ROOT/$CID" ]

	# in the foreground on another terminal: it counts on from where it was
	script -qfec "$VESSEL --root $ROOT restore --shell-job --image-path $IMG $CID" "$t/tty2" \
		</dev/null >/dev/null 2>&1 &
	run2=$!
	retry 100 0.2 grep -q "tick$((last + 2))" "$t/tty2" || fail "tty2: $(cat "$t/tty2")"
	[ "$(ticks "$t/tty2" | head -1)" -gt "$last" ]
	[ "$(container_status "$CID")" = running ]
	vessel kill "$CID" KILL
	# the foreground restore waits for it, then deletes it, as run
	gone "$run2"
	[ ! -e "$ROOT/$CID" ]
}
