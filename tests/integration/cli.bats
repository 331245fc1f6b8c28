#!/usr/bin/env bats
# The command-line frame: global options, dispatch, per-command --help,
# usage errors, the --log file (text and JSON), and the commands that only
# report they are unsupported.

load helpers

# Every command `vessel --help` lists (so new commands are covered too).
all_commands() {
	"$VESSEL" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

@test "--version prints version, commit and spec version" {
	run "$VESSEL" --version
	assert_success
	assert_line --regexp '^vessel version [0-9]+\.[0-9]+\.[0-9]+'
	assert_line --regexp '^commit: [0-9a-f]+|^commit: unknown'
	assert_line 'spec: 1.3.0'
	run "$VESSEL" -v
	assert_success
	assert_line 'spec: 1.3.0'
}

@test "--help lists every command and the global options, exit 0" {
	run "$VESSEL" --help
	assert_success
	for c in create start run state kill delete list exec pause resume update ps events spec features image bundle checkpoint restore; do
		assert_line --regexp "^  $c "
	done
	for o in --root --log --log-format --debug --systemd-cgroup --version --help; do
		assert_output --partial "$o"
	done
	run "$VESSEL" help
	assert_success
	assert_line --regexp '^  create '
}

@test "every command answers --help and -h with its usage, exit 0" {
	local cmds
	cmds=$(all_commands)
	[ "$(wc -l <<<"$cmds")" -ge 18 ]
	for c in $cmds; do
		[ "$c" = help ] && continue
		run "$VESSEL" "$c" --help
		[ "$status" -eq 0 ] || fail "vessel $c --help exited $status: $output"
		assert_line --regexp "^usage: vessel $c( |$)"
		assert_output --partial -- "--help"
		run "$VESSEL" "$c" -h
		[ "$status" -eq 0 ] || fail "vessel $c -h exited $status"
	done
}

@test "help COMMAND is COMMAND --help" {
	run "$VESSEL" help spec
	assert_success
	local via_help=$output
	run "$VESSEL" spec --help
	assert_success
	assert_equal "$output" "$via_help"
	run "$VESSEL" help nosuchcommand
	assert_failure 1
	assert_output --partial "unknown command 'nosuchcommand'"
}

@test "no command: usage on stderr, exit 1" {
	run "$VESSEL"
	assert_failure 1
	assert_output --partial "usage: vessel"
	assert_output --partial "missing command"
}

@test "unknown command: error with usage, exit 1" {
	run "$VESSEL" frobnicate
	assert_failure 1
	assert_output --partial "usage: vessel"
	assert_line "vessel: unknown command 'frobnicate' (see 'vessel --help')"
}

@test "unknown global option: exit 1 naming it" {
	run "$VESSEL" --frobnicate list
	assert_failure 1
	assert_output --partial "unknown global option '--frobnicate'"
	run "$VESSEL" --root
	assert_failure 1
	assert_output --partial "option '--root' needs an argument"
}

@test "--root: empty is refused; a relative one is resolved against the cwd" {
	run "$VESSEL" --root "" list
	assert_failure 1
	assert_output --partial "--root: empty path"
	# Created from one directory with a relative root, the container is
	# found from another one through the absolute path.
	update_config '.process.args = ["sleep", "100"]'
	cd "$BATS_TEST_TMPDIR"
	# (not `run`: the detached container would hold bats's output pipe open)
	"$VESSEL" --root state-rel run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" ||
		fail "run -d with a relative --root: $(cat "$BATS_TEST_TMPDIR/err")"
	cd /
	run "$VESSEL" --root "$BATS_TEST_TMPDIR/state-rel" state "$CID"
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" running
	run "$VESSEL" --root "$BATS_TEST_TMPDIR/state-rel" delete --force "$CID"
	assert_success
	# Only the runtime's own cache may stay: no container state.
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/state-rel" | grep -vx '@cache')" ]
}

@test "unknown command option: usage error naming option and command, exit 1" {
	for c in $(all_commands); do
		[ "$c" = help ] && continue
		run "$VESSEL" "$c" --no-such-option
		[ "$status" -eq 1 ] || fail "vessel $c --no-such-option exited $status"
		assert_output --partial "vessel: $c: unknown option '--no-such-option' (see 'vessel $c --help')"
	done
	run "$VESSEL" spec -Z
	assert_failure 1
	assert_output --partial "spec: unknown option '-Z'"
	run "$VESSEL" spec --bundle
	assert_failure 1
	assert_output --partial "spec: option '--bundle' needs an argument"
}

