#!/usr/bin/env bats
# linux.seccomp: actions, errno values, argument filters, architectures,
# flags, NOTIFY with a test agent, config errors, the default profile, and a
# smoke run of the overhead benchmark.

load helpers

setup() {
	setup_bundle
	requires root seccomp
	LISTENER_PID=""
}

teardown() {
	if [[ -n $LISTENER_PID ]]; then
		kill "$LISTENER_PID" 2>/dev/null || true
		wait "$LISTENER_PID" 2>/dev/null || true
	fi
	teardown_bundle
}

# A profile that allows everything but the given rules (a JSON array).
set_profile() {
	update_config ".process.terminal = false | .linux.seccomp = $1"
}

allow_but() {
	set_profile "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": $1}"
}

# process.args = sh -c SCRIPT (set_args would hand "-c" to jq).
sh_c() {
	update_config ".process.args = [\"sh\", \"-c\", $(jq -Rn --arg s "$1" '$s')]"
}

# The default profile as `vessel spec` writes it.
default_profile() {
	local spec
	spec=$(mktemp -d "$BATS_TEST_TMPDIR/spec.XXXXXX")
	(cd "$spec" && "$VESSEL" spec >/dev/null) || fail "vessel spec failed"
	jq -c '.linux.seccomp' "$spec/config.json"
}

@test "seccomp: a denied syscall returns errnoRet" {
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	set_args vprobe syscall getppid
	run vessel run "$CID"
	assert_failure
	assert_output --partial "getppid: ENOMSG"
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet returns EPERM" {
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]'
	set_args vprobe syscall getppid
	run vessel run "$CID"
	assert_failure
	assert_output --partial "getppid: EPERM"
}

@test "seccomp: defaultErrnoRet is what unlisted syscalls return" {
	local p
	p=$(default_profile | jq -c '.defaultErrnoRet = 13 |
		.syscalls |= map(.names -= ["getppid"])')
	set_profile "$p"
	sh_c 'vprobe syscall getppid; vprobe syscall getpid'
	run vessel run "$CID"
	assert_success
	assert_line "getppid: EACCES (Permission denied)"
	assert_line --regexp '^getpid: ok [0-9]+$'
}

@test "seccomp: SCMP_ACT_KILL, KILL_THREAD, KILL_PROCESS and TRAP end the process with SIGSYS" {
	local a
	for a in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
		# getcpu: one busybox sh itself never makes (it calls getppid).
		allow_but "[{\"names\": [\"getcpu\"], \"action\": \"$a\"}]"
		# The shell survives (only its child makes the call) and reports
		# 128 + SIGSYS (31).
		sh_c 'vprobe syscall getcpu 0 0; echo "status $?"'
		run vessel run "$(new_id kill)"
		assert_success
		assert_line "status 159"
	done
}

@test "seccomp: SCMP_ACT_LOG and SCMP_ACT_ALLOW rules let the call through" {
	local p
	p=$(default_profile | jq -c '.syscalls |= map(.names -= ["getppid"]) |
		.syscalls += [{"names": ["getppid"], "action": "SCMP_ACT_LOG"}]')
	set_profile "$p"
	set_args vprobe syscall getppid
	run vessel run "$CID"
	assert_success
	assert_output --regexp '^getppid: ok [0-9]+$'
}

@test "seccomp: personality allowed for one value only" {
	allow_but '[{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		"args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_NE"}]}]'
	sh_c 'vprobe syscall personality 0xffffffff; vprobe syscall personality 8; true'
	run vessel run "$CID"
	assert_success
	assert_line --regexp '^personality: ok [0-9]+$'
	assert_line "personality: EPERM (Operation not permitted)"
}

@test "seccomp: several conditions on one argument are alternatives" {
	allow_but '[{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
		"args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
			 {"index": 0, "value": 4194304, "op": "SCMP_CMP_EQ"}]}]'
	sh_c 'vprobe syscall personality 8; vprobe syscall personality 0x400000;
		vprobe syscall personality 0xffffffff'
	run vessel run "$CID"
	assert_success
	assert_equal "$(grep -c 'personality: EINVAL' <<<"$output")" 2
	assert_line --regexp '^personality: ok [0-9]+$'
}

