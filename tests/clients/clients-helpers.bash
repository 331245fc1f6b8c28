# shellcheck shell=bash
# tests/clients/clients-helpers.bash: what the real-client suites
# (containerd.bats, cri.bats, podman.bats, docker.bats) share.  Each suite starts its daemon or
# configuration once per file (setup_file), under $CL_DIR, a private
# directory, and drives vessel ($VESSEL) through it.
#
# Loads tests/integration/helpers.bash for $VESSEL, $BUILDDIR, the test image
# (built by vessel_prepare), requires and retry; the per-test bundle it
# offers is not used: the clients make their own bundles.
#
# Functions:
#   cl_missing CMD...      why the suite cannot run here (CL_SKIP), or nothing
#   cl_prepare             build the image, make $CL_DIR, $CL_OCI_ARCHIVE
#                          (the busybox image as an OCI archive: a tar of the
#                          layout images/build-busybox-image.sh writes)
#   cl_new_name            print a fresh container name "vcl-<pid>-<n>",
#                          recorded for the leak check
#   cl_leaks               print what the suite's containers left: vessel
#                          state dirs under $CL_STATE_ROOTS, mounts under
#                          $CL_DIR, processes naming $CL_DIR or a container
#                          (but $CL_DAEMON_PID and the pids in
#                          $CL_DAEMON_PIDS), cgroups (v1 or v2) named after
#                          a container
#   cl_lasting_leaks       cl_leaks, again for up to 3 s while it is not
#                          empty (a shim or conmon exits a moment after its
#                          container is removed)
#   cl_assert_no_leaks     fail with cl_leaks's list when it is not empty
#   cl_sweep_shim_sockets BEFORE  remove the sockets in /run/containerd/s/
#                          that are not listed in the file BEFORE and that
#                          no process still listens on (the suite's shims,
#                          killed; not those of a suite running alongside)
#   cl_cgroups_snapshot / cl_cgroups_restore DIRNAME
#                          remember which /sys/fs/cgroup/*/DIRNAME existed,
#                          later rmdir the empty ones the client made (the
#                          clients' own parents, e.g. podman's libpod_parent)

load ../integration/helpers

# cl_missing CMD...: print why the suite cannot run here (not root, a
# command missing), nothing when it can.  bats 1.8 cannot skip from
# setup_file, so setup_file records this in CL_SKIP and setup() skips.
cl_missing() {
	local c
	((EUID == 0)) || { echo "needs root"; return 0; }
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "needs $c (scripts/install-deps)"; return 0; }
	done
}

cl_prepare() {
	vessel_prepare || return 1
	[[ -x $VESSEL ]] || { echo "VESSEL=$VESSEL is not built" >&2; return 1; }
	CL_DIR=$BATS_FILE_TMPDIR/cl
	mkdir -p "$CL_DIR"
	chmod 0711 "$CL_DIR"
	CL_OCI_ARCHIVE=$CL_DIR/busybox-oci.tar
	local layout=$BUILDDIR/images/busybox-oci
	[[ -f $layout/index.json ]] || { echo "no OCI layout at $layout" >&2; return 1; }
	tar -C "$layout" -cf "$CL_OCI_ARCHIVE" . || return 1
	CL_NAMES=$CL_DIR/names
	: >"$CL_NAMES"
	export CL_DIR CL_OCI_ARCHIVE CL_NAMES
}

cl_new_name() {
	local n
	n=vcl-$$-${BATS_SUITE_TEST_NUMBER:-0}-$RANDOM
	echo "$n" >>"$CL_NAMES"
	echo "$n"
}

# Container names and the long ids a client gave them (podman's 64 hex).
_cl_names() {
	cat "$CL_NAMES" "$CL_DIR/ids" 2>/dev/null | sort -u
}

_cl_leaked_state() {
	local root n
	for root in ${CL_STATE_ROOTS:-}; do
		[[ -d $root ]] || continue
		for n in $(_cl_names); do
			[[ -e $root/$n ]] && echo "vessel state dir $root/$n"
		done
	done
	return 0
}

# CL_KEEP_MOUNT: a mount the client keeps for itself between containers
# (podman's overlay driver binds its home privately while any podman
# process holds the store); teardown_file removes it.
_cl_leaked_mounts() {
	awk -v p="$CL_DIR/" -v keep="${CL_KEEP_MOUNT:-}" \
		'index($5, p) == 1 && $5 != keep { print "mount " $5 }' /proc/self/mountinfo
}

