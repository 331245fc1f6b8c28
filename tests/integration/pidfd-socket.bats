#!/usr/bin/env bats
# --pidfd-socket of create, run and exec: vessel sends a pidfd of the
# container's init (create, run) or of the exec'd process over the unix
# socket; tests/helpers/recvpidfd plays the shim, checks the fd is a pidfd
# (its fdinfo "Pid:" line) and signals the process through it.

load helpers

setup() {
	setup_bundle
	requires helper recvpidfd
	SOCK=$BATS_TEST_TMPDIR/pidfd.sock
	INFO=$BATS_TEST_TMPDIR/pidfd.info
	RECV_PID=""
	set_args sleep 1000
}

teardown() {
	[[ -z $RECV_PID ]] || kill -9 "$RECV_PID" 2>/dev/null || true
	teardown_bundle
}

# start_recv [SIGNAL]: listen on $SOCK; with SIGNAL, recvpidfd sends it
# through the pidfd once it gets SIGTERM (recv_signal).
start_recv() {
	"$HELPERS_DIR/recvpidfd" ${1:+-s "$1"} "$SOCK" "$INFO" \
		>"$BATS_TEST_TMPDIR/recv.log" 2>&1 </dev/null &
	RECV_PID=$!
	retry 50 0.1 test -S "$SOCK" || fail "recvpidfd did not listen"
}

# recv_info: "KIND PID" as recvpidfd wrote it, once it has.
recv_info() {
	retry 100 0.1 test -s "$INFO" ||
		fail "recvpidfd got no pidfd: $(cat "$BATS_TEST_TMPDIR/recv.log")"
	cat "$INFO"
}

# recv_signal: make recvpidfd send its signal through the pidfd; it exits 0.
recv_signal() {
	kill -TERM "$RECV_PID"
	wait "$RECV_PID" || fail "recvpidfd failed: $(cat "$BATS_TEST_TMPDIR/recv.log")"
	RECV_PID=""
}

@test "pidfd-socket: create sends a pidfd of the init, which signals it" {
	start_recv 9
	detached vessel create --pidfd-socket "$SOCK" "$CID" ||
		fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	pid=$(container_pid "$CID")
	run recv_info
	assert_output "standard $pid"
	assert_equal "$(container_status "$CID")" created
	recv_signal
	wait_for_status "$CID" stopped
}