@test "long options also take a single dash, as runc's CLI does" {
	run "$VESSEL" -root "$ROOT" -log "$BATS_TEST_TMPDIR/l" -log-format json checkpoint c1
	assert_failure 1
	jq -e . "$BATS_TEST_TMPDIR/l" >/dev/null
	mkdir "$BATS_TEST_TMPDIR/sd"
	run "$VESSEL" spec -bundle "$BATS_TEST_TMPDIR/sd"
	assert_success
	[ -f "$BATS_TEST_TMPDIR/sd/config.json" ]
}

@test "--log-format: bogus value rejected, exit 1" {
	run "$VESSEL" --log-format yaml list
	assert_failure 1
	assert_output --partial "--log-format: unknown format 'yaml' (text or json)"
}

@test "--log-format json: every error is one JSON line in --log, and once on stderr" {
	local log=$BATS_TEST_TMPDIR/vessel.log
	run "$VESSEL" --root "$ROOT" --log "$log" --log-format json checkpoint c1
	assert_failure 1
	# stderr: printed exactly once
	assert_equal "${#lines[@]}" 1
	assert_line 'vessel: checkpoint: container "c1" does not exist'
	[ "$(wc -l <"$log")" -eq 1 ]
	run jq -r '[.level, .msg] | @tsv' "$log"
	assert_success
	assert_output "$(printf 'error\tcheckpoint: container "c1" does not exist')"
	run jq -r '.time' "$log"
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
}

@test "--log-format json: a failing create leaves its reason as the last error line (what containerd's shim reads)" {
	local log=$BATS_TEST_TMPDIR/shim.log
	update_config 'del(.process.args)'
	run vessel --log "$log" --log-format json create --bundle "$BUNDLE" "$CID"
	assert_failure 1
	assert_output "vessel: create: config.json: process.args: missing required field"
	run jq -rs '[.[] | select(.level == "error")] | last | .msg' "$log"
	assert_output "create: config.json: process.args: missing required field"
	# an error from inside the container's init travels back the same way
	update_config '.process.args = ["/no/such/binary"]'
	run vessel --log "$log" --log-format json run --bundle "$BUNDLE" "$CID"
	assert_failure
	run jq -rs '[.[] | select(.level == "error")] | last | .msg' "$log"
	assert_output --partial "/no/such/binary"
	[ ! -e "$ROOT/$CID" ]
}

@test "--log is appended to, never truncated; usage errors reach it too" {
	local log=$BATS_TEST_TMPDIR/vessel.log
	echo '{"level":"info","msg":"earlier","time":"x"}' >"$log"
	run "$VESSEL" --log "$log" --log-format json restore c1
	assert_failure 1
	run "$VESSEL" --log "$log" --log-format json kill --bogus
	assert_failure 1
	run "$VESSEL" --log "$log" --log-format json --bogus list
	assert_failure 1
	[ "$(wc -l <"$log")" -eq 4 ]
	run jq -s -r '.[0].msg, (.[1:][] | .level + " " + .msg)' "$log"
	assert_success
	assert_line --index 0 "earlier"
	assert_line --index 1 "error restore: --image-path checkpoint: No such file or directory"
	assert_line --index 2 --partial "error kill: unknown option '--bogus'"
	assert_line --index 3 --partial "error unknown global option '--bogus'"
}

@test "--debug: debug messages reach the --log file, and only with --debug" {
	requires seccomp
	# the seccomp compiler logs unknown syscall names at debug level
	update_config '.process.args = ["true"] | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["vessel_no_such_syscall"], "action": "SCMP_ACT_ERRNO"}]}'
	local quiet=$BATS_TEST_TMPDIR/quiet.log loud=$BATS_TEST_TMPDIR/debug.log
	run vessel --log "$quiet" --log-format json run "$(new_id q)"
	assert_success
	run vessel --debug --log "$loud" --log-format json run "$(new_id d)"
	assert_success
	run jq -r 'select(.level == "debug") | .msg' "$quiet"
	assert_output ""
	run jq -r 'select(.level == "debug") | .msg' "$loud"
	assert_output --partial 'unknown syscall "vessel_no_such_syscall" skipped'
}

@test "--log with text format writes time, level and message (logfmt, as runc)" {
	local log=$BATS_TEST_TMPDIR/vessel.txt
	run "$VESSEL" --log "$log" checkpoint c1
	assert_failure 1
	run cat "$log"
	assert_output --regexp '^time="[0-9]{4}-[0-9-]+T[0-9:.]+Z" level=error msg="checkpoint: container \\"c1\\" does not exist'
}

