#!/usr/bin/env bats
# OCI hooks: every kind at its point, in order, in the right namespaces,
# with the state on stdin, its own args/env, timeouts and failure policies.

load helpers

# A host-side hook: appends "KIND <state JSON on one line>" to $LOG and the
# namespaces it runs in to $LOG.ns.
make_host_hook() {
	HOOK=$BATS_TEST_TMPDIR/hook.sh
	cat >"$HOOK" <<-'EOF_HOOK'
	#!/bin/sh
	state=$(/usr/bin/tr -d '\n\t ')
	echo "$1 $state" >>"$LOG"
	echo "$1 $(/usr/bin/readlink /proc/self/ns/uts) $(/usr/bin/readlink /proc/self/ns/mnt)" >>"$LOG.ns"
	EOF_HOOK
	chmod +x "$HOOK"
	SHARED=$BATS_TEST_TMPDIR/shared
	mkdir -p "$SHARED"
	LOG=$SHARED/log
}

# hook_json KIND: a hook object running $HOOK for KIND.
hook_json() {
	jq -nc --arg p "$HOOK" --arg k "$1" --arg log "$LOG" \
		'{path: $p, args: ["hook", $k], env: ["LOG=" + $log]}'
}

log_field() { # KIND FIELD
	awk -v k="$1" '$1 == k { print $2; exit }' "$LOG" | jq -r ".$2"
}