@test "seccomp: SCMP_CMP_MASKED_EQ on clone flags" {
	# (flags & CLONE_NEWUTS) == CLONE_NEWUTS is denied; a plain fork is not.
	allow_but '[{"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
		"args": [{"index": 0, "value": 67108864, "valueTwo": 67108864,
			  "op": "SCMP_CMP_MASKED_EQ"}]}]'
	# 67108881 = CLONE_NEWUTS | SIGCHLD
	sh_c 'vprobe syscall clone 67108881 0; (echo forked) | cat'
	run vessel run "$CID"
	assert_success
	assert_line "clone: EPERM (Operation not permitted)"
	assert_line "forked"
}

@test "seccomp: an architecture list is accepted and applied" {
	set_profile '{"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]}'
	[[ $(uname -m) == x86_64 ]] || update_config \
		'.linux.seccomp.architectures = ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]'
	set_args vprobe syscall getppid
	run vessel run "$CID"
	assert_failure
	assert_output --partial "getppid: ENOMSG"
}

@test "seccomp: an unknown syscall name is skipped (reported with --debug)" {
	allow_but '[{"names": ["no_such_syscall_vessel", "getppid"], "action": "SCMP_ACT_ERRNO",
		"errnoRet": 42}]'
	set_args vprobe syscall getppid
	run "$VESSEL" --debug --root "$ROOT" run "$CID"
	assert_failure
	assert_output --partial "getppid: ENOMSG"
	assert_output --partial 'unknown syscall \"no_such_syscall_vessel\" skipped'
}

# The kernel logs ERRNO results of a filter loaded with the LOG flag
# (audit type 1326, which names the pid but not the errno); without the flag
# only kill/trap actions are logged.  create+start gives the pid first.
# Prints the number of getppid audit lines for the container's process.
logged_getppid() {
	local id=$1 pid
	vessel create "$id" >"$BATS_TEST_TMPDIR/$id.out" 2>&1 || fail "create: $(cat "$BATS_TEST_TMPDIR/$id.out")"
	pid=$(container_pid "$id")
	vessel start "$id" || fail "start failed"
	wait_for_status "$id" stopped
	sleep 0.3
	grep -q "getppid: EBADFD" "$BATS_TEST_TMPDIR/$id.out" || fail "output: $(cat "$BATS_TEST_TMPDIR/$id.out")"
	dmesg | grep -c " pid=$pid comm=\"vprobe\".* syscall=110 " || true
}

@test "seccomp: SECCOMP_FILTER_FLAG_LOG logs denied calls" {
	dmesg >/dev/null 2>&1 || skip "needs dmesg"
	[[ $(uname -m) == x86_64 ]] || skip "matches x86_64's getppid number"
	set_args vprobe syscall getppid
	set_profile '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG"],
		"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 77}]}'
	run logged_getppid "$CID"
	assert_success
	assert_output 1

	# The same filter without the flag logs nothing.
	update_config 'del(.linux.seccomp.flags)'
	run logged_getppid "$(new_id nolog)"
	assert_success
	assert_output 0
}

@test "seccomp: SPEC_ALLOW and WAIT_KILLABLE_RECV flags are accepted" {
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_SPEC_ALLOW",
		"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	set_args vprobe syscall getppid
	run vessel run "$CID"
	assert_failure
	assert_output --partial "getppid: ENOMSG"
}

@test "seccomp: malformed sections are rejected with their JSON path" {
	local cases=(
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_BOGUS"}]}|linux.seccomp.syscalls[0].action'
		'{"defaultAction": "SCMP_ACT_NOPE"}|linux.seccomp.defaultAction'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_ROUGHLY"}]}]}|linux.seccomp.syscalls[0].args[0]'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}|linux.seccomp.syscalls[0].args[0].index'
		'{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]}|linux.seccomp.architectures[0]'
		'{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TURBO"]}|linux.seccomp.flags[0]'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [], "action": "SCMP_ACT_ERRNO"}]}|linux.seccomp.syscalls[0].names'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": "getpid", "action": "SCMP_ACT_ERRNO"}]}|linux.seccomp.syscalls[0].names'
		'{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1}]}|linux.seccomp.syscalls[0]'
		'{"syscalls": []}|linux.seccomp.defaultAction'
	)
	local c profile path id
	for c in "${cases[@]}"; do
		profile=${c%|*} path=${c##*|}
		set_profile "$profile"
		id=$(new_id bad)
		run vessel run "$id"
		assert_failure
		assert_output --partial "$path"
		[[ ! -e $ROOT/$id ]] || fail "state left for $id after: $output"
	done
}

