# shellcheck shell=bash
# tests/rootless/helpers.bash: vessel run by an ordinary user.
#
# The suites here run as root (to make the user) and run every vessel
# command as that user, through `rl`.  On top of tests/integration/helpers:
#   RL_USER     the test user (env VESSEL_ROOTLESS_USER, default
#               vessel-rootless): made by rootless_user on first use with
#               useradd (no home, no login shell) and subordinate ids in
#               /etc/subuid and /etc/subgid; reused by later runs.
#   RL_MODE     how vessel is started (env, default rootless):
#                 rootless  as RL_USER
#                 unshare   as RL_USER under `unshare -r` (root of a user
#                           namespace of its own, as crun's third run)
#   RL_UID, RL_GID, RL_SUBUID, RL_SUBGID   the user's ids and the first of
#               its subordinate ranges
#   RL_XDG      the user's XDG_RUNTIME_DIR for the test (0700, its own);
#               ROOT is $RL_XDG/vessel, vessel's default --root there, so
#               the leak check of teardown_bundle covers the state dirs.
# Functions:
#   rl ARGS...          vessel ARGS... as the user (no --root: the default)
#   rl_as CMD...        any command as the user, with the same environment
#   rl_config FILTER    update_config, left readable by the user
#   rootless_setup      setup(): the user, a bundle of its own written by
#                       `vessel spec --rootless` (args set to `true`)
#   rootless_teardown   teardown(): force-deletes as the user, then the
#                       leak check; any process of the user left is a leak

# by path: suites in tests/rootless/vm load this file too
source "$(dirname "${BASH_SOURCE[0]}")/../integration/helpers.bash"

RL_USER=${VESSEL_ROOTLESS_USER:-vessel-rootless}
RL_MODE=${RL_MODE:-rootless}

# useradd and usermod take /etc/passwd's lock; another test run (another
# worktree) may hold it for a moment.
_rl_retry() {
	for _ in 1 2 3 4 5; do
		"$@" && return 0
		sleep 1
	done
	return 1
}

rootless_user() {
	requires root
	requires command runuser
	requires command newuidmap
	requires command newgidmap
	if ! id -u "$RL_USER" >/dev/null 2>&1; then
		_rl_retry useradd --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$RL_USER" || fail "useradd $RL_USER"
	fi
	# Debian's useradd gives subordinate ids itself (SUB_UID_COUNT); an
	# older user, or another useradd, may not have them.
	if ! grep -q "^$RL_USER:" /etc/subuid; then
		_rl_retry usermod --add-subuids 1000000-1065535 "$RL_USER" || fail "usermod --add-subuids"
	fi
	if ! grep -q "^$RL_USER:" /etc/subgid; then
		_rl_retry usermod --add-subgids 1000000-1065535 "$RL_USER" || fail "usermod --add-subgids"
	fi
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	RL_SUBUID=$(awk -F: -v u="$RL_USER" '$1 == u && $3 >= 65536 { print $2; exit }' /etc/subuid)
	RL_SUBGID=$(awk -F: -v u="$RL_USER" '$1 == u && $3 >= 65536 { print $2; exit }' /etc/subgid)
	[[ -n $RL_SUBUID && -n $RL_SUBGID ]] || fail "$RL_USER has no range of 65536 subordinate ids"
	export RL_UID RL_GID RL_SUBUID RL_SUBGID
}

# The command line that runs CMD... as the user (rl_as without the
# function, for `timeout`).
_rl_cmd() {
	RL_CMD=(runuser -u "$RL_USER" --)
	# setns into a user namespace its owner made: uid 0 there (our uid is
	# mapped to 0), every capability in it
	[[ $RL_MODE == unshare ]] && RL_CMD+=(nsenter --user --preserve-credentials --target "$RL_NS_PID")
	RL_CMD+=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent
		XDG_RUNTIME_DIR="$RL_XDG" ${RL_ENV:+"${RL_ENV[@]}"})
}

rl_as() {
	local RL_CMD
	_rl_cmd
	"${RL_CMD[@]}" "$@"
}

rl() {
	rl_as "$VESSEL" "$@"
}

rl_config() {
	update_config "$1"
	chmod 0644 "$BUNDLE/config.json"
}

rootless_setup() {
	rootless_user
	if [[ $RL_MODE == unshare ]]; then
		requires command unshare
	fi
	setup_bundle
	[[ $RL_MODE == unshare ]] && _rl_userns
	RL_XDG=$BATS_TEST_TMPDIR/xdg
	mkdir -m 0700 "$RL_XDG"
	chown "$RL_USER:" "$RL_XDG"
	ROOT=$RL_XDG/vessel
	RL_ENV=()
	rm -f "$BUNDLE/config.json"
	chown -R "$RL_USER:" "$BUNDLE"
	run rl spec --rootless -b "$BUNDLE"
	assert_success
	rl_config '.process.terminal = false | .process.args = ["true"]'
	export RL_XDG ROOT
}

# RL_MODE=unshare: one `unshare -r` namespace for the whole test, as crun
# runs its suite inside one; every rl command enters it (nsenter).  Its
# holder is a sleep of the user, ended by rootless_teardown.
_rl_userns() {
	local f=$BATS_TEST_TMPDIR/userns.pid
	runuser -u "$RL_USER" -- unshare -r sh -c 'echo $$; exec sleep 3600' \
		</dev/null >"$f" 2>/dev/null &
	retry 50 0.1 test -s "$f" || fail "unshare -r did not start"
	RL_NS_PID=$(<"$f")
	export RL_NS_PID
}

# The ids of this test's containers in the user's state dir.
_rl_ids() {
	[[ -d $ROOT ]] || return 0
	find "$ROOT" -mindepth 1 -maxdepth 1 -type d ! -name '@*' -printf '%f\n'
}

rootless_teardown() {
	local id left
	RL_ENV=()
	local RL_CMD
	_rl_cmd
	for id in $(_rl_ids); do
		timeout 30 "${RL_CMD[@]}" "$VESSEL" delete --force "$id" >/dev/null 2>&1 || true
	done
	if [[ -n ${RL_NS_PID:-} ]]; then
		kill -9 "$RL_NS_PID" 2>/dev/null || true
		# SIGKILL is not instant: wait until it is dead (or a zombie)
		retry 50 0.1 bash -c "! ps -p $RL_NS_PID -o stat= | grep -qv '^Z'" || true
		RL_NS_PID=""
	fi
	# zombies are dead already: reaped by whoever inherited them
	left=$(ps -u "$RL_USER" -o pid=,stat=,args= | awk '$2 !~ /^Z/')
	if [[ -n $left ]]; then
		echo "# processes of $RL_USER left after the force-deletes: $left" >&2
		for id in $(awk '{ print $1 }' <<<"$left"); do
			kill -9 "$id" 2>/dev/null || true
		done
		teardown_bundle || true
		return 1
	fi
	# the seccomp cache is vessel's, not a container's
	rm -rf "$ROOT/@cache"
	teardown_bundle
}
