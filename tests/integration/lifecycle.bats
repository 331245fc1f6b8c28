#!/usr/bin/env bats
# The container lifecycle: create, start, run, state, kill, delete, list;
# their flags, exit codes, error wording (containerd matches on it), ids,
# locking, and cleanup after failures.

load helpers

@test "lifecycle: run returns the container's exit status and deletes it" {
	set_cmd 'echo hello; exit 3'
	run vessel run "$CID"
	assert_failure 3
	assert_output hello
	run vessel state "$CID"
	assert_failure
	assert_output --partial "container \"$CID\" does not exist"
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: run exits 0 for a successful container" {
	set_args true
	run vessel run "$CID"
	assert_success
	assert_output ""
}

@test "lifecycle: create leaves the init blocked, start runs it, states follow" {
	update_config '.root.readonly = false'
	set_cmd 'echo started > /started; sleep 100'
	run detached vessel create --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
	assert_success
	assert_output ""
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$(state_field "$CID" pid)" = "$pid" ]
	[ "$(state_field "$CID" status)" = created ]
	[ "$(state_field "$CID" id)" = "$CID" ]
	[ "$(state_field "$CID" bundle)" = "$BUNDLE" ]
	[ "$(state_field "$CID" rootfs)" = "$BUNDLE/rootfs" ]
	[ "$(state_field "$CID" ociVersion)" = 1.3.0 ]
	run state_field "$CID" created
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
	# The init outlived `vessel create` and has not executed the user process.
	kill -0 "$pid"
	[ ! -e "$BUNDLE/rootfs/started" ]
	grep -q 'vessel:init' "/proc/$pid/comm"

	run vessel start "$CID"
	assert_success
	[ "$(state_field "$CID" status)" = running ]
	retry 50 0.1 test -e "$BUNDLE/rootfs/started"
	# pid 1 of the container is the user process itself.
	[ "$(state_field "$CID" pid)" = "$pid" ]
	run cat "/proc/$pid/comm"
	assert_output sleep

	run vessel kill "$CID" KILL
	assert_success
	wait_for_status "$CID" stopped
	[ "$(state_field "$CID" pid)" = 0 ]
	run vessel delete "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: start of a running or stopped container is an error" {
	set_args sleep 100
	detached vessel run -d "$CID"
	run vessel start "$CID"
	assert_failure
	assert_output --partial "cannot start an already running container"
	vessel kill "$CID" KILL
	wait_for_status "$CID" stopped
	run vessel start "$CID"
	assert_failure
	assert_output --partial "cannot start a container that has stopped"
}

@test "lifecycle: start never hangs when the created init died" {
	set_args true
	detached vessel create "$CID"
	pid=$(container_pid "$CID")
	kill -9 "$pid"
	retry 50 0.1 sh -c "! kill -0 $pid 2>/dev/null || grep -q '^State:.*Z' /proc/$pid/status"
	run timeout 10 "$VESSEL" --root "$ROOT" start "$CID"
	assert_failure 1
	assert_output --partial "cannot start a container that has stopped"
	[ "$(state_field "$CID" status)" = stopped ]
}

@test "lifecycle: an exec failure at start is reported by start" {
	# The file exists when create resolves it, is gone when the init execs.
	printf '#!/bin/sh\necho hi\n' >"$BUNDLE/rootfs/bin/vanishing"
	chmod +x "$BUNDLE/rootfs/bin/vanishing"
	set_args /bin/vanishing
	detached vessel create "$CID"
	rm "$BUNDLE/rootfs/bin/vanishing"
	run vessel start "$CID"
	assert_failure
	assert_output --partial "exec /bin/vanishing"
	assert_output --partial "No such file or directory"
}

@test "lifecycle: a missing executable fails create and leaves nothing" {
	set_args no-such-binary
	run vessel create "$CID"
	assert_failure
	assert_output --partial 'exec "no-such-binary": executable file not found in $PATH'
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: create of an existing id fails with 'already exists'" {
	set_args sleep 100
	detached vessel create "$CID"
	run vessel create "$CID"
	assert_failure
	assert_output --partial "container \"$CID\" already exists"
	[ "$(state_field "$CID" status)" = created ]
}

@test "lifecycle: two concurrent creates of one id: exactly one wins" {
	set_args sleep 100
	local pids=()
	for i in 1 2 3 4; do
		# errexit is inherited by the subshell: capture the status with ||.
		(rc=0; "$VESSEL" --root "$ROOT" create "$CID" >"$BATS_TEST_TMPDIR/out.$i" 2>&1 </dev/null || rc=$?
		 echo $rc >"$BATS_TEST_TMPDIR/rc.$i") &
		pids+=($!)
	done
	# Only our jobs: with BATS_TEST_TIMEOUT bats runs a watchdog job too.
	wait "${pids[@]}"
	run cat "$BATS_TEST_TMPDIR"/rc.*
	[ "$(grep -c '^0$' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^1$' <<<"$output")" -eq 3 ]
	run cat "$BATS_TEST_TMPDIR"/out.*
	[ "$(grep -c 'already exists' <<<"$output")" -eq 3 ]
	[ "$(state_field "$CID" status)" = created ]
}

@test "lifecycle: invalid container ids are refused and create nothing" {
	for id in ../escape a/b . .. "" "has space" "$(printf 'x%.0s' {1..1100})"; do
		run vessel create "$id"
		assert_failure
		assert_output --partial "invalid container id"
	done
	run ls -A "$ROOT"
	assert_output ""
	[ ! -e "$BATS_TEST_TMPDIR/escape" ]
}

@test "lifecycle: state, kill, start, delete of a missing container say 'does not exist'" {
	for cmd in state start kill delete; do
		run vessel "$cmd" nosuch
		assert_failure
		assert_output --partial 'container "nosuch" does not exist'
	done
}

@test "lifecycle: delete --force of a missing container succeeds" {
	run vessel delete --force nosuch
	assert_success
	# A state dir a crashed create left (no state.json) is cleaned up too.
	mkdir -p "$ROOT/crashed" && touch "$ROOT/crashed/lock"
	run vessel delete --force crashed
	assert_success
	[ ! -e "$ROOT/crashed" ]
}

@test "lifecycle: kill accepts names, SIG names and numbers" {
	set_args vprobe signals
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	retry 50 0.1 test -n "$(cat /proc/"$(container_pid "$CID")"/comm)"
	for sig in USR1 SIGUSR2 hup 10; do
		run vessel kill "$CID" "$sig"
		assert_success
	done
	run vessel kill "$CID" NOTASIGNAL
	assert_failure
	assert_output --partial 'invalid signal "NOTASIGNAL"'
	run vessel kill "$CID" 99999
	assert_failure
	assert_output --partial "invalid signal"
	run vessel kill "$CID" SIGTERM
	assert_success
	wait_for_status "$CID" stopped
}

@test "lifecycle: kill delivers the signal to the container's init" {
	update_config '.root.readonly = false'
	set_cmd 'trap "echo got-usr1 > /got; exit 0" USR1; while :; do sleep 0.1; done'
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	sleep 0.3
	vessel kill "$CID" USR1
	retry 50 0.1 test -e "$BUNDLE/rootfs/got"
	wait_for_status "$CID" stopped
}

@test "lifecycle: kill of a stopped container fails with 'container not running'" {
	set_args true
	detached vessel run -d "$CID"
	wait_for_status "$CID" stopped
	run vessel kill "$CID" KILL
	assert_failure
	assert_output --partial "container not running"
}

@test "lifecycle: kill --all signals every process of the container" {
	set_cmd 'sleep 1000 & sleep 1000 & trap "" TERM; while :; do sleep 1; done'
	detached vessel run -d "$CID"
	wait_for_status "$CID" running
	pid=$(container_pid "$CID")
	retry 50 0.1 test "$(pgrep -c -P "$pid")" -ge 2
	children=$(pgrep -P "$pid" | tr '\n' ' ')
	vessel kill --all "$CID" KILL
	wait_for_status "$CID" stopped
	for c in $children; do
		retry 50 0.1 sh -c "! kill -0 $c 2>/dev/null"
	done
}

@test "lifecycle: a recycled pid is never mistaken for the init" {
	set_args sleep 100
	detached vessel create "$CID"
	pid=$(container_pid "$CID")
	vessel delete --force "$CID" || true
	# Forge a state whose pid is a live process of ours (this shell) but
	# whose recorded start time is someone else's.
	set_args sleep 100
	detached vessel create "$CID"
	jq --argjson p $$ '.pid = $p | .initStartTime = 1' "$ROOT/$CID/state.json" >"$BATS_TEST_TMPDIR/s"
	real=$(jq .pid "$ROOT/$CID/state.json")
	cp "$ROOT/$CID/state.json" "$BATS_TEST_TMPDIR/real-state"
	cp "$BATS_TEST_TMPDIR/s" "$ROOT/$CID/state.json"
	[ "$(state_field "$CID" status)" = stopped ]
	run vessel kill "$CID" KILL
	assert_failure
	assert_output --partial "container not running"
	kill -0 $$
	cp "$BATS_TEST_TMPDIR/real-state" "$ROOT/$CID/state.json"
	[ "$(state_field "$CID" pid)" = "$real" ]
}

@test "lifecycle: delete refuses a running container, --force kills it" {
	set_args sleep 100
	detached vessel run -d "$CID"
	pid=$(container_pid "$CID")
	run vessel delete "$CID"
	assert_failure
	assert_output --partial "cannot delete container $CID that is not stopped: running"
	kill -0 "$pid"
	run vessel delete --force "$CID"
	assert_success
	retry 50 0.1 sh -c "! kill -0 $pid 2>/dev/null || grep -q '^State:.*Z' /proc/$pid/status"
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: delete of a created container kills its init" {
	set_args sleep 100
	detached vessel create "$CID"
	pid=$(container_pid "$CID")
	run vessel delete "$CID"
	assert_success
	retry 50 0.1 sh -c "! kill -0 $pid 2>/dev/null || grep -q '^State:.*Z' /proc/$pid/status"
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: delete cleans up a container whose processes vanished" {
	set_args sleep 100
	detached vessel run -d "$CID"
	pid=$(container_pid "$CID")
	kill -9 "$pid"
	wait_for_status "$CID" stopped
	# As after a reboot: the cgroup is gone as well.
	cg=$(jq -r '.cgroupPath // empty' "$ROOT/$CID/state.json")
	mnt=$(cgroup2_mount)
	if [ -n "$cg" ] && [ -n "$mnt" ]; then
		retry 50 0.1 rmdir "$mnt$cg"
	fi
	run vessel delete "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: list shows containers as a table, JSON and ids" {
	set_args sleep 100
	other=$(new_id other)
	detached vessel create "$CID"
	detached vessel run -d "$other"
	run vessel list
	assert_success
	assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
	assert_line --regexp "^$CID +[0-9]+ +created +$BUNDLE "
	assert_line --regexp "^$other +[0-9]+ +running +$BUNDLE "
	run vessel list -q
	assert_success
	assert_line "$CID"
	assert_line "$other"
	[ "${#lines[@]}" -eq 2 ]
	run vessel list --format json
	assert_success
	[ "$(jq length <<<"$output")" -eq 2 ]
	[ "$(jq -r --arg id "$other" '.[] | select(.id == $id) | .status' <<<"$output")" = running ]
	run vessel list --format yaml
	assert_failure
	assert_output --partial "unknown format"
}

@test "lifecycle: list of an empty or missing root is empty" {
	run "$VESSEL" --root "$BATS_TEST_TMPDIR/none" list -q
	assert_success
	assert_output ""
	run "$VESSEL" --root "$BATS_TEST_TMPDIR/none" list --format json
	assert_success
	assert_output "[]"
}

@test "lifecycle: run --detach returns once started; --keep keeps a stopped container" {
	set_cmd 'sleep 0.5'
	run detached vessel run --detach "$CID"
	assert_success
	[ "$(state_field "$CID" status)" = running ]
	wait_for_status "$CID" stopped
	vessel delete "$CID"
	set_cmd 'exit 4'
	run vessel run --keep "$CID"
	assert_failure 4
	[ "$(state_field "$CID" status)" = stopped ]
	vessel delete "$CID"
}

# foreground_run OUT: `vessel run` of $CID in the background (its pid in
# vpid, its output in OUT), once the container printed "ready".
foreground_run() {
	"$VESSEL" --root "$ROOT" run "$CID" >"$1" 2>&1 &
	vpid=$!
	retry 100 0.1 grep -q ready "$1"
}

# foreground_rc: wait for it, its exit status in rc.  Not `run wait`:
# run's subshell cannot wait for our child.
foreground_rc() {
	rc=0
	wait "$vpid" || rc=$?
}

@test "lifecycle: run in the foreground forwards signals and returns 128+N" {
	set_cmd 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
	foreground_run "$BATS_TEST_TMPDIR/out"
	kill -TERM "$vpid"
	foreground_rc
	[ "$rc" -eq 7 ]
	grep -q "got TERM" "$BATS_TEST_TMPDIR/out"

	set_cmd 'echo ready; while :; do sleep 0.1; done'
	foreground_run "$BATS_TEST_TMPDIR/out2"
	# pid 1 ignores TERM without a handler; KILL from outside kills it.
	vessel kill "$CID" KILL
	foreground_rc
	[ "$rc" -eq 137 ]
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: a foreground run never deletes another container that took its id" {
	# What a checkpoint then a restore under the same id do while a
	# foreground run waits: its container goes, another takes the id.  The
	# run is stopped so that both happen before it wakes.
	set_cmd 'echo ready; exec sleep 1000'
	foreground_run "$BATS_TEST_TMPDIR/out"
	kill -STOP "$vpid"
	vessel delete --force "$CID"
	set_args sleep 1000
	detached vessel run -d "$CID"
	local other
	other=$(container_pid "$CID")
	kill -CONT "$vpid"
	foreground_rc
	[ "$rc" -eq 137 ] || fail "run exited $rc: $(cat "$BATS_TEST_TMPDIR/out")"
	[ "$(state_field "$CID" status)" = running ]
	[ "$(container_pid "$CID")" = "$other" ]
	# and when the id is simply gone, the run reports the exit, no error
	set_cmd 'echo ready; exec sleep 1000'
	vessel delete --force "$CID"
	foreground_run "$BATS_TEST_TMPDIR/out2"
	kill -STOP "$vpid"
	vessel delete --force "$CID"
	kill -CONT "$vpid"
	foreground_rc
	[ "$rc" -eq 137 ] || fail "run exited $rc: $(cat "$BATS_TEST_TMPDIR/out2")"
	run cat "$BATS_TEST_TMPDIR/out2"
	refute_output --partial "does not exist"
}

@test "lifecycle: --pid-file is written for run --detach too" {
	set_args sleep 100
	detached vessel run -d --pid-file "$BATS_TEST_TMPDIR/p" "$CID"
	[ "$(cat "$BATS_TEST_TMPDIR/p")" = "$(container_pid "$CID")" ]
}

@test "lifecycle: the state carries the config's annotations" {
	update_config '.annotations = {"org.example.key": "value", "b": "c"}'
	set_args sleep 100
	detached vessel create "$CID"
	run vessel state "$CID"
	assert_success
	[ "$(jq -r '.annotations["org.example.key"]' <<<"$output")" = value ]
}

@test "lifecycle: --no-pivot runs the container with chroot" {
	set_cmd 'test -x /bin/busybox && echo ok'
	run vessel run --no-pivot "$CID"
	assert_success
	assert_output ok
}

@test "lifecycle: nothing but stdio and --preserve-fds reaches the container" {
	set_args vprobe fds
	run vessel run "$CID" 5</dev/null 7>"$BATS_TEST_TMPDIR/x"
	assert_success
	refute_line --regexp '^[3-9] '
	assert_line --regexp '^0 '
	assert_line --regexp '^2 '

	echo preserved >"$BATS_TEST_TMPDIR/f3"
	set_cmd 'cat <&3; cat <&4'
	run vessel run --preserve-fds 2 "$CID" 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f3"
	assert_success
	assert_output "preserved
preserved"
}

@test "lifecycle: --preserve-fds naming a closed fd is refused" {
	set_args true
	run vessel run --preserve-fds 40 "$CID"
	assert_failure
	assert_output --partial "--preserve-fds 40: fd"
	assert_output --partial "is not open"
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: LISTEN_FDS passes the fds and tells the container" {
	set_cmd 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3'
	echo socket-activated >"$BATS_TEST_TMPDIR/l"
	run env LISTEN_FDS=1 "$VESSEL" --root "$ROOT" run "$CID" 3<"$BATS_TEST_TMPDIR/l"
	assert_success
	assert_line "1 1"
	assert_line socket-activated
}

@test "lifecycle: a config without process is refused and leaves nothing" {
	update_config 'del(.process)'
	run vessel create "$CID"
	assert_failure
	assert_output --partial "process"
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: an unparsable config is refused and leaves nothing" {
	echo '{"ociVersion": ' >"$BUNDLE/config.json"
	run vessel run "$CID"
	assert_failure
	assert_output --partial "config.json"
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: a missing bundle is refused and leaves nothing" {
	run vessel create --bundle "$BATS_TEST_TMPDIR/nope" "$CID"
	assert_failure
	assert_output --partial "nope"
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: each init process is named while it is vessel's" {
	set_args sleep 100
	detached vessel create "$CID"
	run cat "/proc/$(container_pid "$CID")/comm"
	assert_output "vessel:init"
}

@test "lifecycle: a console socket receives the pty master" {
	requires helper recvtty
	update_config '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 111}'
	set_cmd 'tty; stty size'
	sock=$BATS_TEST_TMPDIR/console.sock
	"$HELPERS_DIR/recvtty" "$sock" >"$BATS_TEST_TMPDIR/tty.out" 2>&1 &
	rpid=$!
	retry 50 0.1 test -S "$sock"
	run detached vessel run -d --console-socket "$sock" "$CID"
	assert_success
	wait_for_status "$CID" stopped
	wait "$rpid" || true
	run cat "$BATS_TEST_TMPDIR/tty.out"
	assert_output --partial "/dev/pts/"
	assert_output --partial "33 111"
}

@test "lifecycle: a terminal without a console socket cannot detach" {
	update_config '.process.terminal = true'
	run vessel create "$CID"
	assert_failure
	assert_output --partial "cannot allocate tty if vessel will detach without setting console socket"
	[ ! -e "$ROOT/$CID" ]
	update_config '.process.terminal = false'
	run vessel create --console-socket "$BATS_TEST_TMPDIR/s" "$CID"
	assert_failure
	assert_output --partial "cannot use console socket"
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: the created init holds stdio and the exec FIFO, nothing else" {
	set_args sleep 100
	vessel create "$CID" </dev/null >/dev/null 2>&1 7>"$BATS_TEST_TMPDIR/extra"
	pid=$(container_pid "$CID")
	run ls "/proc/$pid/fd"
	assert_success
	local fds=() fd san=
	grep -q __asan_init "$VESSEL" && san=1
	for fd in "${lines[@]}"; do
		# a sanitizer build's init also keeps its report file (lib/sanitize.h)
		[[ -n $san && $(readlink "/proc/$pid/fd/$fd") == *.child.?????? ]] || fds+=("$fd")
	done
	[ "${#fds[@]}" -eq 4 ] || fail "init fds: $(ls -l /proc/"$pid"/fd)"
	run readlink "/proc/$pid/fd/${fds[3]}"
	assert_output "$ROOT/$CID/exec.fifo"
}

@test "lifecycle: a session keyring of the container's own, unless --no-new-keyring" {
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	set_cmd 'cat /proc/keys'
	run vessel run "$CID"
	assert_success
	assert_output --partial "_ses.$CID"
	# Another id: the kernel frees the first run's keyring asynchronously,
	# so it may still be listed for a moment after that container is gone.
	local other
	other=$(new_id)
	run vessel run --no-new-keyring "$other"
	assert_success
	refute_output --partial "_ses.$other"
}

@test "lifecycle: a frozen cgroup makes the status paused; delete needs --force" {
	requires cgroup2
	set_args sleep 100
	detached vessel run -d "$CID"
	run vessel pause "$CID"
	assert_success
	[ "$(state_field "$CID" status)" = paused ]
	run vessel delete "$CID"
	assert_failure
	assert_output --partial "that is not stopped: paused"
	run vessel resume "$CID"
	assert_success
	[ "$(state_field "$CID" status)" = running ]
	vessel pause "$CID"
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
}

@test "lifecycle: an init-side failure is reported once, with its step, and leaves nothing" {
	# Raising the hard nofile limit needs CAP_SYS_RESOURCE, which vessel
	# lacks on this host: the init fails, the parent prints its error.
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || skip "hard nofile is unlimited here"
	update_config ".process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": $((hard * 2))}]"
	set_args true
	run vessel run "$CID"
	[ "$status" -ne 0 ] || skip "vessel may raise hard limits here"
	assert_output --regexp '^vessel: run: init step attributes: process.rlimits\[0\] RLIMIT_NOFILE .*: Operation not permitted$'
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$ROOT/$CID" ]
}