@test "seccomp: NOTIFY without listenerPath is an error" {
	allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "listenerPath"
	[[ ! -e $ROOT/$CID ]]
}

@test "seccomp: NOTIFY with nobody listening fails clearly and leaves nothing" {
	allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]'
	update_config ".linux.seccomp.listenerPath = \"$BATS_TEST_TMPDIR/nobody.sock\""
	run vessel run "$CID"
	assert_failure
	assert_output --partial "nobody.sock"
	[[ ! -e $ROOT/$CID ]]
}

# Starts the test agent (answers mkdir with ${1:-success}); sets SOCK, STATE.
start_listener() {
	requires helper seccomp-listener
	SOCK=$BATS_TEST_TMPDIR/agent.sock
	STATE=$BATS_TEST_TMPDIR/agent-state.json
	(cd / && exec "$HELPERS_DIR/seccomp-listener" "$SOCK" "$STATE" "$@" \
		>"$BATS_TEST_TMPDIR/agent.out" 2>&1) &
	LISTENER_PID=$!
	retry 50 0.1 test -S "$SOCK"
	allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]'
	update_config ".linux.seccomp.listenerPath = \"$SOCK\" |
		.linux.seccomp.listenerMetadata = \"vessel-test-metadata\" |
		.annotations = {\"org.vessel.test\": \"yes\"}"
}

@test "seccomp: NOTIFY hands the fd and the state to the agent, which answers mkdir" {
	start_listener
	sh_c 'mkdir /tmp/made-by-agent && echo "mkdir ok";
		[ -e /tmp/made-by-agent ] || echo "nothing created"'
	run vessel run "$CID"
	assert_success
	assert_line "mkdir ok"
	assert_line "nothing created"

	# The agent sees its last task go and exits by itself.
	retry 50 0.1 sh -c "! kill -0 $LISTENER_PID 2>/dev/null"
	wait "$LISTENER_PID"
	LISTENER_PID=""
	run cat "$BATS_TEST_TMPDIR/agent.out"
	assert_output --regexp "answered mkdir(at)?"

	run jq -r '[.ociVersion, (.fds | join(",")), .metadata, .state.id, .state.status,
		.state.bundle, .state.annotations["org.vessel.test"],
		(.pid > 1 and .pid == .state.pid)] | join(" ")' "$STATE"
	assert_success
	assert_output "1.3.0 seccompFd vessel-test-metadata $CID creating $BUNDLE yes true"
}

@test "seccomp: the agent's error answer reaches the process" {
	start_listener 122 # EDQUOT
	sh_c 'mkdir /tmp/x'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "Disk quota exceeded"
}

@test "seccomp: vessel spec writes the default allow-list profile" {
	local p
	p=$(default_profile)
	assert_equal "$(jq -r .defaultAction <<<"$p")" SCMP_ACT_ERRNO
	assert_equal "$(jq -r .defaultErrnoRet <<<"$p")" 1
	assert [ "$(jq '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | length' <<<"$p")" -gt 300 ]
	case $(uname -m) in
	x86_64) assert_equal "$(jq -c .architectures <<<"$p")" \
		'["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"]' ;;
	aarch64) assert_equal "$(jq -c .architectures <<<"$p")" '["SCMP_ARCH_AARCH64","SCMP_ARCH_ARM"]' ;;
	esac
}

@test "seccomp: ordinary programs run under the default profile; risky calls do not" {
	set_profile "$(default_profile)"
	sh_c 'ls / >/dev/null && echo "ls ok"; (echo "fork ok") | cat;
		vprobe syscall keyctl 0; vprobe syscall unshare 0x04000000;
		vprobe syscall clone 67108881 0; vprobe syscall personality 0x400000; vprobe seccomp'
	run vessel run "$CID"
	assert_success
	assert_line "ls ok"
	assert_line "fork ok"
	assert_line "keyctl: EPERM (Operation not permitted)"
	assert_line "unshare: EPERM (Operation not permitted)"
	assert_line "clone: EPERM (Operation not permitted)"
	assert_line "personality: EPERM (Operation not permitted)"
	assert_line "seccomp 2"
}

