#!/usr/bin/env bats
# Restore's mount points (runtime/container/mountpoints.c) where criu
# works: the cgroup v2 VM (criu/vm).

load helpers

# A mount point below a bind mount's destination lives in the bind's
# source: create made it there through the bind, and a restore whose
# source lacks it (a fresh directory on another host, or cleaned up)
# must make it there again, or criu cannot mount onto it.
@test "restore makes a mount point nested in a bind mount, in the bind's source" {
	local outer=$BATS_TEST_TMPDIR/outer inner=$BATS_TEST_TMPDIR/inner
	mkdir -p "$outer" "$inner"
	echo hello >"$inner/greeting"
	update_config '.mounts += [
		{"destination": "/data", "type": "bind", "source": "'"$outer"'", "options": ["rbind", "rw"]},
		{"destination": "/data/sub/in", "type": "bind", "source": "'"$inner"'", "options": ["rbind", "ro"]}]'
	set_cmd 'i=0; while :; do i=$((i+1)); echo $i >/data/count; sleep 0.5; done'
	detached vessel run -d "$CID"
	retry 100 0.2 test -s "$outer/count"
	[ -d "$outer/sub/in" ] # create made it through the bind
	n=$(cat "$outer/count")
	run vessel checkpoint --image-path "$IMG" "$CID"
	[ "$status" -eq 0 ] || fail "$output"
	rm -rf "$outer/sub"
	[ ! -e "$BUNDLE/rootfs/data/sub" ]
	detached vessel restore -d --image-path "$IMG" "$CID" ||
		fail "$(cat "$BATS_TEST_TMPDIR/detached.log")"
	# made in the source, not in the rootfs under the bind
	[ -d "$outer/sub/in" ]
	[ ! -e "$BUNDLE/rootfs/data/sub" ]
	[ "$(vessel exec "$CID" cat /data/sub/in/greeting)" = hello ]
	retry 100 0.2 sh -c "[ \"\$(cat '$outer/count')\" -gt $n ]"
	vessel delete -f "$CID"
}
