# shellcheck shell=bash
# tests/clients/podman-helpers.bash: podman 4 (through conmon) driving
# vessel, shared by tests/clients/podman.bats and podman-checkpoint.bats
# (the cgroupfs manager) and tests/systemd/podman.bats (cgroup_manager =
# "systemd", systemd as PID 1).
# Loads clients-helpers.bash.
#
#   pm_setup_file MANAGER  after cl_prepare: a containers.conf naming vessel
#                      as a runtime (and in runtime_supports_json, so conmon
#                      passes --log-format json) with cgroup_manager MANAGER,
#                      storage, run and lock dirs private to the file under
#                      $CL_DIR, the busybox image loaded as $PM_IMAGE; with
#                      PM_RUNTIME_LOG set, the runtime is a wrapper logging
#                      each vessel command line there
#   pm_teardown_file   remove every container, reset the storage, unmount;
#                      sets PM_LEAKS (what was left) for the caller to fail on
#   pm_teardown        per test: leaks, containers still in podman (removed)
#   pm ARGS...         podman with this file's manager
#   pm_run_d NAME ARGS...  run -d, the long id recorded for the leak check
#   pm_status NAME     .State.Status
#
# podman passes vessel no --root, so its state is in the default
# /run/vessel; the leak check looks there for this file's container ids.
#
# Locks are files under tmp_dir, not podman's default shared memory: the
# shm lock set has one host-wide name (/dev/shm/libpod_lock), so two files
# run side by side in the VM (podman.bats, podman-checkpoint.bats) with
# their own storage clashed ("failed to create 2048 locks in /libpod_lock:
# file exists"), and one file's `system reset` would remove the other's.

# (load resolves names against the test file's directory: tests/systemd's
# suites load this file too)
load "$(dirname "${BASH_SOURCE[0]}")/clients-helpers"

pm_setup_file() {
	PM_CGROUP_MANAGER=$1
	local rt=$VESSEL
	[[ -z ${PM_RUNTIME_LOG:-} ]] || rt=$(cl_logging_runtime "$PM_RUNTIME_LOG")
	PM_IMAGE=localhost/vessel-busybox:latest
	CL_STATE_ROOTS=/run/vessel
	CL_KEEP_MOUNT=$CL_DIR/storage/overlay
	local pids_limit=""
	# Without a pids controller in cgroup2 or v1 podman's default pids
	# limit (2048) is one vessel refuses to pretend to enforce (a hybrid
	# host's v1 pids controller enforces it).
	grep -qw pids "$(cgroup2_mount)/cgroup.controllers" 2>/dev/null ||
		[[ -e /sys/fs/cgroup/pids/cgroup.procs ]] || pids_limit="pids_limit = 0"
	# This host's hard nofile limit is 20000 and CAP_SYS_RESOURCE is
	# missing: podman's default ulimits (1048576) cannot be set.
	cat >"$CL_DIR/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
		netns = "none"
		log_driver = "k8s-file"
		$pids_limit
		[engine]
		cgroup_manager = "$PM_CGROUP_MANAGER"
		events_logger = "file"
		events_logfile_path = "$CL_DIR/events.log"
		lock_type = "file"
		runtime = "vessel"
		runtime_supports_json = ["vessel"]
		tmp_dir = "$CL_DIR/tmp"
		[engine.runtimes]
		vessel = ["$rt"]
	EOF
	cat >"$CL_DIR/storage.conf" <<-EOF
		[storage]
		driver = "overlay"
		graphroot = "$CL_DIR/storage"
		runroot = "$CL_DIR/run"
	EOF
	CONTAINERS_CONF=$CL_DIR/containers.conf
	CONTAINERS_STORAGE_CONF=$CL_DIR/storage.conf
	CONTAINERS_REGISTRIES_CONF=$CL_DIR/registries.conf
	: >"$CONTAINERS_REGISTRIES_CONF"
	export PM_CGROUP_MANAGER PM_IMAGE CL_STATE_ROOTS CL_KEEP_MOUNT CONTAINERS_CONF \
		CONTAINERS_STORAGE_CONF CONTAINERS_REGISTRIES_CONF
	# (not pm's 60 s: in the VM, at the start of the side-by-side groups,
	# a load once took longer and the whole file failed)
	local out
	out=$(timeout 600 podman --cgroup-manager "$PM_CGROUP_MANAGER" load -i "$CL_OCI_ARCHIVE" 2>&1) ||
		fail "podman load failed: $out"
	# the archive's only name is its tag, "latest"
	pm tag localhost/latest:latest "$PM_IMAGE" || fail "podman tag failed"
	pm rmi localhost/latest:latest >/dev/null
}

pm_teardown_file() {
	pm rm -a -f -t 0 >/dev/null 2>&1
	PM_LEAKS=$(cl_lasting_leaks)
	pm system reset -f >/dev/null 2>&1
	# overlay leaves its own private bind of the graph root mounted
	grep -F " $CL_DIR/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r |
		while read -r m; do umount -l "$m"; done
}

pm_teardown() {
	local c leaks
	leaks=$(cl_lasting_leaks)
	for c in $(pm ps -aq 2>/dev/null); do
		leaks+="${leaks:+$'\n'}container $c still in podman"
		pm rm -f -t 0 "$c" >/dev/null 2>&1
	done
	[[ -z $leaks ]] || fail "left behind: $leaks"
}

pm() {
	timeout 60 podman --cgroup-manager "$PM_CGROUP_MANAGER" "$@"
}

# pm_run_d NAME ARGS...: podman run -d, its long id recorded for the leak
# check (vessel's state dir and cgroup are named after it).
pm_run_d() {
	local name=$1
	shift
	pm run -d --name "$name" --cidfile "$CL_DIR/$name.cid" "$@" >/dev/null </dev/null ||
		fail "podman run -d $name failed"
	cat "$CL_DIR/$name.cid" >>"$CL_DIR/ids"
	echo >>"$CL_DIR/ids"
}

pm_status() {
	pm inspect -f '{{.State.Status}}' "$1"
}
