# shellcheck shell=bash
# tests/integration/helpers.bash: what every vessel bats suite loads.
#
#   load helpers                  # a suite in tests/integration/
#   load ../integration/helpers   # a suite in tests/cgroup/
#
# Loading it gives every test, by default:
#   setup()     -> setup_bundle: a fresh bundle $BUNDLE (a private copy of the
#                  busybox image: rootfs/ + config.json with args ["sh"],
#                  terminal false; /usr/bin/vprobe inside), a fresh private
#                  state dir $ROOT, the cwd set to $BUNDLE and a unique
#                  container id in $CID.
#   teardown()  -> teardown_bundle: `vessel delete --force` of every container
#                  of the test (those in $ROOT and every id new_id handed out),
#                  then the leak check (below); a leak fails the test.
# A suite that defines its own setup()/teardown() must call setup_bundle /
# teardown_bundle from them (teardown_bundle last), or the leak check is lost.
#
# Variables:
#   VESSEL       absolute path of the binary under test (env; default
#                <repo>/build/vessel)
#   BUILDDIR     the build dir holding images/ and helpers/ (env; default the
#                directory of $VESSEL, or <repo>/build for <repo>/vessel)
#   HELPERS_DIR  $BUILDDIR/helpers: host-side helper binaries (recvtty, ...)
#   TEST_IMAGE   $BUILDDIR/images/busybox: the built image (rootfs/, config.json);
#                VESSEL_TEST_IMAGE (env) points it elsewhere, used as is
#   VESSEL_TEST_PREPARED  (env) set: do not build the image and helpers
#   ROOT         this test's state dir (what `vessel` passes as --root)
#   BUNDLE, CID  this test's bundle dir and a container id for it
#   REPO_ROOT    the source checkout
#
# Functions:
#   vessel ARGS...            "$VESSEL" --root "$ROOT" ARGS... (use with `run`)
#   new_id [PREFIX]           print a fresh container id (tracked for teardown)
#   update_config FILTER [BUNDLE]  edit config.json in place with a jq filter
#   set_args ARG...           set .process.args to exactly these words
#   set_cmd SCRIPT            set .process.args to ["sh", "-c", SCRIPT]
#   detached CMD...           run CMD (run -d, create) with its output in
#                             $BATS_TEST_TMPDIR/detached.log, not a pipe
#   state_field ID FIELD      one field of `vessel state ID` (jq path)
#   requires WHAT [ARG] ...   skip the test unless the host has WHAT:
#                  root | cgroup2 | cgroup2_controller NAME | cgroup_hybrid |
#                  cgroup2_unified | userns | seccomp | hugetlb | smp |
#                  command NAME | helper NAME
#   cgroup2_mount             print the host's cgroup2 mount point (or nothing)
#   container_pid ID          pid of the container's init from `vessel state`
#   container_status ID       status from `vessel state`
#   wait_for_status ID STATUS [SECONDS]  poll `vessel state` until STATUS
#   retry TRIES DELAY CMD...  run CMD until it succeeds
#   remap_rootfs UID GID      chown the bundle rootfs (user-namespace tests)
#   userns_100000             a new user namespace mapping the container's ids
#                             0-65535 to the host's 100000-165535, the rootfs
#                             chowned to match (skips without user namespaces)
#   vessel_leaks              print this test's leaks (used by teardown_bundle)
#
# The leak check fails a test when, after the force-deletes, any of these is
# left: a directory in $ROOT; a mount under this test's tmp dir (bundle and
# state dir) in /proc/self/mountinfo; a process whose root or cwd is the
# bundle's rootfs (compared by device:inode, which survives pivot_root) or
# anywhere in the test's tmp dir, or whose command line names $ROOT; a cgroup
# (v2 or v1) whose name contains one of the test's container ids, or at the
# config's linux.cgroupsPath.  After reporting, teardown removes what leaked so
# later tests start clean.
#
# Timeouts: with BATS_TEST_TIMEOUT set (tests/run-all sets 120 s), a watchdog
# SIGKILLs the test's leaked processes 2 s after the timeout, so a test stuck
# in `run` on a pipe a container still holds ends too.  Use `detached` for
# commands that leave a process behind, so `run` never waits on one.

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian's load.bash files fork a dirname for each file they source: 1-5 s
# a test in the TCG VM of tests/vm.  Their src/ files only define functions.
if [[ -f /usr/lib/bats/bats-support/src/output.bash && -f /usr/lib/bats/bats-assert/src/assert.bash ]]; then
	for _f in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash; do
		# shellcheck source=/dev/null
		source "$_f"
	done
	unset _f
