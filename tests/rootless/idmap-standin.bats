#!/usr/bin/env bats
# Rootless id maps are written without making the container's init
# dumpable (runtime/ns/idmap-rootless.c), so "non-dumpable until execve"
# holds in rootless mode too (docs/security.md: the window it closes was
# not reachable from another container, whose own user namespace fails the
# kernel's ptrace check anyway; this keeps the rule without exception).
# A newuidmap/newgidmap wrapper first in PATH runs exactly inside the
# window the maps need and records vessel's children as /proc shows them:
# a dumpable process's /proc/PID/environ is its owner's, a non-dumpable one's
# root's (the /proc/PID directory itself always shows the owner).

load helpers

setup() {
	rootless_setup
	[[ $RL_MODE == rootless ]] || skip "as root of a user namespace vessel needs no helper"
	WRAP=$BATS_TEST_TMPDIR/wrap
	mkdir -m 0755 "$WRAP"
	local h
	for h in newuidmap newgidmap; do
		cat >"$WRAP/$h" <<-WRAPPER
			#!/bin/sh
			# vessel's children (our parent is vessel): pid, name, owner of
			# /proc/PID/environ (root's when not dumpable; /proc/PID is not)
			for d in /proc/[0-9]*; do
				grep -q "^PPid:[[:space:]]*\$PPID\\\$" "\$d/status" 2>/dev/null || continue
				echo "$h child \${d#/proc/} \$(cat "\$d/comm") \$(stat -c %u "\$d/environ")"
			done >>"$WRAP/log"
			echo "$h target \$1 \$(cat /proc/\$1/comm)" >>"$WRAP/log"
			exec $(command -v "$h") "\$@"
		WRAPPER
		chmod 0755 "$WRAP/$h"
	done
	touch "$WRAP/log"
	chown "$RL_USER:" "$WRAP/log"
}

teardown() {
	rootless_teardown
}

VESSEL_WEAK=${VESSEL_WEAK:-$(dirname "$(dirname "$VESSEL")")/build-weak/vessel}
[[ -x $VESSEL_WEAK ]] || VESSEL_WEAK=$REPO_ROOT/build-weak/vessel

# run_wrapped BINARY [VAR=VALUE...]: run the bundle as the user, the
# wrappers first in PATH; the wrappers' log in $output.
run_wrapped() {
	local bin=$1
	shift
	: >"$WRAP/log"
	run rl_as env PATH="$WRAP:/usr/sbin:/usr/bin:/sbin:/bin" "$@" "$bin" run "$(new_id)"
	assert_success
	assert_line --regexp "^ +1 +$RL_SUBUID +65536\$"
	run cat "$WRAP/log"
	# both wrappers ran and saw the init among vessel's children
	assert_line --regexp '^newuidmap child [0-9]+ vessel:init [0-9]+$'
	assert_line --regexp '^newgidmap child [0-9]+ vessel:init [0-9]+$'
}

@test "rootless idmap: newuidmap/newgidmap write through a stand-in; the init is never dumpable" {
	rl_config ".linux.uidMappings = [{containerID: 0, hostID: $RL_UID, size: 1}, {containerID: 1, hostID: $RL_SUBUID, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $RL_GID, size: 1}, {containerID: 1, hostID: $RL_SUBGID, size: 65536}]
		| .process.args = [\"sh\", \"-c\", \"cat /proc/self/uid_map\"]"
	run_wrapped "$VESSEL"
	# ... never owned by the user (dumpable), and never the target
	refute_line --regexp "child [0-9]+ vessel:init $RL_UID\$"
	refute_line --regexp 'target [0-9]+ vessel:init$'

	# the check sees a dumpable init: the weakened build writes through it
	[[ -x $VESSEL_WEAK ]] || skip "no weakened build at $VESSEL_WEAK (make weak)"
	run_wrapped "$VESSEL_WEAK" VESSEL_TEST_WEAKEN=idmap-standin
	assert_line --regexp "^newuidmap child [0-9]+ vessel:init $RL_UID\$"
	assert_line --regexp '^newuidmap target [0-9]+ vessel:init$'
}
