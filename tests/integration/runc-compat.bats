#!/usr/bin/env bats
# Behaviours that runc 1.1.5 has and containerd, podman or a user rely on:
# each test here failed against vessel before it matched runc.

bats_require_minimum_version 1.5.0

load helpers

start_sleeper() {
	set_args sleep 1000
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" running
}

# A command that may hang fails the test after $1 seconds instead.
bounded() {
	local secs=$1
	shift
	timeout -k 2 "$secs" "$@"
}

@test "runc-compat: kill with signal 0 checks liveness" {
	start_sleeper
	run vessel kill "$CID" 0
	assert_success
	assert_output ""
	[ "$(container_status "$CID")" = running ]
	vessel kill "$CID" KILL
	wait_for_status "$CID" stopped
	run vessel kill "$CID" 0
	assert_failure
	assert_output --partial "container not running"
}

@test "runc-compat: exec into a created container runs, and it stays created" {
	set_args true
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run bounded 20 "$VESSEL" --root "$ROOT" exec "$CID" sh -c 'echo in-created; hostname'
	assert_success
	assert_line --index 0 in-created
	[ "$(container_status "$CID")" = created ]
}

@test "runc-compat: exec --ignore-paused into a paused container does not block resume" {
	start_sleeper
	run vessel pause "$CID"
	[ "$status" -eq 0 ] || skip "pause unsupported here: $output"
	wait_for_status "$CID" paused
	"$VESSEL" --root "$ROOT" exec --ignore-paused "$CID" sh -c 'echo joined' \
		>"$BATS_TEST_TMPDIR/o" 2>&1 </dev/null &
	epid=$!
	# The exec's child is frozen now (or soon); resume must not wait on it.
	sleep 0.5
	run bounded 20 "$VESSEL" --root "$ROOT" resume "$CID"
	assert_success
	rc=0
	bounded 20 tail --pid="$epid" -f /dev/null || rc=$?
	[ "$rc" -eq 0 ] || { kill -9 "$epid"; fail "exec still waiting 20 s after resume"; }
	wait "$epid"
	run cat "$BATS_TEST_TMPDIR/o"
	assert_output "joined"
}

