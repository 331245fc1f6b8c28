#!/usr/bin/env bats
# process.terminal: the pty made in the container, the master sent over
# --console-socket (tests/helpers/recvtty plays containerd), consoleSize, and
# the foreground proxy of `run`.

load helpers

# start_recvtty [recvtty options]: listen on $SOCK, output in $TTY_OUT.
start_recvtty() {
	requires helper recvtty
	SOCK=$BATS_TEST_TMPDIR/console.sock
	TTY_OUT=$BATS_TEST_TMPDIR/tty.out
	"$HELPERS_DIR/recvtty" -n "$BATS_TEST_TMPDIR/tty.name" "$@" "$SOCK" >"$TTY_OUT" 2>&1 &
	RECVTTY_PID=$!
	retry 50 0.1 test -S "$SOCK"
}

wait_recvtty() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$RECVTTY_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$RECVTTY_PID" 2>/dev/null && { kill "$RECVTTY_PID"; fail "recvtty still waiting for the pty to close"; }
	wait "$RECVTTY_PID"
}

@test "terminal: --console-socket gets the master; the container sees a tty of consoleSize" {
	start_recvtty
	update_config '.process.terminal = true | .process.consoleSize = {height: 40, width: 100}'
	set_cmd 'tty; stty size; test -t 0 && test -t 1 && test -t 2 && echo all-stdio-tty; ls -l /dev/console $(tty)'
	detached vessel create --console-socket "$SOCK" "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	detached vessel start "$CID" || fail "start: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_recvtty
	run cat "$TTY_OUT"
	assert_line --index 0 --regexp '^/dev/pts/[0-9]+'
	assert_line --index 1 --regexp '^40 100'
	assert_output --partial all-stdio-tty
	# /dev/console is the pty slave (bind mount): same device numbers.
	cons=$(grep '/dev/console' "$TTY_OUT" | awk '{print $5 $6}')
	slave=$(grep ' /dev/pts/' "$TTY_OUT" | awk '{print $5 $6}')
	[[ -n $cons && $cons == "$slave" ]] || fail "/dev/console ($cons) is not the pty ($slave)"
	run cat "$BATS_TEST_TMPDIR/tty.name"
	assert_output --regexp '^/dev/pts/[0-9]+$'
}

@test "terminal: input written to the master reaches the container" {
	start_recvtty -i $'echo hello-$((6*7))\nexit 0\n'
	update_config '.process.terminal = true | .process.args = ["sh"]'
	detached vessel run -d --console-socket "$SOCK" "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_recvtty
	run cat "$TTY_OUT"
	assert_output --partial "hello-42"
}

@test "terminal: the pty belongs to the process's user" {
	start_recvtty
	update_config '.process.terminal = true | .process.user = {uid: 1000, gid: 1000}'
	set_cmd 'stat -c "%u" $(tty)'
	detached vessel run -d --console-socket "$SOCK" "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_recvtty
	run cat "$TTY_OUT"
	assert_output --regexp '^1000'
}

@test "terminal: run in the foreground proxies the pty (no socket)" {
	update_config '.process.terminal = true'
	set_cmd 'tty; echo out-through-pty; exit 3'
	run vessel run "$CID"
	assert_equal "$status" 3
	assert_output --partial "/dev/pts/"
	assert_output --partial "out-through-pty"
}

@test "terminal: foreground run on a real terminal: window size, raw mode restored" {
	requires command script
	update_config '.process.terminal = true'
	set_cmd 'stty size'
	run script -qec "stty rows 25 cols 70; stty -a > $BATS_TEST_TMPDIR/before; \
		$VESSEL --root $ROOT run $CID; echo rc=\$?; stty -a > $BATS_TEST_TMPDIR/after" /dev/null </dev/null
	assert_success
	assert_output --partial "25 70"
	assert_output --partial "rc=0"
	run diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	assert_success
}

@test "terminal: flag combinations and a bad socket are refused, nothing left" {
	update_config '.process.terminal = true'
	run vessel run -d "$CID"
	assert_failure
	assert_output --partial "cannot allocate tty"
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"

	run vessel create --console-socket "$BATS_TEST_TMPDIR/nosuch.sock" "$CID"
	assert_failure
	assert_output --partial "nosuch.sock"
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"

	update_config '.process.terminal = false'
	touch "$BATS_TEST_TMPDIR/not-a-socket"
	run vessel create --console-socket "$BATS_TEST_TMPDIR/not-a-socket" "$CID"
	assert_failure
	assert_output --partial "console socket"
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
}
