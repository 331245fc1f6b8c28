# shellcheck shell=bash
# tests/clients/podman-helpers.bash: podman 4 (through conmon) configured
# the way a user would, for the suites that drive vessel through it
# (podman.bats, podman-checkpoint.bats): a containers.conf naming vessel
# as a runtime (and in runtime_supports_json, so conmon passes --log-format
# json), storage and run dirs private to the file under $CL_DIR, the
# cgroupfs manager.
#
# podman passes vessel no --root, so its state is in the default
# /run/vessel; the leak check looks there for the file's container ids.
#
# Functions:
#   pm_setup_file          the configuration and the busybox image as
#                          $PM_IMAGE (or why not in CL_SKIP); with
#                          PM_RUNTIME_LOG set, the runtime is a wrapper
#                          logging each vessel command line there
#   pm_teardown_file       remove everything, fail on what was left
#   pm_teardown            after a test: fail on leaks, remove what is left
#   pm ARGS...             podman with this configuration
#   pm_run_d NAME ARGS...  podman run -d, its long id recorded
#   pm_status NAME         running, exited, paused...

load clients-helpers

pm_setup_file() {
	CL_SKIP=$(cl_missing podman conmon script)
	export CL_SKIP
	[[ -z $CL_SKIP ]] || return 0
	cl_prepare
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
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$CL_DIR/events.log"
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
	export PM_IMAGE CL_STATE_ROOTS CL_KEEP_MOUNT CONTAINERS_CONF CONTAINERS_STORAGE_CONF CONTAINERS_REGISTRIES_CONF
	cl_cgroups_snapshot libpod_parent
	pm load -i "$CL_OCI_ARCHIVE" >/dev/null 2>&1 || fail "podman load failed"
	# the archive's only name is its tag, "latest"
	pm tag localhost/latest:latest "$PM_IMAGE" || fail "podman tag failed"
	pm rmi localhost/latest:latest >/dev/null
}

pm_teardown_file() {
	[[ -n ${CL_DIR:-} && -f $CL_DIR/containers.conf ]] || return 0
	pm rm -a -f -t 0 >/dev/null 2>&1
	local leaks
	leaks=$(cl_lasting_leaks)
	pm system reset -f >/dev/null 2>&1
	# overlay leaves its own private bind of the graph root mounted
	grep -F " $CL_DIR/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r |
		while read -r m; do umount -l "$m"; done
	cl_cgroups_restore libpod_parent
	[[ -z $leaks ]] || fail "left behind: $leaks"
}

pm_teardown() {
	[[ -z ${CL_SKIP:-} ]] || return 0
	local c leaks
	leaks=$(cl_lasting_leaks)
	for c in $(pm ps -aq 2>/dev/null); do
		leaks+="${leaks:+$'\n'}container $c still in podman"
		pm rm -f -t 0 "$c" >/dev/null 2>&1
	done
	[[ -z $leaks ]] || fail "left behind: $leaks"
}

pm() {
	timeout 60 podman --cgroup-manager cgroupfs "$@"
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
