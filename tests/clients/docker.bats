#!/usr/bin/env bats
# vessel behind Docker Engine (Debian's docker.io 20.10): dockerd reaches the
# runtime through its containerd and the io.containerd.runc.v2 shim, as runc.
# The daemon is private: its own config file, --data-root, --exec-root,
# pidfile and unix socket under $CL_DIR, no bridge, no iptables, no registry;
# it starts its own containerd (state and socket under the exec root).  The
# busybox image of `make images` is copied in with skopeo.
#
# vessel is added with `--add-runtime vessel=$VESSEL` first; the first test
# restarts dockerd with daemon.json's "runtimes" and "default-runtime":
# "vessel" and runs containers without --runtime.  Every other case runs
# with `--runtime vessel` and again with `--runtime runc` (Debian's runc
# 1.1.5), with the same expectations: vessel does what runc does.
#
# dockerd gives every runc-v2 runtime the state root
# <exec-root>/runtime-runc/moby; the leak check looks there for this file's
# container ids.  Shim sockets are in /run/containerd/s/ whatever the config
# says: teardown_file removes this file's.  dockerd also makes
# /run/docker/plugins (fixed path), removed when it made it and it is empty.
#
# VESSEL_DOCKER_RUNTIMES (env) narrows the comparison, e.g. "vessel" (the
# default in the cgroup v2 VM, VESSEL_IN_VM set, which runs only the cases
# marked for it: host_only).

load clients-helpers
bats_require_minimum_version 1.5.0

setup_file() {
	CL_SKIP=$(cl_missing dockerd docker skopeo runc script)
	export CL_SKIP
	[[ -z $CL_SKIP ]] || return 0
	cl_prepare
	# docker.io's client, not another one earlier in PATH
	DK_CLI=/usr/bin/docker
	[[ -x $DK_CLI ]] || DK_CLI=$(command -v docker)
	DK_EXEC=$CL_DIR/x
	DK_ROOT=$CL_DIR/root
	DK_CG=vessel-dk-$$
	DK_IMAGE=vessel/busybox:latest
	# the VM checks vessel's cgroup v2 work against fixed values; runc is
	# compared on the host
	DK_RUNTIMES=${VESSEL_DOCKER_RUNTIMES:-vessel runc}
	[[ -z ${VESSEL_IN_VM:-} ]] || DK_RUNTIMES=${VESSEL_DOCKER_RUNTIMES:-vessel}
	DOCKER_HOST=unix://$CL_DIR/docker.sock
	CL_STATE_ROOTS=$DK_EXEC/runtime-runc/moby
	# the data root is bind-mounted on itself while dockerd runs
	CL_KEEP_MOUNT=$DK_ROOT
	export DK_CLI DK_EXEC DK_ROOT DK_CG DK_IMAGE DK_RUNTIMES DOCKER_HOST CL_STATE_ROOTS CL_KEEP_MOUNT
	[[ -e /run/docker/plugins ]] || touch "$CL_DIR/made-run-docker"
	cl_cgroups_snapshot "$DK_CG"
	mkdir -p /run/containerd/s
	ls /run/containerd/s >"$CL_DIR/shim-sockets-before"
	dk_daemon_start '{}' --add-runtime "vessel=$VESSEL"
	cat >"$CL_DIR/policy.json" <<-'EOF'
		{"default": [{"type": "insecureAcceptAnything"}]}
	EOF
	TMPDIR=$CL_DIR skopeo --policy "$CL_DIR/policy.json" copy -q \
		"oci:$BUILDDIR/images/busybox-oci:latest" "docker-daemon:$DK_IMAGE" \
		--dest-daemon-host "$DOCKER_HOST" >/dev/null ||
		fail "skopeo copy into dockerd failed"
}