@test "--log in a missing directory fails clearly" {
	run "$VESSEL" --log /nonexistent-dir/x.log list
	assert_failure 1
	assert_output --partial "--log /nonexistent-dir/x.log: No such file or directory"
}

@test "--rootless true is refused as root of the host; false and auto are accepted" {
	requires root
	run "$VESSEL" --rootless true list
	assert_failure 1
	assert_output --partial "--rootless true: vessel runs as root of the host here"
	run "$VESSEL" --rootless false features
	assert_success
	run "$VESSEL" --rootless auto features
	assert_success
}

@test "checkpoint and restore accept runc's flags; bad input fails clearly" {
	run "$VESSEL" --root "$ROOT" checkpoint --image-path /tmp/x --leave-running --tcp-established c1
	assert_failure 1
	assert_output 'vessel: checkpoint: container "c1" does not exist'
	run "$VESSEL" --root "$ROOT" restore -d -b "$BUNDLE" --image-path "$BATS_TEST_TMPDIR/x" --pid-file /tmp/p c1
	assert_failure 1
	assert_output "vessel: restore: --image-path $BATS_TEST_TMPDIR/x: No such file or directory"
	[ ! -e "$ROOT/c1" ]
	run "$VESSEL" checkpoint
	assert_failure 1
	assert_output --partial "checkpoint: missing container id"
	run "$VESSEL" checkpoint --help
	assert_success
	assert_output --partial "with CRIU"
	[ ! -e /tmp/p ] || [ "$(stat -c %Y /tmp/p)" -lt "$(date +%s -d '-1 min')" ]
}

@test "features: valid JSON describing what vessel implements" {
	run "$VESSEL" features
	assert_success
	local f=$output
	jq -e . <<<"$f" >/dev/null
	assert_equal "$(jq -r .ociVersionMin <<<"$f")" "1.0.0"
	assert_equal "$(jq -r .ociVersionMax <<<"$f")" "1.3.0"
	assert_equal "$(jq -c .hooks <<<"$f")" \
		'["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
	jq -e '.mountOptions | index("rbind") and index("ro") and index("rro") and index("nosuid")' <<<"$f"
	jq -e '.linux.namespaces | sort == ["cgroup","ipc","mount","network","pid","time","user","uts"]' <<<"$f"
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") and index("CAP_CHOWN") and index("CAP_CHECKPOINT_RESTORE")' <<<"$f"
	jq -e '.linux.capabilities | all(test("^CAP_[A-Z_]+$"))' <<<"$f"
	jq -e '.linux.cgroup == {"v1":false,"v2":true,"systemd":true,"systemdUser":true,"rdma":true}' <<<"$f"
	jq -e '.linux.seccomp.enabled == true' <<<"$f"
	jq -e '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") and index("SCMP_ACT_ERRNO")' <<<"$f"
	jq -e '.linux.seccomp.operators | length == 7' <<<"$f"
	jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64") and index("SCMP_ARCH_AARCH64")' <<<"$f"
	jq -e '.linux.seccomp as $s | $s.supportedFlags - $s.knownFlags == []' <<<"$f"
	jq -e '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_LOG")' <<<"$f"
	jq -e '.linux.apparmor.enabled == false and .linux.selinux.enabled == false and .linux.intelRdt.enabled == false' <<<"$f"
	jq -e '.linux.mountExtensions.idmap.enabled == true' <<<"$f"
	jq -e '.annotations["io.github.vessel.version"] | test("^[0-9]+\\.[0-9]+\\.[0-9]+")' <<<"$f"
	jq -e '.annotations["io.github.seccomp.libseccomp.version"] | test("^2\\.")' <<<"$f"
	jq -e '.potentiallyUnsafeConfigAnnotations | index("run.vessel.rootfs.overlay.") and index("run.vessel.image.")' <<<"$f"
}

@test "features: every capability it lists is one the kernel knows" {
	local last
	last=$(cat /proc/sys/kernel/cap_last_cap)
	run "$VESSEL" features
	assert_success
	local n
	n=$(jq '.linux.capabilities | length' <<<"$output")
	[ "$n" -ge 38 ]
	[ "$n" -le $((last + 1)) ]
}

@test "features takes no arguments" {
	run "$VESSEL" features extra
	assert_failure 1
	assert_output --partial "features: unexpected argument 'extra'"
}

@test "--help lists every global option vessel accepts" {
	run "$VESSEL" --help
	assert_success
	for opt in root log log-format debug systemd-cgroup rootless criu version help; do
		[[ $output == *"--$opt "* ]] || fail "--$opt missing from --help"
	done
}
