#!/usr/bin/env bats
# Rootless id maps are written without making the container's init
# dumpable (runtime/ns/idmap-rootless.c): a dumpable init, in a joined pid
# namespace, would let another container's root of the same host uid open
# /proc/<init>/root (the host's /) or ptrace it while it runs vessel's code.
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

@test "rootless idmap: newuidmap/newgidmap write through a stand-in; the init is never dumpable" {
	rl_config ".linux.uidMappings = [{containerID: 0, hostID: $RL_UID, size: 1}, {containerID: 1, hostID: $RL_SUBUID, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: $RL_GID, size: 1}, {containerID: 1, hostID: $RL_SUBGID, size: 65536}]
		| .process.args = [\"sh\", \"-c\", \"cat /proc/self/uid_map\"]"
	run rl_as env PATH="$WRAP:/usr/sbin:/usr/bin:/sbin:/bin" "$VESSEL" run "$CID"
	assert_success
	assert_line --regexp "^ +1 +$RL_SUBUID +65536\$"
	run cat "$WRAP/log"
	# both wrappers ran and saw the init among vessel's children
	assert_line --regexp '^newuidmap child [0-9]+ vessel:init [0-9]+$'
	assert_line --regexp '^newgidmap child [0-9]+ vessel:init [0-9]+$'
	# ... never owned by the user (dumpable), and never the target
	refute_line --regexp "child [0-9]+ vessel:init $RL_UID\$"
	refute_line --regexp 'target [0-9]+ vessel:init$'
}