teardown_file() {
	[[ -n ${DK_EXEC:-} && -f $CL_DIR/daemon.json ]] || return 0
	local c leaks shims s
	for c in $(dk ps -aq 2>/dev/null); do
		dk rm -f "$c" >/dev/null 2>&1
	done
	dk rmi -f "$DK_IMAGE" >/dev/null 2>&1
	dk_daemon_stop
	CL_DAEMON_PID=
	leaks=$(cl_lasting_leaks)
	shims=$(pgrep -f "containerd-shim-runc-v2 -namespace moby .*-address $DK_EXEC/" || true)
	for s in $shims; do
		kill -KILL "$s"
	done
	cl_sweep_shim_sockets "$CL_DIR/shim-sockets-before"
	cl_cgroups_restore "$DK_CG"
	umount -R "$DK_ROOT" 2>/dev/null
	if [[ -e $CL_DIR/made-run-docker ]]; then
		rmdir /run/docker/plugins /run/docker 2>/dev/null
	fi
	local mounts
	mounts=$(awk -v p="$CL_DIR/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo)
	[[ -z $leaks && -z $shims && -z $mounts ]] || fail "left behind after stopping dockerd:
$leaks${shims:+
shim pids: $shims}${mounts:+
mounts: $mounts}"
}

setup() {
	[[ -z ${CL_SKIP:-} ]] || skip "$CL_SKIP"
	dk_daemon_pids
}

# Every test removes its containers; whatever is left (a failure midway) is
# force-removed and reported as a leak.
teardown() {
	[[ -z ${CL_SKIP:-} && -z ${DK_SKIPPED:-} ]] || return 0
	local c leaks
	dk_daemon_pids
	leaks=$(cl_lasting_leaks)
	for c in $(dk ps -aq 2>/dev/null); do
		leaks+="${leaks:+$'\n'}container $c still in dockerd"
		dk rm -f "$c" >/dev/null 2>&1
	done
	[[ -z $leaks ]] || fail "left behind: $leaks"
}

dk() {
	timeout "${DK_TIMEOUT:-60}" "$DK_CLI" "$@"
}

# dk_daemon_start CONFIG-JSON DOCKERD-ARGS...: dockerd with this config file
# (never /etc/docker/daemon.json; its key.json under $CL_DIR, not
# /etc/docker), up when this returns.  Its log goes on in dockerd.log.
dk_daemon_start() {
	jq --arg key "$CL_DIR/key.json" '. + {"deprecated-key-path": $key}' <<<"$1" >"$CL_DIR/daemon.json" ||
		fail "bad daemon config: $1"
	shift
	dockerd --config-file "$CL_DIR/daemon.json" --data-root "$DK_ROOT" --exec-root "$DK_EXEC" \
		--pidfile "$CL_DIR/docker.pid" -H "$DOCKER_HOST" --bridge=none --iptables=false \
		--ip-masq=false --ip6tables=false --cgroup-parent "/$DK_CG" "$@" \
		>>"$CL_DIR/dockerd.log" 2>&1 </dev/null 3>&- &
	retry 300 0.1 dk version >/dev/null 2>&1 ||
		fail "dockerd did not start: $(tail -n 5 "$CL_DIR/dockerd.log")"
}

# dockerd stops the containerd it started; either is killed if it lingers.
dk_daemon_stop() {
	local pid ctd
	pid=$(cat "$CL_DIR/docker.pid" 2>/dev/null)
	ctd=$(cat "$DK_EXEC/containerd/containerd.pid" 2>/dev/null)
	[[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null
	for pid in $pid $ctd; do
		retry 300 0.1 sh -c "! kill -0 $pid 2>/dev/null" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
	done
	retry 50 0.1 test ! -e "$CL_DIR/docker.pid" 2>/dev/null || rm -f "$CL_DIR/docker.pid"
}

# The daemons run the whole file: not leaks.  From their pid files, as the
# last test restarts them.
dk_daemon_pids() {
	CL_DAEMON_PID=$(cat "$CL_DIR/docker.pid" 2>/dev/null)
	CL_DAEMON_PIDS=$(cat "$DK_EXEC/containerd/containerd.pid" 2>/dev/null)
	export CL_DAEMON_PID CL_DAEMON_PIDS
}

# In the cgroup v2 VM (tests/vm) only the cases whose cgroup work differs
# there run: limits, stats, OOM, the freezer, the device program.  Under TCG
# a docker command costs 25-40 times the host's; the rest is the same code on
# both hosts and runs on the host.
host_only() {
	[[ -n ${VESSEL_IN_VM:-} ]] || return 0
	# teardown's leak check costs seconds there, for nothing
	DK_SKIPPED=1
	skip "no cgroup work that differs on cgroup v2: the host run covers it"
}

# each_runtime FN ARGS...: FN RUNTIME ARGS... for each of $DK_RUNTIMES.
each_runtime() {
	local fn=$1 rt
	shift
	for rt in $DK_RUNTIMES; do
		echo "# --runtime $rt"
		"$fn" "$rt" "$@"
	done
}

# The container's long id, for the leak check (vessel's state dir and the
# cgroups are named after it).
_dk_record() {
	[[ -s $CL_DIR/$1.cid ]] && { cat "$CL_DIR/$1.cid"; echo; } >>"$CL_DIR/ids"
	return 0
}

# dk_run STATUS NAME ARGS...: `run -STATUS docker run --name NAME ARGS...`
# (bats checks the exit status).
dk_run() {
	local want=$1 name=$2
	shift 2
	rm -f "$CL_DIR/$name.cid"
	run "-$want" dk run --name "$name" --cidfile "$CL_DIR/$name.cid" "$@" </dev/null
	_dk_record "$name"
}

# dk_run_d NAME ARGS...: docker run -d, running when this returns.
dk_run_d() {
	local name=$1
	shift
	dk run -d --name "$name" --cidfile "$CL_DIR/$name.cid" "$@" >/dev/null </dev/null ||
		fail "docker run -d $name failed"
	_dk_record "$name"
}

# dk_pty STATUS CMDLINE: a docker command line under `script`, which gives it
# a pty; script's stdin is a FIFO opened read-write: open and silent, as a
# terminal nobody types into (at EOF script would queue an EOF byte).
dk_pty() {
	local want=$1 fifo=$CL_DIR/pty.stdin
	rm -f "$fifo"
	mkfifo "$fifo"
	run "-$want" timeout 60 script -qec "stty rows 24 cols 80; $DK_CLI $2" /dev/null 0<>"$fifo"
	rm -f "$fifo"
}

dk_field() {
	dk inspect -f "$2" "$1"
}

# dk_wait_for NAME TEMPLATE VALUE: poll `docker inspect` until TEMPLATE is VALUE.
dk_wait_for() {
	local i got
	for ((i = 0; i < 300; i++)); do
		got=$(dk_field "$1" "$2")
		[[ $got == "$3" ]] && return 0
		sleep 0.1
	done
	fail "$1: $2 is '$got', not '$3'"
}

# dk_logs_have NAME TEXT: wait until the container has printed TEXT (its
# trap is set).
dk_logs_have() {
	retry 300 0.1 sh -c "$DK_CLI logs $1 2>&1 | grep -q '$2'" ||
		fail "$1 never printed $2: $(dk logs "$1" 2>&1)"
}

# dk_cg_read PID CONTROLLER V1-FILE V2-FILE: the init's cgroup file, cgroup2
# where cgroup2 has the controller, else the v1 hierarchy's (a hybrid host).
dk_cg_read() {
	local pid=$1 ctrl=$2 cg cg2
	cg2=$(cgroup2_mount)
	if [[ -n $cg2 ]] && grep -qw "$ctrl" "$cg2/cgroup.controllers" 2>/dev/null; then
		cg=$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")
		cat "$cg2$cg/$4"
	else
		cg=$(awk -F: -v c="$ctrl" '$2 ~ "(^|,)" c "(,|$)" { print $3 }' "/proc/$pid/cgroup")
		[[ -n $cg && $cg != / ]] || fail "pid $pid is in no v1 $ctrl cgroup of its own"
		cat "/sys/fs/cgroup/$ctrl$cg/$3"
	fi
}

# Both ways of adding vessel: setup_file started dockerd with `--add-runtime
# vessel=PATH` (runc stays the default); this test restarts it with
# daemon.json's "runtimes" and "default-runtime": "vessel", as
# docs/clients.md shows, for the rest of the file (whose cases name their
# runtime).  First, while dockerd has little to restore: it walks every
# container it ever ran at start ("Removing stale sandbox").
@test "docker: --add-runtime, then daemon.json default-runtime vessel: info, run, exec, state under vessel" {
	host_only
	local n id
	run -0 dk info --format '{{.DefaultRuntime}}:{{range $k, $v := .Runtimes}} {{$k}}{{end}}'
	assert_output --regexp '^runc:.* vessel( |$)'
	n=$(cl_new_name)
	dk_run 0 "$n" --rm --runtime vessel "$DK_IMAGE" true
	dk_daemon_stop
	dk_daemon_start "$(jq -n --arg v "$VESSEL" '{runtimes: {vessel: {path: $v}}, "default-runtime": "vessel"}')"
	dk_daemon_pids
	run -0 dk info --format '{{.DefaultRuntime}}'
	assert_output vessel
	n=$(cl_new_name)
	dk_run 7 "$n" --rm "$DK_IMAGE" sh -c 'echo default; exit 7'
	assert_output default
	n=$(cl_new_name)
	dk_run_d "$n" "$DK_IMAGE" sleep 1000
	id=$(cat "$CL_DIR/$n.cid")
	assert_equal "$(dk_field "$n" '{{.HostConfig.Runtime}}')" vessel
	run -0 "$VESSEL" --root "$CL_STATE_ROOTS" state "$id"
	[ "$(jq -r .status <<<"$output")" = running ]
	run -3 dk exec "$n" sh -c 'exit 3'
	run -0 dk rm -f "$n"
	# runc is still there by name
	n=$(cl_new_name)
	dk_run 0 "$n" --rm --runtime runc "$DK_IMAGE" true
}

# ---- the cases, each run with --runtime vessel and --runtime runc ----------

case_run_rm() {
	local rt=$1 n
	n=$(cl_new_name)
	dk_run 3 "$n" --rm --runtime "$rt" "$DK_IMAGE" sh -c 'echo hello from the container; exit 3'
	assert_output "hello from the container"
	dk_run 0 "$n" --rm --runtime "$rt" "$DK_IMAGE" true
	# docker maps the runtime's create error to 127 / 126 by its wording
	dk_run 127 "$n" --rm --runtime "$rt" "$DK_IMAGE" /no/such/binary
	assert_output --partial "no such file or directory"
	dk_run 127 "$n" --rm --runtime "$rt" "$DK_IMAGE" no-such-command
	assert_output --partial "executable file not found"
	dk_run 126 "$n" --rm --runtime "$rt" "$DK_IMAGE" /etc/passwd
	assert_output --partial "permission denied"
	[ -z "$(dk ps -aq)" ]
}

@test "docker: run --rm: output, exit code, 127 and 126 for a bad command" {
	host_only
	each_runtime case_run_rm
}

case_exec() {
	local rt=$1 n
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" "$DK_IMAGE" sleep 1000
	run -4 dk exec "$n" sh -c 'echo in-exec; exit 4'
	assert_output "in-exec"
	run -0 dk exec "$n" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	assert_output "sleep 1000 "
	run -0 dk exec -u 1000:100 -w /tmp -e FOO=bar "$n" sh -c 'id; pwd; echo "FOO=$FOO"'
	assert_line --index 0 --partial "uid=1000(user) gid=100(users)"
	assert_line --index 1 "/tmp"
	assert_line --index 2 "FOO=bar"
	dk_pty 5 "exec -it $n sh -c 'tty; exit 5'"
	assert_output --partial "/dev/pts/"
	run -0 dk rm -f "$n"
}

@test "docker: run -d, exec with its exit code, exec -u/-w/-e, exec -it through a pty" {
	host_only
	each_runtime case_exec
}

case_tty() {
	local rt=$1 n
	n=$(cl_new_name)
	rm -f "$CL_DIR/$n.cid"
	dk_pty 6 "run -it --rm --runtime $rt --name $n --cidfile $CL_DIR/$n.cid $DK_IMAGE sh -c 'tty; exit 6'"
	_dk_record "$n"
	assert_output --partial "/dev/pts/0"
	# -t without -i: a terminal, no input
	dk_run 0 "$n" --rm -t --runtime "$rt" "$DK_IMAGE" tty
	assert_output --partial "/dev/pts/0"
}

@test "docker: run -it through a pty, run -t" {
	host_only
	each_runtime case_tty
}

case_top_pause() {
	local rt=$1 n id
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" "$DK_IMAGE" sh -c 'sleep 1000 & sleep 1001'
	run -0 dk top "$n"
	assert_output --partial "sleep 1000"
	assert_output --partial "sleep 1001"
	run -0 dk pause "$n"
	[ "$(dk_field "$n" '{{.State.Status}}')" = paused ]
	id=$(cat "$CL_DIR/$n.cid")
	if [[ $rt == vessel ]]; then
		run -0 "$VESSEL" --root "$CL_STATE_ROOTS" state "$id"
		[ "$(jq -r .status <<<"$output")" = paused ]
	fi
	run -0 dk unpause "$n"
	[ "$(dk_field "$n" '{{.State.Status}}')" = running ]
	run -0 dk exec "$n" true
	run -0 dk rm -f "$n"
}

@test "docker: top, pause and unpause" {
	each_runtime case_top_pause
}

# On a hybrid host the limits are in the v1 memory, cpu and pids cgroups at
# the container's cgroupsPath, as runc writes them; on cgroup v2 (the VM)
# memory.max, cpu.max and pids.max.
case_update() {
	local rt=$1 n pid
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" --memory 64m "$DK_IMAGE" sleep 1000
	pid=$(dk_field "$n" '{{.State.Pid}}')
	run dk_cg_read "$pid" memory memory.limit_in_bytes memory.max
	assert_success
	assert_output 67108864
	run -0 dk update --memory 128m --memory-swap 256m --cpus 0.5 --pids-limit 50 "$n"
	run dk_cg_read "$pid" memory memory.limit_in_bytes memory.max
	assert_success
	assert_output 134217728
	run dk_cg_read "$pid" cpu cpu.cfs_quota_us cpu.max
	assert_success
	assert_output --regexp '^50000( 100000)?$'
	run dk_cg_read "$pid" pids pids.max pids.max
	assert_success
	assert_output 50
	# stats: the container's own usage against its limit, one process
	run -0 dk stats --no-stream --format '{{.MemUsage}} {{.PIDs}}' "$n"
	assert_output --regexp '^[0-9.]+[KMk]i?B / 128MiB 1$'
	run -0 dk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' "$n"
	assert_output "134217728 500000000 50"
	run -0 dk rm -f "$n"
}

@test "docker: --memory, update --memory/--cpus/--pids-limit reach the cgroup, stats reads it" {
	each_runtime case_update
}

case_oom() {
	local rt=$1 n
	n=$(cl_new_name)
	# without swap accounting (this host) docker drops --memory-swap, warning
	# tail, the container's process, keeps its one unterminated "line" of
	# zeros: it grows at once
	# (a shell variable filled through tr took over 60 s in the TCG VM).
	# 180 s: in the VM beside ten other groups, vessel's leg once took more
	# than 60 s from run to the OOM kill's exit (at 3559022).
	DK_TIMEOUT=180 dk_run 137 "$n" --runtime "$rt" --memory 16m --memory-swap 16m "$DK_IMAGE" \
		sh -c 'exec tail /dev/zero'
	refute_output --partial survived
	run -0 dk inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' "$n"
	# OOMKilled comes from the shim's OOM event racing the exit event; under
	# load (a TCG VM beside it) runc's leg once lost the race ("false 137",
	# vessel's leg passed).  The runtimes' difference is what this test is
	# for, so the reference leg only has to be killed.
	if [[ $rt == runc && $output == "false 137" ]]; then
		echo "# runc: OOMKilled false (the shim's event race), exit 137" >&3
	else
		assert_output "true 137"
	fi
	run -0 dk rm "$n"
}

@test "docker: a container over its --memory is killed: OOMKilled true, exit 137" {
	each_runtime case_oom
}

case_stop_kill() {
	local rt=$1 n
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" "$DK_IMAGE" sh -c 'trap "exit 0" TERM; echo ready; sleep 1000 & wait'
	dk_logs_have "$n" ready
	run -0 dk stop -t 20 "$n"
	assert_equal "$(dk_field "$n" '{{.State.Status}} {{.State.ExitCode}}')" "exited 0"
	run -0 dk rm "$n"
	# TERM ignored (pid 1 without a handler): stop escalates to KILL
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" "$DK_IMAGE" sleep 1000
	run -0 dk stop -t 1 "$n"
	assert_equal "$(dk_field "$n" '{{.State.ExitCode}}')" 137
	run -0 dk rm "$n"
	# kill -s: the signal reaches the init's trap
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" "$DK_IMAGE" \
		sh -c 'trap "echo got-usr1; exit 12" USR1; echo ready; echo to-stderr >&2; sleep 1000 & wait'
	dk_logs_have "$n" ready
	run -0 dk kill -s USR1 "$n"
	run -0 dk wait "$n"
	assert_output 12
	run -0 --separate-stderr dk logs "$n"
	assert_equal "$output" $'ready\ngot-usr1'
	assert_equal "$stderr" "to-stderr"
	run -0 dk rm "$n"
}

@test "docker: stop (TERM, then KILL after -t), kill -s, logs" {
	host_only
	each_runtime case_stop_kill
}

case_restart() {
	local rt=$1 n pid1 pid2
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" "$DK_IMAGE" sleep 1000
	pid1=$(dk_field "$n" '{{.State.Pid}}')
	run -0 dk restart -t 1 "$n"
	pid2=$(dk_field "$n" '{{.State.Pid}}')
	[ "$(dk_field "$n" '{{.State.Status}}')" = running ]
	[[ $pid2 != "$pid1" && $pid2 -gt 0 ]] || fail "restart: init pid $pid1 -> $pid2"
	kill -0 "$pid2"
	run -0 dk exec "$n" true
	run -0 dk rm -f "$n"
	# on-failure:2: started three times in all, then left exited
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" --restart on-failure:2 "$DK_IMAGE" sh -c 'echo run; exit 3'
	dk_wait_for "$n" '{{.RestartCount}} {{.State.Status}}' "2 exited"
	assert_equal "$(dk_field "$n" '{{.State.ExitCode}}')" 3
	run -0 dk logs "$n"
	assert_equal "$output" $'run\nrun\nrun'
	run -0 dk rm "$n"
}

@test "docker: restart, --restart on-failure:2" {
	host_only
	each_runtime case_restart
}

case_init_ro_user() {
	local rt=$1 n
	n=$(cl_new_name)
	dk_run 0 "$n" --rm --runtime "$rt" --init "$DK_IMAGE" sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_output --regexp '^/sbin/docker-init -- sh -c '
	dk_run 0 "$n" --rm --runtime "$rt" --read-only --tmpfs /tmp "$DK_IMAGE" \
		sh -c 'touch /x 2>&1; touch /tmp/x && echo tmp-ok; grep " /tmp " /proc/mounts'
	assert_line --index 0 --partial "Read-only file system"
	assert_line --index 1 "tmp-ok"
	assert_line --index 2 --regexp '^tmpfs /tmp tmpfs rw,'
	dk_run 0 "$n" --rm --runtime "$rt" --user 1000:100 "$DK_IMAGE" id
	assert_output "uid=1000(user) gid=100(users) groups=100(users)"
	dk_run 0 "$n" --rm --runtime "$rt" --user nobody "$DK_IMAGE" id
	assert_output "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)"
}

@test "docker: --init, --read-only with --tmpfs, --user" {
	host_only
	each_runtime case_init_ro_user
}

case_security() {
	local rt=$1 n
	n=$(cl_new_name)
	dk_run 0 "$n" --rm --runtime "$rt" --cap-drop ALL --cap-add NET_RAW "$DK_IMAGE" \
		grep -E '^Cap(Prm|Eff|Bnd)' /proc/self/status
	assert_equal "$(awk '{ print $2 }' <<<"$output" | sort -u)" 0000000000002000
	dk_run 1 "$n" --rm --runtime "$rt" --cap-drop CHOWN "$DK_IMAGE" chown 1 /tmp
	assert_output --partial "Operation not permitted"
	# a profile of one's own: mkdir fails with EPERM, the rest allowed
	cat >"$CL_DIR/seccomp.json" <<-'EOF'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}
	EOF
	dk_run 0 "$n" --rm --runtime "$rt" --security-opt "seccomp=$CL_DIR/seccomp.json" "$DK_IMAGE" \
		sh -c 'mkdir /tmp/d 2>&1; grep Seccomp: /proc/self/status'
	assert_line --index 0 --partial "Operation not permitted"
	assert_line --index 1 --regexp '^Seccomp:\s+2$'
	dk_run 0 "$n" --rm --runtime "$rt" "$DK_IMAGE" grep Seccomp: /proc/self/status
	assert_output --regexp '^Seccomp:\s+2$'
	dk_run 0 "$n" --rm --runtime "$rt" --security-opt seccomp=unconfined "$DK_IMAGE" grep Seccomp: /proc/self/status
	assert_output --regexp '^Seccomp:\s+0$'
	dk_run 0 "$n" --rm --runtime "$rt" --security-opt no-new-privileges "$DK_IMAGE" grep NoNewPrivs /proc/self/status
	assert_output --regexp '^NoNewPrivs:\s+1$'
	dk_run 0 "$n" --rm --runtime "$rt" "$DK_IMAGE" grep NoNewPrivs /proc/self/status
	assert_output --regexp '^NoNewPrivs:\s+0$'
}

@test "docker: --cap-add/--cap-drop, --security-opt seccomp=PROFILE, seccomp=unconfined, no-new-privileges" {
	host_only
	each_runtime case_security
}

# The loop control device (10:237): not in docker's default device rules,
# harmless to open.
case_device() {
	local rt=$1 n
	n=$(cl_new_name)
	[[ -e $CL_DIR/loop-control ]] || mknod "$CL_DIR/loop-control" c 10 237
	dk_run 0 "$n" --rm --runtime "$rt" --device "$CL_DIR/loop-control:/dev/myloop" "$DK_IMAGE" \
		sh -c 'stat -c "%F %t,%T" /dev/myloop; head -c 1 /dev/myloop 2>&1; true'
	assert_line --index 0 "character special file a,ed"
	refute_output --partial "Operation not permitted"
	# without --device the same node, made inside, is refused by the
	# device cgroup
	dk_run 0 "$n" --rm --runtime "$rt" "$DK_IMAGE" sh -c 'mknod /tmp/l c 10 237 && head -c 1 /tmp/l 2>&1; true'
	assert_output --partial "/tmp/l: Operation not permitted"
}

@test "docker: --device, and the device cgroup without it" {
	each_runtime case_device
}

case_health() {
	local rt=$1 n
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" --health-cmd 'test -e /tmp/ok' --health-interval 1s \
		--health-retries 1 "$DK_IMAGE" sh -c 'touch /tmp/ok; exec sleep 1000'
	dk_wait_for "$n" '{{.State.Health.Status}}' healthy
	run -0 dk exec "$n" rm /tmp/ok
	dk_wait_for "$n" '{{.State.Health.Status}}' unhealthy
	run -0 dk rm -f "$n"
}

@test "docker: --health-cmd: healthy, then unhealthy" {
	host_only
	each_runtime case_health
}

case_share() {
	local rt=$1 n1 n2 pid ns
	n1=$(cl_new_name)
	n2=$(cl_new_name)
	dk_run_d "$n1" --runtime "$rt" --ipc shareable "$DK_IMAGE" sleep 1000
	pid=$(dk_field "$n1" '{{.State.Pid}}')
	dk_run 0 "$n2" --rm --runtime "$rt" --pid "container:$n1" --ipc "container:$n1" \
		--network "container:$n1" "$DK_IMAGE" \
		sh -c 'ps -o args | grep -c "^sleep 1000"; for n in pid ipc net; do readlink /proc/self/ns/$n; done'
	for ns in pid ipc net; do
		assert_line "$(readlink "/proc/$pid/ns/$ns")"
	done
	assert_line --index 0 1
	# not shared without the options
	dk_run 0 "$n2" --rm --runtime "$rt" "$DK_IMAGE" readlink /proc/self/ns/pid
	refute_output "$(readlink "/proc/$pid/ns/pid")"
	run -0 dk rm -f "$n1"
}

@test "docker: --pid/--ipc/--network=container: share the other container's namespaces" {
	host_only
	each_runtime case_share
}

case_rm_f() {
	local rt=$1 n pid
	n=$(cl_new_name)
	dk_run_d "$n" --runtime "$rt" "$DK_IMAGE" sh -c 'sleep 1000 & sleep 1001'
	pid=$(dk_field "$n" '{{.State.Pid}}')
	run -0 dk rm -f "$n"
	run -1 dk inspect "$n"
	! kill -0 "$pid" 2>/dev/null || fail "init $pid outlived rm -f"
}

@test "docker: rm -f of a running container" {
	host_only
	each_runtime case_rm_f
}

# After every container's end containerd runs the shim's cleanup, which calls
# `RUNTIME --root R --log B/log.json --log-format json delete --force ID` for
# the container already deleted.  The daemon log shows "failed to remove runc
# container ... exit status 255: " for it now and then, with runc as with
# vessel: in that mode the shim's own SIGCHLD reaper can reap the runtime
# before go-runc's Wait does, and go-runc reports a failed Wait as 255 (the
# runtime exited 0: seen with strace).  So the log may show only that, never
# a runtime's own failure (another status, or a message).
@test "docker: the cleanup's delete --force: no runtime failure in the daemon log, exit 0 as runc" {
	local n id bad
	n=$(cl_new_name)
	dk_run 0 "$n" --rm --runtime vessel "$DK_IMAGE" true
	id=$(cat "$CL_DIR/$n.cid")
	cd "$CL_DIR"
	run -0 --separate-stderr "$VESSEL" --root "$CL_STATE_ROOTS" --log "$CL_DIR/cleanup-log.json" \
		--log-format json delete --force "$id"
	assert_equal "$output$stderr" ""
	[ ! -s "$CL_DIR/cleanup-log.json" ]
	run -0 --separate-stderr runc --root "$CL_STATE_ROOTS" --log "$CL_DIR/cleanup-log.json" \
		--log-format json delete --force "$id"
	assert_equal "$output$stderr" ""
	bad=$(grep -F 'failed to remove runc container' "$CL_DIR/dockerd.log" |
		grep -v 'did not terminate successfully: exit status 255: \\" runtime=' || true)
	[[ -z $bad ]] || fail "runtime failures in the daemon log: $bad"
}
