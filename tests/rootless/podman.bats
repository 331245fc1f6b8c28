#!/usr/bin/env bats
# Rootless podman: `podman --runtime vessel` run by the test user (see
# helpers.bash), as a desktop or CI user runs it.  podman's rootless parts
# are its own: storage (vfs here, in this file's dir), its user namespace
# (newuidmap, the user's subordinate ids), no network (--network none);
# vessel is called by conmon inside podman's user namespace, so it is root
# there, not of the host: rootless all the same (no mknod, no cgroup on
# this host, whose cgroup v1 podman does not delegate).

load helpers

setup_file() {
	[[ ${RL_MODE:-rootless} == rootless ]] || return 0
	command -v podman >/dev/null && command -v conmon >/dev/null || return 0
	rootless_user
	PM_DIR=$BATS_FILE_TMPDIR/pm
	mkdir -p "$PM_DIR/home" "$PM_DIR/xdg"
	chmod 0700 "$PM_DIR/xdg"
	cat >"$PM_DIR/storage.conf" <<-EOF2
		[storage]
		driver = "vfs"
		graphroot = "$PM_DIR/storage"
		runroot = "$PM_DIR/run"
	EOF2
	cat >"$PM_DIR/containers.conf" <<-EOF2
		[containers]
		netns = "none"
		log_driver = "k8s-file"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PM_DIR/events.log"
		runtime = "vessel"
		runtime_supports_json = ["vessel"]
		[engine.runtimes]
		vessel = ["$VESSEL"]
	EOF2
	: >"$PM_DIR/registries.conf"
	tar -C "$BUILDDIR/images/busybox-oci" -cf "$PM_DIR/busybox-oci.tar" .
	chown -R "$RL_USER:" "$PM_DIR"
	local d=$PM_DIR
	while [[ $d != / ]]; do
		chmod a+x "$d"
		d=$(dirname "$d")
	done
	export PM_DIR
	pm load -i "$PM_DIR/busybox-oci.tar" >/dev/null 2>&1 || fail "podman load failed"
	pm tag localhost/latest:latest localhost/vessel-busybox:latest
}

# podman as the user, with this file's configuration
pm() {
	runuser -u "$RL_USER" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$PM_DIR/home" \
		XDG_RUNTIME_DIR="$PM_DIR/xdg" CONTAINERS_CONF="$PM_DIR/containers.conf" \
		CONTAINERS_STORAGE_CONF="$PM_DIR/storage.conf" \
		CONTAINERS_REGISTRIES_CONF="$PM_DIR/registries.conf" podman "$@"
}

teardown_file() {
	[[ -n ${PM_DIR:-} && -d $PM_DIR ]] || return 0
	pm rm -a -f -t 0 >/dev/null 2>&1
	# podman's pause process holds its user namespace between commands
	local pause
	pause=$(cat "$PM_DIR/xdg/libpod/tmp/pause.pid" 2>/dev/null)
	[[ -n $pause ]] && kill -9 "$pause" 2>/dev/null
	# vfs leaves nothing mounted; whatever podman made is the user's
	rm -rf "$PM_DIR"
	local left
	left=$(ps -u "$RL_USER" -o pid=,stat=,args= | awk '$2 !~ /^Z/')
	[[ -z $left ]] || fail "processes of $RL_USER left: $left"
}

setup() {
	[[ $RL_MODE == rootless ]] || skip "podman sets up its own user namespace"
	[[ -n ${PM_DIR:-} ]] || skip "needs podman and conmon"
}

@test "rootless podman: run through vessel, as the user's user namespace root" {
	run pm run --rm localhost/vessel-busybox sh -c 'id -u; cat /proc/self/uid_map'
	assert_success
	assert_line --index 0 0
	# podman maps container root to the user, the rest to its subordinate ids
	assert_line --index 1 --regexp "^ +0 +$RL_UID +1\$"
	assert_line --index 2 --regexp "^ +1 +$RL_SUBUID +65536\$"
	# conmon called vessel, not runc or crun
	run pm info --format '{{.Host.OCIRuntime.Path}}'
	assert_output "$VESSEL"
}

@test "rootless podman: run -d, ps, exec, logs, top, stop, rm" {
	run pm run -d --name rl-p1 localhost/vessel-busybox sh -c 'echo started; exec sleep 300'
	assert_success
	run pm ps --format '{{.Names}} {{.Status}}'
	assert_line --regexp '^rl-p1 Up'
	run pm exec rl-p1 sh -c 'echo exec:$(id -u):$(cat /proc/1/comm)'
	assert_success
	assert_output "exec:0:sleep"
	run pm logs rl-p1
	assert_output "started"
	run pm top rl-p1 args
	assert_line --partial "sleep 300"
	run pm stop -t 1 rl-p1
	assert_success
	run pm ps -a --format '{{.Names}} {{.Status}}'
	assert_line --regexp '^rl-p1 Exited'
	run pm rm rl-p1
	assert_success
	run pm ps -a -q
	assert_output ""
}