@test "seccomp: without noNewPrivileges the filter is loaded before the user change" {
	# A non-root user cannot install a filter without no_new_privs: it
	# only works because vessel loads it while CAP_SYS_ADMIN is still held.
	set_profile "$(default_profile)"
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	sh_c 'vprobe nnp; vprobe seccomp; vprobe syscall keyctl 0; id -u'
	run vessel run "$CID"
	assert_success
	assert_line "nnp 0"
	assert_line "seccomp 2"
	assert_line "keyctl: EPERM (Operation not permitted)"
	assert_line "1000"
}

@test "seccomp: overhead benchmark smoke run prints ratios" {
	requires helper sysbench
	run "$REPO_ROOT/bench/seccomp/run.sh" --smoke
	assert_success
	assert_output --regexp 'getpid +[0-9.]+ +[0-9.]+ +[0-9.]+ '
	assert_output --regexp 'geometric mean ratio: default/nosec [0-9.]+x, default/host [0-9.]+x'
}

@test "seccomp: the second run loads the compiled default profile from the cache, and it still denies" {
	set_profile "$(default_profile)"
	sh_c 'vprobe syscall keyctl 0; vprobe seccomp'
	run "$VESSEL" --debug --root "$ROOT" run "$CID"
	assert_success
	assert_output --partial "seccomp cache: miss"
	assert_output --partial "seccomp cache: stored"
	refute_output --partial "seccomp cache: hit"
	local entries=("$ROOT"/@cache/seccomp/*.bpf)
	assert_equal "${#entries[@]}" 1
	assert_equal "$(stat -c %a "$ROOT/@cache/seccomp" "${entries[0]}" | tr '\n' ' ')" "700 600 "

	local second
	second=$(new_id vt)
	run "$VESSEL" --debug --root "$ROOT" run "$second"
	assert_success
	assert_output --regexp "seccomp cache: hit .*\.bpf"
	refute_output --partial "seccomp cache: miss"
	assert_line "keyctl: EPERM (Operation not permitted)"
	assert_line "seccomp 2"

	# A corrupt entry is recompiled and rewritten, never fatal.
	printf 'garbage' >"${entries[0]}"
	run "$VESSEL" --debug --root "$ROOT" run "$(new_id vt)"
	assert_success
	assert_output --partial "seccomp cache: miss"
	assert_line "keyctl: EPERM (Operation not permitted)"
	[[ $(stat -c %s "${entries[0]}") -gt 100 ]] || fail "entry not rewritten"
}

@test "seccomp: the filter cache never collides with a container id (a dot-named id is listed)" {
	set_profile "$(default_profile)"
	sh_c 'true'
	run "$VESSEL" --root "$ROOT" run "$CID"
	assert_success
	[ -d "$ROOT/@cache/seccomp" ] || fail "no cache dir"
	# '@' is not allowed in ids; '.cache', the obvious name, is a valid id.
	run vessel run --detach ".cache" </dev/null
	assert_success
	run vessel list -q
	assert_success
	assert_output ".cache"
	run vessel delete --force ".cache"
	assert_success
	[ -d "$ROOT/@cache/seccomp" ] || fail "delete touched the cache"
}

# runc runs startContainer hooks under the container's filter (its init
# loads it before them); vessel loads it in the hook's own process, so the
# init stays unfiltered until its execve (the profile below kills mkdir, the
# init makes no mkdir anyway; "after the hook" is what the init's order
# protects, tests/security and the close_range tests above).
@test "seccomp: a startContainer hook runs under the container's filter (as runc)" {
	allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL"}]'
	update_config '.process.args = ["test", "-d", "/dev/shm/hook-dir"]
		| .hooks.startContainer = [{path: "/bin/mkdir", args: ["mkdir", "/dev/shm/hook-dir"]}]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "error running hook: startContainer hook #0 /bin/mkdir: killed by signal 31 (SIGSYS: bad system call)"
	# without the rule the hook makes its dir, which the process then sees
	allow_but '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]'
	run vessel run "$CID"
	assert_success
}
