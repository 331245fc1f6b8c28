#!/usr/bin/env bats
# config.json edges found by an outside tester and the conformance review,
# each through the CLI: the message, the exit status, and nothing left behind
# (no state dir, so `vessel list` is empty) when the config is refused; the
# log line (--log, --log-format json) when it is accepted with a warning.

load helpers

# refused MESSAGE: `vessel create` fails with exit 1 and MESSAGE, and leaves
# no trace of $CID.
refused() {
	# not `run`: a create that wrongly succeeds leaves an init holding the
	# pipe `run` would read to its end
	local status=0 output
	vessel create "$CID" >"$BATS_TEST_TMPDIR/create.out" 2>&1 </dev/null || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/create.out")
	[[ $status -eq 1 ]] || fail "create exited $status, expected 1: $output"
	[[ $output == *"$1"* ]] || fail "expected \"$1\" in: $output"
	[[ ! -e $ROOT/$CID ]] || fail "state dir $ROOT/$CID left behind"
	output=$(vessel list -q)
	[[ -z $output ]] || fail "vessel list shows: $output"
}

@test "a NUL escape in a string is refused, naming the field" {
	update_config '.hostname = "ves\u0000sel"'
	refused 'vessel: create: config.json: hostname: string contains a NUL byte'
}

@test "a NUL in an array element, an env entry or a mount option is refused" {
	update_config '.process.args = ["sh", "-c\u0000x"]'
	refused 'config.json: process.args[1]: string contains a NUL byte'
	update_config '.process.args = ["sh"] | .process.env += ["A=b\u0000c"]'
	refused 'config.json: process.env[2]: string contains a NUL byte'
	update_config '.process.env |= .[:2] | .mounts[0].options = ["nosuid\u0000,exec"]'
	refused 'config.json: mounts[0].options[0]: string contains a NUL byte'
}

@test "a NUL in an object key is refused" {
	update_config '.annotations = {"org.a\u0000b": "x"}'
	refused 'config.json: annotations.org.a: key contains a NUL byte'
}

@test "an escaped backslash before u0000 is not a NUL and runs" {
	update_config '.hostname = "a\\u0000b"'
	set_args cat /proc/sys/kernel/hostname
	run vessel run "$CID"
	[[ $status -eq 0 ]] || fail "run: $status: $output"
	[[ $output == 'a\u0000b' ]] || fail "hostname: $output"
}

@test "uidMappings without a user namespace is refused" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	refused 'config.json: linux.uidMappings: id mappings given, but linux.namespaces has no user namespace'
}

@test "gidMappings without a user namespace is refused" {
	update_config '.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	refused 'config.json: linux.gidMappings: id mappings given, but linux.namespaces has no user namespace'
}

@test "empty uidMappings without a user namespace are accepted (runc too)" {
	update_config '.linux.uidMappings = [] | .linux.gidMappings = []'
	set_args true
	run vessel run "$CID"
	[[ $status -eq 0 ]] || fail "run: $status: $output"
}

@test "a relative mount destination runs under / with a warning, as runc 1.1.5 does" {
	update_config '.mounts += [{"destination": "relmnt", "type": "tmpfs", "source": "tmpfs"}]'
	set_args sh -c 'grep " /relmnt " /proc/self/mountinfo'
	run "$VESSEL" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log" --log-format json run "$CID"
	[[ $status -eq 0 ]] || fail "run: $status: $output"
	[[ $output == *" /relmnt "*tmpfs* ]] || fail "no tmpfs at /relmnt: $output"
	run jq -r 'select(.level == "warning") | .msg' "$BATS_TEST_TMPDIR/log"
	[[ $output == *'config.json: mounts['*'].destination: "relmnt" is not absolute: taken as relative to "/" (deprecated)'* ]] ||
		fail "no warning in the json log: $output"
}

@test "memory.kernel and kernelTCP are ignored with a warning in the log, not refused" {
	update_config '.linux.resources.memory = {"kernel": 67108864, "kernelTCP": 16777216}'
	set_args true
	run "$VESSEL" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log" --log-format json run "$CID"
	[[ $status -eq 0 ]] || fail "run: $status: $output"
	run jq -r 'select(.level == "warning") | .msg' "$BATS_TEST_TMPDIR/log"
	[[ $output == *'config.json: linux.resources.memory.kernel: deprecated and ignored'* ]] ||
		fail "no kernel warning in the json log: $output"
	[[ $output == *'config.json: linux.resources.memory.kernelTCP: deprecated and ignored'* ]] ||
		fail "no kernelTCP warning in the json log: $output"
	run jq -r 'select(.level == "error") | .msg' "$BATS_TEST_TMPDIR/log"
	[[ -z $output ]] || fail "errors logged: $output"
}

@test "update --resources with memory.kernel warns and goes on" {
	set_args sleep 100
	detached vessel run -d "$CID"
	printf '{"memory": {"kernel": 1048576}, "pids": {"limit": 100}}' >"$BATS_TEST_TMPDIR/r.json"
	run "$VESSEL" --root "$ROOT" --log "$BATS_TEST_TMPDIR/log" update --resources "$BATS_TEST_TMPDIR/r.json" "$CID"
	[[ $status -eq 0 ]] || fail "update: $status: $output"
	grep -q 'warning.*memory.kernel: deprecated and ignored' "$BATS_TEST_TMPDIR/log" ||
		fail "no warning in the log: $(cat "$BATS_TEST_TMPDIR/log")"
}

@test "device rule access: any mix of r, w, m runs; other letters are ignored with a warning (runc); none left is refused" {
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "mwr"}, {"allow": true, "type": "c", "major": 1, "minor": 5, "access": "rrw"}]'
	set_args sh -c 'echo x >/dev/null && head -c1 /dev/zero | wc -c'
	run vessel run "$CID"
	[[ $status -eq 0 ]] || fail "run: $status: $output"
	[[ $output == 1 ]] || fail "output: $output"
	# runc's own update test writes "rwa": the a is dropped, rw stays
	CID=$(new_id vt)
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwa"}]'
	set_args sh -c 'echo x >/dev/null && echo ok'
	run vessel run "$CID"
	[[ $status -eq 0 ]] || fail "run rwa: $status: $output"
	assert_output --partial 'linux.resources.devices[1].access: letters other than r, w, m are ignored'
	assert_line ok
	local a
	for a in a x ""; do
		CID=$(new_id vt)
		update_config ".linux.resources.devices = [{\"allow\": true, \"access\": \"$a\"}]"
		refused "config.json: linux.resources.devices[0].access: no access in \"$a\" (expected letters of \"rwm\")"
	done
}