elif declare -F bats_load_library >/dev/null; then
	bats_load_library bats-support
	bats_load_library bats-assert
else
	load /usr/lib/bats/bats-support/load
	load /usr/lib/bats/bats-assert/load
fi

VESSEL=${VESSEL:-$REPO_ROOT/build/vessel}
[[ $VESSEL == /* ]] || VESSEL=$PWD/$VESSEL
if [[ -z ${BUILDDIR:-} ]]; then
	BUILDDIR=$(dirname "$VESSEL")
	[[ $BUILDDIR == "$REPO_ROOT" ]] && BUILDDIR=$REPO_ROOT/build
fi
[[ $BUILDDIR == /* ]] || BUILDDIR=$PWD/$BUILDDIR
HELPERS_DIR=$BUILDDIR/helpers
TEST_IMAGE=${VESSEL_TEST_IMAGE:-$BUILDDIR/images/busybox}
export VESSEL BUILDDIR HELPERS_DIR TEST_IMAGE REPO_ROOT

# `make check` builds the image and the helpers before any suite runs and
# sets VESSEL_TEST_PREPARED; a suite run by hand (`VESSEL=... bats x.bats`)
# brings both up to date once per bats run (quick when nothing changed).
# flock because bats -j runs tests side by side.
vessel_prepare() {
	[[ -n ${VESSEL_TEST_PREPARED:-} ]] && return 0
	local stamp=${BATS_RUN_TMPDIR:-/tmp}/vessel-prepared
	[[ -e $stamp ]] && return 0
	mkdir -p "$BUILDDIR" || return 1
	(
		flock 9
		[[ -e $stamp ]] && exit 0
		make -s -C "$REPO_ROOT/tests/helpers" BUILDDIR="$HELPERS_DIR" >&2 || exit 1
		if [[ -z ${VESSEL_TEST_IMAGE:-} ]]; then
			VESSEL=$VESSEL "$REPO_ROOT/images/build-busybox-image.sh" "$BUILDDIR/images" >&2 || exit 1
		fi
		touch "$stamp"
	) 9>"$BUILDDIR/.test-prepare.lock"
}

vessel() {
	"$VESSEL" --root "$ROOT" "$@"
}

new_id() {
	local id
	id=${1:-vt}-${BATS_SUITE_TEST_NUMBER:-0}-$$-$RANDOM$RANDOM
	echo "$id" >>"$BATS_TEST_TMPDIR/.vessel-ids"
	echo "$id"
}

# The bundle lives under bats's per-test tmp dir, whose parents are 0700;
# a container whose root is an unprivileged user (user namespaces) must be
# able to walk down to its rootfs.
_open_path_to() {
	local dir=$1
	while [[ $dir != / && $dir != /tmp ]]; do
		chmod a+x "$dir" 2>/dev/null || true
		dir=$(dirname "$dir")
	done
}

setup_bundle() {
	vessel_prepare || fail "cannot build the test image or helpers in $BUILDDIR"
	[[ -x $VESSEL ]] || fail "VESSEL=$VESSEL is not an executable (build it: make BUILDDIR=... vessel)"
	[[ -f $TEST_IMAGE/config.json && -d $TEST_IMAGE/rootfs ]] ||
		fail "test image missing at $TEST_IMAGE (run: make BUILDDIR=$BUILDDIR images)"
	ROOT=$BATS_TEST_TMPDIR/state
	BUNDLE=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$ROOT" "$BUNDLE"
	chmod 0700 "$ROOT"
	cp -a "$TEST_IMAGE/rootfs" "$BUNDLE/rootfs"
	cp "$TEST_IMAGE/config.json" "$BUNDLE/config.json"
	if [[ -x $HELPERS_DIR/vprobe ]]; then
		install -D -m 0755 "$HELPERS_DIR/vprobe" "$BUNDLE/rootfs/usr/bin/vprobe"
	fi
	_open_path_to "$BUNDLE"
	CID=$(new_id vt)
	export ROOT BUNDLE CID
	_start_watchdog
	cd "$BUNDLE" || fail "cd $BUNDLE"
}

# bats's own per-test timeout (BATS_TEST_TIMEOUT) cannot end a test stuck in
# `run` while a leaked process (a container init, a detached vessel) still
# holds the output pipe: bash reads the command substitution to EOF before it
# runs the timeout trap.  So just after the timeout this watchdog SIGKILLs the
# test's own processes (as the leak check finds them); then the read returns,
# bats reports the timeout, teardown cleans up.  It is forked twice because
# bats's timeout kills the test's direct children; it runs in / with every fd
# but 0-2 closed, so it holds nothing of the test's.
_start_watchdog() {
	VESSEL_WATCHDOG=""
	[[ ${BATS_TEST_TIMEOUT:-0} -gt 0 ]] || return 0
	VESSEL_WATCHDOG=$(
		(
			cd / || exit 0
			for fd in "/proc/$BASHPID/fd/"*; do
				fd=${fd##*/}
				((fd > 2)) && eval "exec $fd>&-"
			done
			exec </dev/null >/dev/null 2>&1
			sleep $((BATS_TEST_TIMEOUT + 2)) &
			trap 'kill $! 2>/dev/null; exit 0' TERM
			wait $!
			for p in $(_leaked_pids); do
				kill -9 "$p"
			done
		) &
		echo $!
	)
}

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