# One grep over every cmdline: a loop over /proc costs seconds per test.
_cl_leaked_procs() {
	local pats=() n f pid
	pats=(-e "$CL_DIR/")
	for n in $(_cl_names); do
		pats+=(-e "$n")
	done
	while read -r f; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		((pid == $$ || pid == BASHPID)) && continue
		# the daemon itself runs until teardown_file
		[[ -n ${CL_DAEMON_PID:-} && $pid == "$CL_DAEMON_PID" ]] && continue
		# and the daemons it started (dockerd's containerd)
		[[ " ${CL_DAEMON_PIDS:-} " == *" $pid "* ]] && continue
		_is_harness_pid "$BASHPID" "$pid" && continue
		echo "process $pid: $(tr '\0' ' ' 2>/dev/null <"$f")"
	done < <(grep -lsaF "${pats[@]}" /proc/[0-9]*/cmdline)
	return 0
}

_cl_leaked_cgroups() {
	local args=() n
	for n in $(_cl_names); do
		args+=(${args:+-o} -name "*$n*")
	done
	((${#args[@]})) || return 0
	# shellcheck disable=SC2046
	find $(_cgroup_mounts) -maxdepth 5 -type d \( "${args[@]}" \) 2>/dev/null | sed 's/^/cgroup /'
	return 0
}

cl_leaks() {
	_cl_leaked_state
	_cl_leaked_mounts
	_cl_leaked_procs
	_cl_leaked_cgroups
}

# One look when nothing is left, the usual case: a look costs half a
# second in the TCG VM.
cl_lasting_leaks() {
	local leaks tries=30
	leaks=$(cl_leaks)
	while [[ -n $leaks ]] && ((tries-- > 0)); do
		sleep 0.1
		leaks=$(cl_leaks)
	done
	printf '%s' "$leaks"
}

cl_assert_no_leaks() {
	local leaks
	leaks=$(cl_leaks)
	[[ -z $leaks ]] || fail "left behind:
$leaks"
}

# Shims remove their socket on exit; a killed one leaves it.  In the VM the
# client suites run side by side, so "new since setup_file" is not enough:
# a socket still bound (listed in /proc/net/unix) belongs to a live shim.
cl_sweep_shim_sockets() {
	local before=$1 s bound
	bound=$(awk 'NR > 1 && $8 ~ "^/run/containerd/s/" { print $8 }' /proc/net/unix)
	for s in /run/containerd/s/*; do
		[[ -e $s ]] || continue
		grep -qxF "${s##*/}" "$before" && continue
		grep -qxF "$s" <<<"$bound" && continue
		rm -f "$s"
	done
	return 0
}

cl_cgroups_snapshot() {
	local name=$1
	compgen -G "/sys/fs/cgroup/*/$name" >"$CL_DIR/cgroups-before-$name" || true
}

cl_cgroups_restore() {
	local name=$1 d sub
	for d in /sys/fs/cgroup/*/"$name"; do
		[[ -d $d ]] || continue
		grep -qxF "$d" "$CL_DIR/cgroups-before-$name" 2>/dev/null && continue
		for sub in "$d"/*/; do
			[[ -d $sub ]] && rmdir "$sub" 2>/dev/null
		done
		rmdir "$d" 2>/dev/null || true
	done
	return 0
}

# cl_criu_missing: print why criu cannot checkpoint here (no criu, or
# `criu check`'s last line: this host's 6.18 kernel fails on its vDSO),
# nothing when it can.  Loads first the modules criu probes for, which the
# VM's kernel (tests/vm) has as modules.
cl_criu_missing() {
	local m
	command -v criu >/dev/null || { echo "needs criu (scripts/install-deps)"; return 0; }
	if [[ -d /lib/modules/$(uname -r) ]]; then
		for m in crc32c_generic libcrc32c nf_tables nft_compat nf_conntrack \
			nf_conntrack_netlink unix_diag inet_diag tcp_diag udp_diag netlink_diag \
			af_packet_diag tun veth xt_mark ip_tables iptable_filter; do
			busybox modprobe "$m" 2>/dev/null || modprobe "$m" 2>/dev/null || true
		done
	fi
	local out rc=0
	out=$(criu check 2>&1) || rc=$?
	((rc == 0)) ||
		echo "criu cannot checkpoint on this kernel ($(uname -r)): criu check exits $rc${out:+: ${out##*$'\n'}}"
	return 0
}

# cl_logging_runtime FILE: print the path of a wrapper that appends each
# invocation's argv (one line) to FILE, then execs $VESSEL: the runtime a
# client is given where a test checks what the client asked of it.
cl_logging_runtime() {
	local w=$CL_DIR/vessel-logged
	cat >"$w" <<-EOF2
		#!/bin/sh
		echo "\$*" >>'$1'
		exec '$VESSEL' "\$@"
	EOF2
	chmod 0755 "$w"
	echo "$w"
}