@test "pidfd-socket: run -d with a console socket too; run in the foreground ends with the signal" {
	requires helper recvtty
	update_config '.process.terminal = true'
	"$HELPERS_DIR/recvtty" "$BATS_TEST_TMPDIR/console.sock" >/dev/null 2>&1 &
	RECVTTY_PID=$!
	retry 50 0.1 test -S "$BATS_TEST_TMPDIR/console.sock"
	start_recv 9
	detached vessel run -d --console-socket "$BATS_TEST_TMPDIR/console.sock" \
		--pidfd-socket "$SOCK" "$CID" ||
		fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run recv_info
	assert_output "standard $(container_pid "$CID")"
	recv_signal
	wait_for_status "$CID" stopped
	wait "$RECVTTY_PID" || true
	run vessel delete "$CID"
	assert_success

	# foreground: run waits for the init the receiver kills
	update_config '.process.terminal = false'
	rm -f "$INFO"
	start_recv 9
	vessel run --pidfd-socket "$SOCK" "$CID" >"$BATS_TEST_TMPDIR/run.out" 2>&1 </dev/null &
	run_pid=$!
	run recv_info
	assert_output --regexp '^standard [0-9]+$'
	[[ ${output#standard } == "$(container_pid "$CID")" ]] || fail "pidfd of ${output#standard }, init is $(container_pid "$CID")"
	recv_signal
	rc=0
	wait "$run_pid" || rc=$?
	assert_equal "$rc" 137
}

@test "pidfd-socket: exec sends a pidfd of the exec'd process, not of the init" {
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	start_recv 9
	detached vessel exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" --pidfd-socket "$SOCK" \
		"$CID" sleep 1000 || fail "exec -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	run recv_info
	assert_output "setns $epid"
	[[ $epid != "$(container_pid "$CID")" ]] || fail "exec pid is the init's"
	recv_signal
	retry 50 0.1 test ! -e "/proc/$epid" || fail "exec'd process $epid still alive"
	assert_equal "$(container_status "$CID")" running

	# foreground exec: returns the status of the process the pidfd killed
	rm -f "$INFO"
	start_recv 9
	vessel exec --pidfd-socket "$SOCK" "$CID" sleep 1000 >/dev/null 2>&1 </dev/null &
	exec_pid=$!
	run recv_info
	assert_output --regexp '^setns [0-9]+$'
	recv_signal
	rc=0
	wait "$exec_pid" || rc=$?
	assert_equal "$rc" 137
	assert_equal "$(container_status "$CID")" running
}

@test "pidfd-socket: a path nobody listens on, not a socket, or too long fails and leaves nothing" {
	touch "$BATS_TEST_TMPDIR/plain"
	long=$BATS_TEST_TMPDIR/$(printf 'x%.0s' {1..120})
	for cmd in create run; do
		run vessel "$cmd" --pidfd-socket "$BATS_TEST_TMPDIR/nosuch.sock" "$CID"
		assert_failure
		assert_output --partial "--pidfd-socket: connect to $BATS_TEST_TMPDIR/nosuch.sock: No such file or directory"
		run vessel "$cmd" --pidfd-socket "$BATS_TEST_TMPDIR/plain" "$CID"
		assert_failure
		assert_output --partial "--pidfd-socket: connect to $BATS_TEST_TMPDIR/plain: Connection refused"
		run vessel "$cmd" --pidfd-socket "$long" "$CID"
		assert_failure
		assert_output --partial "--pidfd-socket $long: path too long"
		[[ ! -e $ROOT/$CID ]] || fail "$cmd left the state dir"
	done
	run vessel create --pidfd-socket "" "$CID"
	assert_failure
	assert_output --partial "--pidfd-socket: empty path"

	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	before=$(vessel ps "$CID" | wc -l)
	run vessel exec --pidfd-socket "$BATS_TEST_TMPDIR/nosuch.sock" "$CID" sleep 1000
	assert_failure
	assert_output --partial "--pidfd-socket: connect to $BATS_TEST_TMPDIR/nosuch.sock: No such file or directory"
	run vessel exec -d --pidfd-socket "$BATS_TEST_TMPDIR/plain" "$CID" sleep 1000
	assert_failure
	assert_output --partial "Connection refused"
	assert_equal "$(vessel ps "$CID" | wc -l)" "$before"
}

@test "pidfd-socket: a receiver gone before the send fails create and run, which leave nothing" {
	# The receiver accepts and closes; a createRuntime hook (which runs
	# before the send) holds the create until it has.
	update_config ".hooks.createRuntime = [{path: \"/bin/sh\", args: [\"sh\", \"-c\",
		\"while ! test -e $INFO; do sleep 0.1; done\"], timeout: 60}]"
	local cmd
	for cmd in create run; do
		rm -f "$INFO"
		"$HELPERS_DIR/recvpidfd" -c "$SOCK" "$INFO" >"$BATS_TEST_TMPDIR/recv.log" 2>&1 </dev/null &
		RECV_PID=$!
		retry 50 0.1 test -S "$SOCK" || fail "recvpidfd did not listen"
		run vessel "$cmd" --pidfd-socket "$SOCK" "$CID"
		assert_failure
		assert_output --partial "--pidfd-socket: send the pidfd: Broken pipe"
		[[ ! -e $ROOT/$CID ]] || fail "$cmd left the state dir"
		wait "$RECV_PID"
		RECV_PID=""
	done
}