update_config() {
	local filter=$1 dir=${2:-$BUNDLE}
	local tmp
	tmp=$(mktemp "$dir/config.json.XXXXXX") || return 1
	if ! jq "$filter" "$dir/config.json" >"$tmp"; then
		rm -f "$tmp"
		fail "update_config: jq filter failed: $filter"
	fi
	mv "$tmp" "$dir/config.json"
}

# Each word goes in with --arg, which takes its value verbatim: after --args,
# jq 1.6 would still parse a word like "-c" as one of its own options.
set_args() {
	local tmp i list="" jqargs=()
	for ((i = 1; i <= $#; i++)); do
		jqargs+=(--arg "a$i" "${!i}")
		list+="${list:+,}\$a$i"
	done
	tmp=$(mktemp "$BUNDLE/config.json.XXXXXX") || return 1
	if ! jq "${jqargs[@]}" ".process.args = [$list]" "$BUNDLE/config.json" >"$tmp"; then
		rm -f "$tmp"
		fail "set_args: cannot set process.args to: $*"
	fi
	mv "$tmp" "$BUNDLE/config.json"
}

# set_cmd SCRIPT: process.args = ["sh", "-c", SCRIPT]
set_cmd() {
	set_args sh -c "$1"
}

# Runs a command that leaves a process behind (run -d, create) with its
# output in $BATS_TEST_TMPDIR/detached.log instead of a pipe that `run` would
# read until the container exits.
detached() {
	"$@" >>"$BATS_TEST_TMPDIR/detached.log" 2>&1 </dev/null
}

# state_field ID FIELD: one field of `vessel state ID`
state_field() {
	vessel state "$1" | jq -er ".$2"
}

remap_rootfs() {
	chown -R -h "$1:$2" "$BUNDLE/rootfs"
}

userns_100000() {
	requires userns
	remap_rootfs 100000 100000
	update_config '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

cgroup2_mount() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' \
		/proc/self/mountinfo
}

_cgroup_mounts() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' \
		/proc/self/mountinfo
}

_userns_works() {
	[[ -e /proc/self/ns/user ]] || return 1
	[[ $(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1) -gt 0 ]] || return 1
	unshare --user --map-root-user true 2>/dev/null
}

requires() {
	local cg2
	while (($#)); do
		case $1 in
		root) ((EUID == 0)) || skip "needs root" ;;
		cgroup2) [[ -n $(cgroup2_mount) ]] || skip "needs a cgroup2 mount" ;;
		cgroup2_controller)
			[[ -n ${2:-} ]] || { fail "requires cgroup2_controller: missing controller name"; return 1; }
			cg2=$(cgroup2_mount)
			if [[ -z $cg2 ]] || ! grep -qw -- "$2" "$cg2/cgroup.controllers"; then
				skip "needs the $2 controller in the cgroup2 tree"
			fi
			shift
			;;
		cgroup2_unified) [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]] ||
			skip "needs a pure cgroup v2 host" ;;
		cgroup_hybrid) [[ $(stat -f -c %T /sys/fs/cgroup) == tmpfs && -n $(cgroup2_mount) ]] ||
			skip "needs a hybrid cgroup v1+v2 host" ;;
		userns) _userns_works || skip "needs user namespaces" ;;
		seccomp) grep -q '^Seccomp:' /proc/self/status || skip "needs seccomp" ;;
		hugetlb) compgen -G '/sys/kernel/mm/hugepages/hugepages-*' >/dev/null || skip "needs hugetlb" ;;
		smp) (($(nproc) > 1)) || skip "needs more than one cpu" ;;
		command)
			[[ -n ${2:-} ]] || { fail "requires command: missing name"; return 1; }
			command -v "$2" >/dev/null || skip "needs the command $2"
			shift
			;;
		helper)
			[[ -n ${2:-} ]] || { fail "requires helper: missing name"; return 1; }
			[[ -x $HELPERS_DIR/$2 ]] || skip "needs the test helper $HELPERS_DIR/$2 (make helpers)"
			shift
			;;
		*)
			fail "requires: unknown requirement '$1'"
			return 1
			;;
		esac
		shift
	done
}

