#!/usr/bin/env bats
# Error messages in runc's words where tools (and runc's own integration
# suite, the yardstick users apply) match them.  Each test names the runc
# wording it checks and that vessel's own detail is still there.

load helpers

# A filter that allows everything but NOTIFYs the calls in $1 (JSON list).
notify_on() {
	update_config ".linux.seccomp = {defaultAction: \"SCMP_ACT_ALLOW\",
		listenerPath: \"$BATS_TEST_TMPDIR/agent.sock\",
		syscalls: [{names: $1, action: \"SCMP_ACT_NOTIFY\"}]}"
}

@test "runc-wording: no seccomp agent listening: 'failed to connect with seccomp agent', the path, nothing left" {
	set_args true
	notify_on '["mkdir", "mkdirat"]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "failed to connect with seccomp agent"
	assert_output --partial "$BATS_TEST_TMPDIR/agent.sock"
	[[ ! -e $ROOT/$CID ]]
}

@test "runc-wording: SCMP_ACT_NOTIFY on write: 'cannot be used for the write syscall'" {
	set_args true
	notify_on '["write"]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "SCMP_ACT_NOTIFY cannot be used for the write syscall"
	assert_output --partial "linux.seccomp.syscalls[0].names[0]"
	[[ ! -e $ROOT/$CID ]]
}