# A create SIGKILLed half-way, after it made the cgroup (and, on hybrid hosts,
# the v1 accounting cgroups) and the init, before state.json recorded them:
# delete --force must still find and remove all of it.  A createRuntime hook
# runs in vessel's parent stage at exactly that point; it kills vessel.
@test "lifecycle: delete --force cleans up after a create killed before its state" {
	requires cgroup2
	cat >"$BATS_TEST_TMPDIR/killer" <<-'EOF_HOOK'
	#!/bin/sh
	kill -9 "$PPID"
	EOF_HOOK
	chmod +x "$BATS_TEST_TMPDIR/killer"
	set_args sleep 100
	update_config ".hooks.createRuntime = [{path: \"$BATS_TEST_TMPDIR/killer\"}]"
	run vessel create "$CID"
	[ "$status" -eq 137 ] || fail "create was not killed (status $status): $output"
	[ -d "$ROOT/$CID" ] && [ ! -e "$ROOT/$CID/state.json" ]
	# No linux.cgroupsPath: the default cgroup is /vessel/<id>.
	cg="$(cgroup2_mount)/vessel/$CID"
	[ -d "$cg" ] || fail "the killed create made no cgroup at $cg: nothing tested"
	v1=()
	for d in /sys/fs/cgroup/*/; do
		[ "${d%/}" = "$(cgroup2_mount)" ] && continue
		[ -d "${d}vessel/$CID" ] && v1+=("${d}vessel/$CID")
	done
	run vessel list -q
	refute_output --partial "$CID"
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
	[ ! -e "$cg" ] || fail "cgroup $cg left behind"
	for d in "${v1[@]}"; do
		[ ! -e "$d" ] || fail "v1 cgroup $d left behind"
	done
	run pgrep -f "sleep 100"
	for p in $output; do
		[ "$(readlink "/proc/$p/root")" != "$BUNDLE/rootfs" ] || fail "init $p left behind"
	done
}

# The later window: the init has reported ready and blocks on its exec FIFO
# (it outlives vessel there), state.json is not written yet.  strace kills
# vessel on its last rename(), the one that would publish state.json; the
# count comes from a calibration create, so it follows the code.
@test "lifecycle: delete --force kills the blocked init of a create killed before its state" {
	requires cgroup2
	requires command strace
	set_args sleep 100
	# Twice: the first create may fill caches (more renames) the second
	# and the real one then use.
	for i in 1 2; do
		cal=$(new_id)
		strace -qq -o "$BATS_TEST_TMPDIR/cal.trace" -e trace=rename \
			"$VESSEL" --root "$ROOT" create "$cal" </dev/null >"$BATS_TEST_TMPDIR/cal.log" 2>&1 ||
			fail "calibration create: $(cat "$BATS_TEST_TMPDIR/cal.log")"
		vessel delete --force "$cal"
	done
	n=$(grep -c '^rename(.*state\.json' "$BATS_TEST_TMPDIR/cal.trace")
	[ "$n" -eq 1 ] || fail "state.json renames: $n"
	n=$(grep -n '^rename(.*state\.json' "$BATS_TEST_TMPDIR/cal.trace" | cut -d: -f1)
	n=$(head -n "$n" "$BATS_TEST_TMPDIR/cal.trace" | grep -c '^rename(')

	# Output to a file, not run's pipe: the blocked init keeps its stdio.
	status=0
	strace -qq -o /dev/null -e trace=rename -e inject=rename:signal=KILL:when="$n" \
		"$VESSEL" --root "$ROOT" create "$CID" </dev/null >"$BATS_TEST_TMPDIR/create.log" 2>&1 ||
		status=$?
	[ "$status" -eq 137 ] || fail "create was not killed (status $status): $(cat "$BATS_TEST_TMPDIR/create.log")"
	[ ! -e "$ROOT/$CID/state.json" ]
	cg="$(cgroup2_mount)/vessel/$CID"
	pids=$(cat "$cg/cgroup.procs")
	[ -n "$pids" ] || fail "no init was left blocked in $cg: nothing tested"
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ]
	[ ! -e "$cg" ] || fail "cgroup $cg left behind"
	for p in $pids; do
		[ ! -e "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat")" = Z ] ||
			fail "init $p left behind"
	done
}

# Runtime state is replaced atomically (temp file + rename) but never
# fsync'd: it lives on tmpfs in real deployments and means nothing after a
# reboot, and each fsync cost milliseconds on a disk-backed --root.
@test "lifecycle: create, start and delete rename their state files but never fsync" {
	requires command strace
	set_args true
	run strace -f -qq -o "$BATS_TEST_TMPDIR/sync.trace" \
		-e trace=rename,fsync,fdatasync,sync,syncfs,sync_file_range \
		"$VESSEL" --root "$ROOT" run "$CID"
	assert_success
	grep -q 'rename(.*state\.json' "$BATS_TEST_TMPDIR/sync.trace" ||
		fail "no rename of state.json traced: $(cat "$BATS_TEST_TMPDIR/sync.trace")"
	run grep -E '(sync|syncfs|fsync|fdatasync|sync_file_range)\(' "$BATS_TEST_TMPDIR/sync.trace"
	assert_output ""
}

# The device program used to be loaded with a fixed-size verifier log,
# which overflowed from about 15 rules on: the load failed with ENOSPC.
# The rules must still be in force: opening 200:5 (allowed, no driver)
# reaches the kernel's ENXIO, 200:41 (not allowed) is refused with EPERM.
@test "lifecycle: a container with 40 device rules runs and its rules apply" {
	requires cgroup2
	update_config '.linux.resources.devices += [range(1; 41)
			| {allow: true, type: "c", major: 200, minor: ., access: "rwm"}]
		| .process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	set_cmd 'mknod /dev/d5 c 200 5 && mknod /dev/d41 c 200 41 || exit 9; cat /dev/d5; cat /dev/d41; true'
	run vessel run "$CID"
	assert_success
	assert_output --partial "/dev/d5': No such device or address"
	assert_output --partial "/dev/d41': Operation not permitted"
}

# delete reads the kept config only for what needs it, poststop hooks and
# the image bundle (create records both in state.json): without them it
# does not open it, so even a broken one goes unnoticed.
@test "lifecycle: delete without poststop hooks or image store does not read the kept config" {
	requires command strace
	set_args true
	broken=$(new_id)
	for id in "$CID" "$broken"; do
		detached vessel create "$id" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
		detached vessel start "$id" || fail "start: $(cat "$BATS_TEST_TMPDIR/detached.log")"
		wait_for_status "$id" stopped
	done
	run jq -c '[.vessel.poststopHooks, .vessel.imageStore]' "$ROOT/$CID/state.json"
	assert_output '["0","0"]'
	strace -f -qq -o "$BATS_TEST_TMPDIR/delete.trace" -e trace=openat \
		"$VESSEL" --root "$ROOT" delete "$CID"
	run grep -c "$ROOT/$CID/config.json\"" "$BATS_TEST_TMPDIR/delete.trace"
	assert_output 0
	[ ! -e "$ROOT/$CID" ] || fail "delete left the state dir"
	echo '{' >"$ROOT/$broken/config.json"
	run vessel delete "$broken"
	assert_success
	assert_output ""
	[ ! -e "$ROOT/$broken" ] || fail "delete left the state dir"
}

# With a poststop hook: read once, for the hooks and the image bundle both;
# an unreadable one is a warning, and the container still goes.
@test "lifecycle: delete reads the kept config once when it has poststop hooks; a broken one only warns" {
	requires command strace
	set_args true
	update_config '.hooks.poststop = [{path: "/bin/true"}]'
	broken=$(new_id)
	for id in "$CID" "$broken"; do
		detached vessel create "$id" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
		detached vessel start "$id" || fail "start: $(cat "$BATS_TEST_TMPDIR/detached.log")"
		wait_for_status "$id" stopped
	done
	run jq -r '.vessel.poststopHooks' "$ROOT/$CID/state.json"
	assert_output 1
	strace -f -qq -o "$BATS_TEST_TMPDIR/delete.trace" -e trace=openat \
		"$VESSEL" --root "$ROOT" delete "$CID"
	run grep -c "$ROOT/$CID/config.json\"" "$BATS_TEST_TMPDIR/delete.trace"
	assert_output 1
	echo '{' >"$ROOT/$broken/config.json"
	run vessel delete "$broken"
	assert_success
	assert_output --partial "poststop hooks and image bundle"
	[ ! -e "$ROOT/$broken" ] || fail "delete left the state dir"
}

# start retires the exec FIFO by renaming it (exec.done), not unlinking
# it: on ext4 without a journal each inode freed during a run of starts
# made every later inode allocation slower (see start.c).  Status and
# delete are unchanged: running after start, nothing left after delete.
@test "lifecycle: start renames the exec FIFO instead of unlinking it; delete removes all" {
	requires command strace
	set_args sleep 100
	detached vessel create "$CID" || fail "create: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	strace -f -qq -o "$BATS_TEST_TMPDIR/start.trace" -e trace=unlink,unlinkat,rename,renameat,renameat2 \
		"$VESSEL" --root "$ROOT" start "$CID"
	run grep -E 'unlink(at)?\(' "$BATS_TEST_TMPDIR/start.trace"
	assert_output ""
	grep -q 'exec\.done' "$BATS_TEST_TMPDIR/start.trace" ||
		fail "no rename of the FIFO traced: $(cat "$BATS_TEST_TMPDIR/start.trace")"
	[ ! -e "$ROOT/$CID/exec.fifo" ] || fail "exec.fifo still there after start"
	[ "$(state_field "$CID" status)" = running ]
	run vessel start "$CID"
	assert_failure
	assert_output --partial "already running"
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ] || fail "delete left the state dir: $(ls -A "$ROOT/$CID")"
}

# The lock is a flock of the state dir itself, not of a "lock" file in it
# (one inode allocation less per create, one unlink less per delete): no
# such file exists, and a holder of the directory's lock keeps delete out
# until it lets go.
@test "lifecycle: the state dir itself is the container's lock" {
	set_args sleep 100
	detached vessel run -d "$CID" || fail "run: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	[ ! -e "$ROOT/$CID/lock" ] || fail "a lock file was made"
	run flock -x "$ROOT/$CID" timeout 2 "$VESSEL" --root "$ROOT" delete --force "$CID"
	[ "$status" -eq 124 ] || fail "delete did not wait for the directory's lock ($status): $output"
	[ "$(state_field "$CID" status)" = running ]
	# A lock file an older vessel made is removed with the rest.
	touch "$ROOT/$CID/lock"
	run vessel delete --force "$CID"
	assert_success
	[ ! -e "$ROOT/$CID" ] || fail "delete left the state dir: $(ls -A "$ROOT/$CID")"
}