container_pid() {
	vessel state "$1" | jq -er .pid
}

container_status() {
	vessel state "$1" | jq -er .status
}

wait_for_status() {
	local id=$1 want=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 10; i++)); do
		[[ $(vessel state "$id" 2>/dev/null | jq -r .status 2>/dev/null) == "$want" ]] && return 0
		sleep 0.1
	done
	fail "container $id did not reach status $want in ${secs}s (state: $(vessel state "$id" 2>&1))"
}

retry() {
	local tries=$1 delay=$2 i
	shift 2
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep "$delay"
	done
	echo "retry: '$*' failed $tries times" >&2
	return 1
}

# ---- teardown and the leak check ----------------------------------------

# Every id this test may have used: handed out by new_id or present in $ROOT.
_test_ids() {
	{
		cat "$BATS_TEST_TMPDIR/.vessel-ids" 2>/dev/null
		[[ -d $ROOT ]] && find "$ROOT" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'
	} | sort -u
}

_leaked_mounts() {
	awk -v p="$BATS_TEST_TMPDIR/" 'index($5, p) == 1 || $5 == substr(p, 1, length(p) - 1) { print $5 }' \
		/proc/self/mountinfo
}

# Parent pid of $1 into _PPID (no fork: this runs for many processes).
_ppid_of() {
	local stat
	_PPID=0
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	read -r _ _PPID _ <<<"$stat"
}

# True when $2 is the shell running the check ($1), the test's shell ($$),
# an ancestor of either, or a descendant of the check (its own pipelines).
_is_harness_pid() {
	local me=$1 p=$2 q
	for q in "$me" "$$"; do
		while [[ $q -gt 1 ]]; do
			[[ $q == "$p" ]] && return 0
			_ppid_of "$q" || break
			q=$_PPID
		done
	done
	q=$p
	while [[ $q -gt 1 ]]; do
		[[ $q == "$me" ]] && return 0
		_ppid_of "$q" || return 0 # gone already: a transient of the check
		q=$_PPID
	done
	return 1
}

