#!/usr/bin/env bats
# User namespaces: uid/gid maps written by the parent, root inside mapped to
# an unprivileged host uid, joining a user namespace by path, bad maps.

load helpers

setup() {
	setup_bundle
	userns_100000
}

@test "userns: root inside is the mapped host uid; the maps are the config's" {
	update_config '.root.readonly = false'
	set_cmd 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; touch /made-inside'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 0
	assert_line --index 1 0
	assert_line --index 2 --regexp '^ +0 +100000 +65536$'
	assert_line --index 3 --regexp '^ +0 +100000 +65536$'
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/made-inside")" = 100000:100000 ]
}

@test "userns: the init's host credentials are the mapped ids" {
	set_args sleep 100
	detached vessel run -d "$CID"
	pid=$(container_pid "$CID")
	run grep -E '^(Uid|Gid):' "/proc/$pid/status"
	assert_line --regexp '^Uid:\s+100000\s+100000\s+100000\s+100000$'
	assert_line --regexp '^Gid:\s+100000\s+100000\s+100000\s+100000$'
}

@test "userns: a non-root process.user maps through the namespace" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args sleep 100
	detached vessel run -d "$CID"
	pid=$(container_pid "$CID")
	run grep -E '^Uid:' "/proc/$pid/status"
	assert_output --regexp '^Uid:\s+101000\s+101000\s+101000\s+101000$'
}

@test "userns: capabilities inside equal the config's" {
	caps='["CAP_CHOWN", "CAP_SYS_ADMIN"]'
	update_config ".process.capabilities = {\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps}"
	set_cmd 'grep ^CapEff /proc/self/status'
	run vessel run "$CID"
	assert_success
	assert_output "CapEff:	0000000000200001"
}

@test "userns: joining another container's user namespace by path" {
	set_args sleep 100
	first=$(new_id first)
	detached vessel run -d "$first"
	pid=$(container_pid "$first")
	# A sidecar: the user and pid namespaces of the first container, its
	# own mount, network, uts and ipc ones (owned by the joined user ns).
	update_config "del(.linux.uidMappings, .linux.gidMappings) |
		.linux.namespaces |= map(if .type == \"user\" or .type == \"pid\" then .path = \"/proc/$pid/ns/\" + .type else . end)"
	set_cmd 'readlink /proc/self/ns/user; cat /proc/self/uid_map; hostname; ps -o comm | grep -c ^sleep'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 "$(readlink "/proc/$pid/ns/user")"
	assert_line --index 1 --regexp '^ +0 +100000 +65536$'
	assert_line --index 2 "$(jq -r .hostname "$BUNDLE/config.json")"
	assert_line --index 3 1
}

@test "userns: a new pid namespace inside a joined user namespace" {
	set_args sleep 100
	first=$(new_id first)
	detached vessel run -d "$first"
	pid=$(container_pid "$first")
	update_config "del(.linux.uidMappings, .linux.gidMappings) |
		.linux.namespaces |= map(if .type == \"user\" then .path = \"/proc/$pid/ns/user\" else . end)"
	set_cmd 'echo $$; readlink /proc/self/ns/user; hostname'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 1
	assert_line --index 1 "$(readlink "/proc/$pid/ns/user")"
	assert_line --index 2 "$(jq -r .hostname "$BUNDLE/config.json")"
	# create/start/kill/delete work on the forked init too.
	set_args sleep 100
	second=$(new_id second)
	detached vessel create "$second"
	[ "$(vessel state "$second" | jq -r .status)" = created ]
	vessel start "$second"
	[ "$(vessel state "$second" | jq -r .status)" = running ]
	vessel kill "$second" KILL
	wait_for_status "$second" stopped
	vessel delete "$second"
}

@test "userns: a new user namespace without mappings is refused and leaves nothing" {
	update_config 'del(.linux.gidMappings)'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "a new user namespace needs linux.uidMappings and linux.gidMappings"
	[ ! -e "$ROOT/$CID" ]
}

@test "userns: a map the kernel refuses fails create and leaves nothing" {
	# Two ranges overlapping inside the namespace are invalid.
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}, {"containerID": 5, "hostID": 200000, "size": 10}]'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.uidMappings"
	assert_output --partial "uid_map"
	[ ! -e "$ROOT/$CID" ]
}