@test "hooks: every kind runs at its point, in order, with the state on stdin" {
	make_host_hook
	# startContainer runs in the container, after pivot: its path resolves in
	# the container's root, and it logs through a bind mount.
	start_hook='{"path": "/bin/sh", "env": ["PATH=/bin"],
		"args": ["sh", "-c", "echo \"startContainer $(tr -d \"\\n\\t \")\" >> /shared/log; hostname >> /shared/start-hostname"]}'
	update_config "
		.process.args = [\"true\"] | .hostname = \"hooked\"
		| .mounts += [{destination: \"/shared\", type: \"bind\", source: \"$SHARED\", options: [\"rbind\", \"rw\"]}]
		| .hooks = {prestart: [$(hook_json prestart)], createRuntime: [$(hook_json createRuntime)],
			createContainer: [$(hook_json createContainer)], startContainer: [$start_hook],
			poststart: [$(hook_json poststart)], poststop: [$(hook_json poststop)]}"

	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	pid=$(container_pid "$CID")
	run cut -d' ' -f1 "$LOG"
	assert_output "$(printf '%s\n' prestart createRuntime createContainer)"

	detached vessel start "$CID" || fail "start: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" stopped
	run vessel delete "$CID"
	assert_success
	run cut -d' ' -f1 "$LOG"
	assert_output "$(printf '%s\n' prestart createRuntime createContainer startContainer poststart poststop)"

	for k in prestart createRuntime createContainer; do
		assert_equal "$(log_field $k status)" creating
		assert_equal "$(log_field $k pid)" "$pid"
	done
	assert_equal "$(log_field startContainer status)" created
	assert_equal "$(log_field poststart status)" running
	assert_equal "$(log_field poststart pid)" "$pid"
	assert_equal "$(log_field poststop status)" stopped
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		assert_equal "$(log_field $k id)" "$CID"
		assert_equal "$(log_field $k bundle)" "$BUNDLE"
	done
	run cat "$SHARED/start-hostname"
	assert_output hooked
}

@test "hooks: createContainer runs in the container's namespaces, createRuntime in the runtime's" {
	make_host_hook
	update_config ".process.args = [\"sleep\", \"100\"]
		| .hooks = {createRuntime: [$(hook_json createRuntime)], createContainer: [$(hook_json createContainer)]}"
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	pid=$(container_pid "$CID")
	ctr_uts=$(readlink "/proc/$pid/ns/uts")
	ctr_mnt=$(readlink "/proc/$pid/ns/mnt")
	run awk '$1 == "createContainer" { print $2, $3 }' "$LOG.ns"
	assert_output "$ctr_uts $ctr_mnt"
	run awk '$1 == "createRuntime" { print $2, $3 }' "$LOG.ns"
	assert_output "$(readlink /proc/self/ns/uts) $(readlink /proc/self/ns/mnt)"
}

@test "hooks: args and env are the hook's own, nothing of vessel's environment" {
	cat >"$BATS_TEST_TMPDIR/envhook" <<-EOF_HOOK
	#!/bin/sh
	echo "argv: \$0 \$*" >"$BATS_TEST_TMPDIR/env.out"
	/usr/bin/env >>"$BATS_TEST_TMPDIR/env.out"
	EOF_HOOK
	chmod +x "$BATS_TEST_TMPDIR/envhook"
	update_config ".process.args = [\"true\"]
		| .hooks.prestart = [{path: \"$BATS_TEST_TMPDIR/envhook\", args: [\"envhook\", \"one\", \"two words\"],
			env: [\"FOO=bar\", \"EMPTY=\"]}]"
	export VESSEL_TEST_SECRET=leak
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run cat "$BATS_TEST_TMPDIR/env.out"
	assert_line "argv: $BATS_TEST_TMPDIR/envhook one two words"
	assert_line "FOO=bar"
	assert_line "EMPTY="
	refute_output --partial "VESSEL_TEST_SECRET"
	refute_output --partial "BATS_"
}

@test "hooks: a hook over its timeout is killed and fails create, leaving nothing" {
	update_config '.process.args = ["true"]
		| .hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "37"], timeout: 1}]'
	SECONDS=0
	run vessel create "$CID"
	assert_failure
	((SECONDS < 10)) || fail "create took ${SECONDS}s: the timeout was not enforced"
	assert_output --partial "createRuntime hook #0 /bin/sleep: timed out after 1 s"
	run vessel state "$CID"
	assert_failure
	assert_output --partial "does not exist"
	run pgrep -f "sleep 37"
	assert_failure
}

@test "hooks: a failing prestart fails create, stops the list, leaves nothing" {
	update_config ".process.args = [\"true\"]
		| .hooks.prestart = [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"exit 3\"]},
			{path: \"/bin/touch\", args: [\"touch\", \"$BATS_TEST_TMPDIR/second-ran\"]}]"
	run vessel create "$CID"
	assert_failure
	assert_output --partial "prestart hook #0 /bin/sh: exited with status 3"
	[[ ! -e $BATS_TEST_TMPDIR/second-ran ]] || fail "the hook after the failing one ran"
	run vessel state "$CID"
	assert_failure
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
}

@test "hooks: a missing hook binary fails create with the path" {
	update_config '.process.args = ["true"] | .hooks.createRuntime = [{path: "/no/such/hook"}]'
	run vessel create "$CID"
	assert_failure
	assert_output --partial "createRuntime hook #0 /no/such/hook: exec: No such file or directory"
}

@test "hooks: a failing startContainer fails start" {
	update_config '.process.args = ["true"]
		| .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "exit 5"]}]'
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run vessel start "$CID"
	assert_failure
	assert_output --partial "startContainer hook #0 /bin/sh: exited with status 5"
	run container_status "$CID"
	assert_output stopped
}

@test "hooks: failing poststart and poststop hooks only warn" {
	update_config ".process.args = [\"true\"]
		| .hooks.poststart = [{path: \"/bin/false\"}]
		| .hooks.poststop = [{path: \"/bin/false\"},
			{path: \"/bin/touch\", args: [\"touch\", \"$BATS_TEST_TMPDIR/poststop-2\"]}]"
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run vessel start "$CID"
	assert_success
	assert_output --partial "poststart hook #0 /bin/false: exited with status 1"
	wait_for_status "$CID" stopped
	run vessel delete "$CID"
	assert_success
	assert_output --partial "poststop hook #0 /bin/false: exited with status 1"
	[[ -e $BATS_TEST_TMPDIR/poststop-2 ]] || fail "the poststop hook after the failing one did not run"
	[[ ! -e $ROOT/$CID ]] || fail "delete left the state dir"
}

# create records in state.json how many poststart hooks the config has, so
# that start reads and parses the config only when there are some.
@test "hooks: create records the poststart hooks; start without them does not read the config" {
	update_config '.process.args = ["true"]'
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run jq -r '.vessel.poststartHooks' "$ROOT/$CID/state.json"
	assert_output 0
	# A kept config start could not parse: start must not need it.
	mv "$ROOT/$CID/config.json" "$BATS_TEST_TMPDIR/kept.json"
	echo '{' >"$ROOT/$CID/config.json"
	run vessel start "$CID"
	mv "$BATS_TEST_TMPDIR/kept.json" "$ROOT/$CID/config.json"
	assert_success
	assert_output ""
}

# A container created by a vessel from before that record: its state.json
# has no "vessel" map at all.  start must still find the hooks in the config.
@test "hooks: poststart still runs for a state.json without the record (older vessel)" {
	make_host_hook
	update_config ".process.args = [\"true\"] | .hooks.poststart = [$(hook_json poststart)]"
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	state=$ROOT/$CID/state.json
	run jq -r '.vessel.poststartHooks' "$state"
	assert_output 1
	jq 'del(.vessel.poststartHooks, .vessel.poststopHooks, .vessel.imageStore)
		| if .vessel == {} then del(.vessel) else . end' "$state" \
		>"$state.old"
	chmod 600 "$state.old"
	mv "$state.old" "$state"
	run jq -c 'has("vessel")' "$state"
	assert_output false

	detached vessel start "$CID" || fail "start: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run cut -d' ' -f1 "$LOG"
	assert_output poststart
	assert_equal "$(log_field poststart status)" running
	assert_equal "$(log_field poststart id)" "$CID"
}

# The same for delete: a state.json without poststopHooks/imageStore (an
# older vessel made the container) makes delete read the config, so its
# poststop hooks still run.
@test "hooks: poststop still runs for a state.json without the record (older vessel)" {
	make_host_hook
	update_config ".process.args = [\"true\"] | .hooks.poststop = [$(hook_json poststop)]"
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	state=$ROOT/$CID/state.json
	run jq -c '[.vessel.poststopHooks, .vessel.imageStore]' "$state"
	assert_output '["1","0"]'
	jq 'del(.vessel.poststopHooks, .vessel.imageStore)' "$state" >"$state.old"
	chmod 600 "$state.old"
	mv "$state.old" "$state"
	detached vessel start "$CID" || fail "start: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" stopped
	run vessel delete "$CID"
	assert_success
	run cut -d' ' -f1 "$LOG"
	assert_output poststop
	assert_equal "$(log_field poststop id)" "$CID"
	[ ! -e "$ROOT/$CID" ] || fail "delete left the state dir"
}