@test "runc-compat: a poststart hook can query its container (start does not hold the lock)" {
	set_args sleep 1000
	cat >"$BATS_TEST_TMPDIR/hook.sh" <<HOOK
#!/bin/sh
id=\$(sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
"$VESSEL" --root "$ROOT" state "\$id" >"$BATS_TEST_TMPDIR/hook-state" 2>&1
HOOK
	chmod +x "$BATS_TEST_TMPDIR/hook.sh"
	update_config ".hooks.poststart = [{\"path\": \"$BATS_TEST_TMPDIR/hook.sh\", \"timeout\": 30}]"
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run bounded 20 "$VESSEL" --root "$ROOT" start "$CID"
	assert_success
	run jq -r .id "$BATS_TEST_TMPDIR/hook-state"
	assert_output "$CID"
}

@test "runc-compat: exec --process without a user field runs as the container's user" {
	set_args sleep 1000
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" running
	echo '{"args": ["id", "-u"], "cwd": "/", "env": ["PATH=/bin:/usr/bin"]}' >"$BATS_TEST_TMPDIR/p.json"
	run vessel exec --process "$BATS_TEST_TMPDIR/p.json" "$CID"
	assert_success
	assert_output 1000
	# A user given is still the one used.
	echo '{"args": ["id", "-u"], "cwd": "/", "user": {"uid": 7, "gid": 7}}' >"$BATS_TEST_TMPDIR/p.json"
	run vessel exec --process "$BATS_TEST_TMPDIR/p.json" "$CID"
	assert_success
	assert_output 7
}

@test "runc-compat: a failed hook's error names kind, index, path, signal name and its stderr" {
	update_config '.process.args = ["true"]
		| .hooks.createRuntime = [{path: "/bin/true"},
			{path: "/bin/sh", args: ["sh", "-c", "echo hook-said-this >&2; kill -SYS $$"]}]'
	run vessel create "$CID"
	assert_failure
	assert_output --partial "error running hook: createRuntime hook #1 /bin/sh: killed by signal 31 (SIGSYS: bad system call), stderr: hook-said-this"
	update_config '.hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo first >&2; echo second >&2; exit 4"]}]'
	run vessel create "$CID"
	assert_failure
	assert_output --partial "createRuntime hook #0 /bin/sh: exited with status 4, stderr: first second"
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
}

@test "runc-compat: each hook kind runs in runc's working directory" {
	cat >"$BATS_TEST_TMPDIR/cwdhook" <<-EOF_HOOK
	#!/bin/sh
	echo "\$1 \$(pwd)" >>"$BATS_TEST_TMPDIR/cwd.log"
	EOF_HOOK
	chmod +x "$BATS_TEST_TMPDIR/cwdhook"
	h() { jq -nc --arg p "$BATS_TEST_TMPDIR/cwdhook" --arg k "$1" '{path: $p, args: ["h", $k]}'; }
	update_config ".process.args = [\"true\"] | .process.cwd = \"/tmp\" | .root.readonly = false
		| .hooks = {prestart: [$(h prestart)], createRuntime: [$(h createRuntime)],
			createContainer: [$(h createContainer)], poststart: [$(h poststart)],
			poststop: [$(h poststop)],
			startContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"pwd > /start-cwd\"]}]}"
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere"
	cd "$BATS_TEST_TMPDIR/elsewhere"
	detached vessel create --bundle "$BUNDLE" "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	detached vessel start "$CID" || fail "start: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" stopped
	vessel delete "$CID"
	cd "$BUNDLE"
	run cat "$BATS_TEST_TMPDIR/cwd.log"
	assert_line "prestart $BUNDLE"
	assert_line "createRuntime $BUNDLE"
	assert_line "createContainer $BUNDLE/rootfs"
	assert_line "poststart $BUNDLE"
	assert_line "poststop $BATS_TEST_TMPDIR/elsewhere"
	run cat "$BUNDLE/rootfs/start-cwd"
	assert_output /tmp
}

@test "runc-compat: --debug logs the stages of create, start, exec and delete, in the format asked for" {
	set_args sleep 1000
	local log=$BATS_TEST_TMPDIR/debug.json
	detached vessel --debug --log "$log" --log-format json create "$CID" ||
		fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	vessel --debug --log "$log" --log-format json start "$CID"
	run vessel --debug --log "$log" --log-format json exec "$CID" true
	assert_success
	run vessel --debug --log "$log" --log-format json delete --force "$CID"
	assert_success
	run jq -r 'select(.level == "debug") | .msg' "$log"
	assert_success
	assert_line "create $CID: created"
	assert_line "prepare step rootfs"
	assert_line "init step pivot"
	assert_line --regexp "^start $CID: releasing init pid [0-9]+$"
	assert_line --regexp "^exec $CID: process pid [0-9]+ runs$"
	assert_line --regexp "^delete $CID: status running, killing the init"
	assert_line "delete $CID: removing state dir $ROOT/$CID"

	# text, no --log: on stderr; json, no --log: JSON lines on stderr
	set_args true
	local id
	id=$(new_id t)
	run vessel --debug run "$id"
	assert_success
	assert_line --regexp "^time=\"[0-9T:.Z-]+\" level=debug msg=\"create $id: created\"\$"
	id=$(new_id j)
	run vessel --debug --log-format json run "$id"
	assert_success
	run jq -r 'select(.level == "debug") | .msg' <<<"$output"
	assert_success
	assert_line "create $id: created"
	# and nothing without --debug
	run vessel run "$(new_id q)"
	assert_success
	assert_output ""
}

# A container that may mount: CAP_SYS_ADMIN, no seccomp profile.
mount_capable() {
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]
		| del(.linux.seccomp)'
}

@test "runc-compat: rootfsPropagation unbindable makes the container's root unbindable" {
	mount_capable
	set_cmd 'awk "\$5 == \"/\"" /proc/self/mountinfo; mount --bind / /mnt 2>/dev/null && echo bind-ok || echo bind-refused'
	update_config '.linux.rootfsPropagation = "unbindable"'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 --partial " unbindable "
	assert_line --index 1 bind-refused
	# the same bind is allowed with a private root: the test can tell
	update_config '.linux.rootfsPropagation = "rprivate"'
	run vessel run "$(new_id p)"
	assert_success
	assert_line --index 1 bind-ok
	update_config '.linux.rootfsPropagation = "shared"'
	run vessel run "$(new_id s)"
	assert_success
	assert_line --index 0 --regexp " shared:[0-9]+ "
}

@test "runc-compat: a bind mount with tmpfs options (mode=755,size=1k) is made, the options ignored with a warning" {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	echo from-host >"$BATS_TEST_TMPDIR/src/f"
	update_config ".mounts += [{destination: \"/b\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/src\",
		options: [\"rbind\", \"mode=755\", \"size=1k\"]}]"
	set_args cat /b/f
	run vessel run "$CID"
	assert_success
	assert_line from-host
	assert_line --partial '"mode=755,size=1k" do(es) not apply to a bind mount: ignored'
	# with --log the warning goes to the log, not to the container's output
	run vessel --log "$BATS_TEST_TMPDIR/log" run "$(new_id l)"
	assert_success
	assert_output from-host
	grep -q 'level=warning msg="mounts\[.*\].options: \\"mode=755,size=1k\\"' "$BATS_TEST_TMPDIR/log"
}

@test "runc-compat: a read-only /dev mount still gets /dev/pts, /dev/shm and the devices, then is read-only" {
	update_config '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	set_cmd 'ls /dev/pts/ptmx /dev/null /dev/shm >/dev/null && echo filled; touch /dev/x 2>/dev/null && echo writable || echo read-only; echo ok > /dev/null && echo null-writes'
	run vessel run "$CID"
	assert_success
	assert_output "$(printf 'filled\nread-only\nnull-writes')"
}

# No mount namespace: the host's is shared, so nothing may be mounted.
no_mountns() {
	update_config '.linux.namespaces |= map(select(.type != "mount")) | .mounts = []
		| del(.linux.maskedPaths, .linux.readonlyPaths, .linux.rootfsPropagation)
		| .root.readonly = false'
}

@test "runc-compat: a container without a mount namespace runs chrooted in the host's" {
	no_mountns
	echo in-the-rootfs >"$BUNDLE/rootfs/marker"
	set_args sleep 1000
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	wait_for_status "$CID" running
	pid=$(container_pid "$CID")
	assert_equal "$(readlink "/proc/$pid/ns/mnt")" "$(readlink /proc/self/ns/mnt)"
	assert_equal "$(stat -L -c %d:%i "/proc/$pid/root")" "$(stat -c %d:%i "$BUNDLE/rootfs")"
	run vessel exec "$CID" cat /marker
	assert_success
	assert_output in-the-rootfs
	run grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo
	assert_failure
	vessel delete --force "$CID"
	# nothing was mounted in the host's namespace (the rootfs, /proc...)
	run grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo
	assert_failure
}

@test "runc-compat: without a mount namespace, what needs a mount is refused by name" {
	no_mountns
	set_args true
	update_config '.mounts = [{destination: "/proc", type: "proc", source: "proc"}]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "mounts: needs a mount namespace (linux.namespaces has none"
	update_config '.mounts = [] | .linux.maskedPaths = ["/proc/kcore"]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.maskedPaths: needs a mount namespace"
	update_config 'del(.linux.maskedPaths) | .root.readonly = true'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "root.readonly: needs a mount namespace"
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
}

@test "runc-compat: in a user namespace, a bind source the mapped root cannot reach is opened by vessel" {
	userns_100000
	# 0700 root-owned on the host: uid 100000 cannot walk into it
	mkdir -p "$BATS_TEST_TMPDIR/private/data"
	chmod 0700 "$BATS_TEST_TMPDIR/private"
	chmod 0755 "$BATS_TEST_TMPDIR/private/data"
	echo host-data >"$BATS_TEST_TMPDIR/private/data/f"
	chmod 0644 "$BATS_TEST_TMPDIR/private/data/f"
	update_config ".mounts += [{destination: \"/data\", type: \"bind\", source: \"$BATS_TEST_TMPDIR/private/data\",
		options: [\"rbind\", \"ro\"]}]"
	set_args cat /data/f
	run vessel run "$CID"
	assert_success
	assert_output host-data
}

@test "runc-compat: hooks that run vessel state or list do not wait on the lock of the command running them" {
	cat >"$BATS_TEST_TMPDIR/q.sh" <<-EOF_HOOK
	#!/bin/sh
	id=\$(sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
	echo "\$1: \$("$VESSEL" --root "$ROOT" state "\$id" 2>&1 | tr -d "\n" | cut -c1-120)" >>"$BATS_TEST_TMPDIR/q.log"
	"$VESSEL" --root "$ROOT" list -q >>"$BATS_TEST_TMPDIR/q.log" 2>&1
	EOF_HOOK
	chmod +x "$BATS_TEST_TMPDIR/q.sh"
	h() { jq -nc --arg p "$BATS_TEST_TMPDIR/q.sh" --arg k "$1" '{path: $p, args: ["q", $k], timeout: 30}'; }
	set_args true
	update_config ".hooks = {createRuntime: [$(h createRuntime)], poststop: [$(h poststop)]}"
	run bounded 60 "$VESSEL" --root "$ROOT" run "$CID"
	assert_success
	run cat "$BATS_TEST_TMPDIR/q.log"
	assert_line --partial "createRuntime: vessel: state: container \"$CID\" does not exist"
	assert_line --partial "poststop: vessel: state: container \"$CID\" does not exist"
	refute_output --partial "timed out"
}

# runc's suite and the shims' users grep a --debug log for runc's words at
# the points of the spawn they name; vessel logs its own step with runc's
# name for the same point beside it, in text (logfmt) and JSON, on stderr
# (the init's lines through its copy of the caller's stderr, never the
# container's own) or in --log.
@test "runc-compat: --debug names runc's equivalent stages, logfmt or JSON, on stderr or in --log" {
	set_args true
	local id
	id=$(new_id t)
	run --separate-stderr vessel --debug run "$id"
	assert_success
	assert_output ""
	run echo "$stderr"
	assert_line --regexp '^time="[^"]+" level=debug msg="init step namespaces \(runc: nsexec container setup\)"$'
	assert_line --partial 'msg="init step identity (runc: child process in init())"'
	assert_line --partial 'msg="init step ready (runc: init: closing the pipe to signal completion)"'
	# JSON in --log, nothing of it on stderr
	local log=$BATS_TEST_TMPDIR/debug.json
	run --separate-stderr vessel --debug --log "$log" --log-format json run "$(new_id j)"
	assert_success
	[[ $stderr != *debug* ]] || fail "debug lines on stderr with --log: $stderr"
	run jq -r 'select(.level == "debug") | .msg' "$log"
	assert_line "init step namespaces (runc: nsexec container setup)"
	assert_line "init step ready (runc: init: closing the pipe to signal completion)"
	# exec: its two stages report through vessel
	set_args sleep 1000
	detached vessel run -d "$CID" || fail "run: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run --separate-stderr vessel --debug exec "$CID" true
	assert_success
	run echo "$stderr"
	assert_line --partial "(runc: nsexec container setup)"
	assert_line --partial "(runc: child process in init())"
	assert_line --partial "(runc: setns_init: about to exec)"
}