# Processes that belong to this test: root or cwd on the bundle's rootfs (by
# device:inode, since after pivot_root /proc/PID/root reads as "/"), a path in
# the test's tmp dir, or a command line naming $ROOT (a hung vessel).  The
# grep pattern spells '/' as '[/]' so grep's own command line does not match.
_leaked_pids() {
	local me=$BASHPID rootfs_id="" pat p
	[[ -d $BUNDLE/rootfs ]] && rootfs_id=$(stat -c %d:%i "$BUNDLE/rootfs")
	{
		if [[ -n $rootfs_id ]]; then
			stat -L -c '%n %d:%i' /proc/[0-9]*/root /proc/[0-9]*/cwd 2>/dev/null |
				awk -v id="$rootfs_id" '$2 == id { split($1, a, "/"); print a[3] }'
		fi
		find /proc/[0-9]*/cwd /proc/[0-9]*/root -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
			awk -v p="$BATS_TEST_TMPDIR/" 'index($2, p) == 1 { split($1, a, "/"); print a[3] }'
		if [[ -n ${ROOT:-} ]]; then
			pat=${ROOT//\//[/]}
			grep -lsaE -- "$pat" /proc/[0-9]*/cmdline | cut -d/ -f3
		fi
	} | sort -un | while read -r p; do
		_is_harness_pid "$me" "$p" || echo "$p"
	done
}

_leaked_cgroups() {
	local ids=("$@") mnt id path args=()
	for id in "${ids[@]}"; do
		args+=(-o -name "*$id*")
	done
	path=$(jq -r '.linux.cgroupsPath // empty' "$BUNDLE/config.json" 2>/dev/null || true)
	while read -r mnt; do
		[[ -d $mnt ]] || continue
		if ((${#args[@]})); then
			find "$mnt" -mindepth 1 -maxdepth 6 -type d \( -false "${args[@]}" \) -print 2>/dev/null
		fi
		if [[ -n $path && $path != *:* && -d $mnt/${path#/} && ${path#/} != "" ]]; then
			echo "$mnt/${path#/}"
		fi
	done < <(_cgroup_mounts)
}

# Prints one line per leaked object; prints nothing when the test is clean.
# A process killed by `delete --force` may take a moment to be reaped, so
# processes get a second of grace.
vessel_leaks() {
	local ids=("$@") d p i pids=""
	if [[ -d ${ROOT:-} ]]; then
		for d in "$ROOT"/*/ "$ROOT"/.*/; do
			# @cache is the runtime's own (compiled seccomp filters), not a
			# container; '@' cannot appear in a container id.
			[[ ${d%/} == "$ROOT/@cache" || ${d%/} == "$ROOT/." || ${d%/} == "$ROOT/.." ]] && continue
			[[ -d $d ]] && echo "state dir left: ${d%/}"
		done
	fi
	for ((i = 0; i < 10; i++)); do
		pids=$(_leaked_pids)
		[[ -z $pids ]] && break
		sleep 0.1
	done
	for p in $pids; do
		[[ -e /proc/$p ]] || continue
		echo "process left: pid $p ($(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline"))"
	done
	_leaked_mounts | sed 's/^/mount left: /'
	_leaked_cgroups "${ids[@]}" | sed 's/^/cgroup left: /'
}

# Kills what is left in a cgroup (cgroup.kill on v2, each pid on v1) and
# removes it, children first; rmdir waits until the killed tasks are gone.
_remove_cgroup() {
	local cg=$1 i p
	for ((i = 0; i < 30; i++)); do
		if [[ -e $cg/cgroup.kill ]]; then
			echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
		else
			while read -r p; do
				kill -9 "$p" 2>/dev/null || true
			done < <(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
		fi
		find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
		[[ -d $cg ]] || return 0
		sleep 0.1
	done
	echo "# could not remove cgroup $cg" >&2
}

# Removes what vessel_leaks found, so one leaking test does not break the next.
_clean_leaks() {
	local line obj p
	while read -r line; do
		obj=${line#*: }
		case $line in
		"process left: "*)
			p=${obj#pid }
			kill -9 "${p%% *}" 2>/dev/null || true
			;;
		esac
	done <<<"$1"
	sleep 0.2
	while read -r obj; do
		umount -l "$obj" 2>/dev/null || true
	done < <(_leaked_mounts | sort -r)
	while read -r line; do
		case $line in
		"cgroup left: "*) _remove_cgroup "${line#cgroup left: }" ;;
		"state dir left: "*) rm -rf "${line#state dir left: }" ;;
		esac
	done <<<"$1"
}

teardown_bundle() {
	cd / || true
	if [[ -n ${VESSEL_WATCHDOG:-} ]]; then
		kill "$VESSEL_WATCHDOG" 2>/dev/null || true
	fi
	[[ -n ${BATS_TEST_TMPDIR:-} ]] || return 0
	local ids id leaks
	mapfile -t ids < <(_test_ids)
	if [[ -n ${ROOT:-} && -d $ROOT ]]; then
		for id in "${ids[@]}"; do
			[[ -e $ROOT/$id ]] || continue
			timeout 30 "$VESSEL" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	leaks=$(vessel_leaks "${ids[@]}")
	[[ -z $leaks ]] && return 0
	echo "# leak check failed after the force-deletes:" >&2
	# shellcheck disable=SC2001
	sed 's/^/#   /' <<<"$leaks" >&2
	_clean_leaks "$leaks"
	return 1
}
