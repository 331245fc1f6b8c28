#!/usr/bin/env bats
# Namespaces: each kind created new, joined by path, wrong paths refused;
# hostname/domainname, loopback up, time offsets, namespaced sysctls.

load helpers

host_ns() {
	stat -L -c %i "/proc/self/ns/$1"
}

# The inode of namespace $2 as `vprobe ns` prints it in $output.
ns_of() {
	awk -v k="$1" '$1 == k { print $2 }' <<<"$output"
}

@test "namespaces: every kind in the config is new, the others are the host's" {
	requires helper vprobe
	update_config '.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"},{"type":"time"}]'
	set_args vprobe ns
	run vessel run "$CID"
	assert_success
	for t in pid net ipc uts mnt cgroup time; do
		[ -n "$(ns_of $t)" ]
		[ "$(ns_of $t)" != "$(host_ns $t)" ] || fail "$t namespace is the host's"
	done
	[ "$(ns_of user)" = "$(host_ns user)" ]
}

@test "namespaces: a kind left out of the config is shared with the host" {
	requires helper vprobe
	update_config '.linux.namespaces = [{"type":"pid"},{"type":"mount"}] | del(.hostname)'
	set_args vprobe ns
	run vessel run "$CID"
	assert_success
	for t in net ipc uts cgroup time; do
		[ "$(ns_of $t)" = "$(host_ns $t)" ] || fail "$t namespace is not the host's"
	done
	[ "$(ns_of pid)" != "$(host_ns pid)" ]
}

@test "namespaces: the container's init is pid 1 of its pid namespace" {
	set_cmd 'echo $$'
	run vessel run "$CID"
	assert_success
	assert_output 1
}

@test "namespaces: joining network, ipc, uts, pid and cgroup namespaces by path" {
	requires helper vprobe
	set_args sleep 100
	first=$(new_id first)
	detached vessel run -d "$first"
	pid=$(container_pid "$first")
	p=/proc/$pid/ns
	update_config ".linux.namespaces = [
		{\"type\":\"pid\",\"path\":\"$p/pid\"}, {\"type\":\"network\",\"path\":\"$p/net\"},
		{\"type\":\"ipc\",\"path\":\"$p/ipc\"}, {\"type\":\"uts\",\"path\":\"$p/uts\"},
		{\"type\":\"cgroup\",\"path\":\"$p/cgroup\"}, {\"type\":\"mount\"}]"
	update_config 'del(.hostname)'
	set_args vprobe ns
	run vessel run "$CID"
	assert_success
	for t in pid net ipc uts cgroup; do
		[ "$(ns_of $t)" = "$(stat -L -c %i /proc/"$pid"/ns/$t)" ] || fail "$t not joined"
	done
	# The mount namespace is new: the two containers only share what was asked.
	[ "$(ns_of mnt)" != "$(stat -L -c %i /proc/"$pid"/ns/mnt)" ]
}

@test "namespaces: a joined pid namespace shows the other container's processes" {
	set_args sleep 100
	first=$(new_id first)
	detached vessel run -d "$first"
	pid=$(container_pid "$first")
	update_config ".linux.namespaces |= map(if .type == \"pid\" then .path = \"/proc/$pid/ns/pid\" else . end)"
	set_cmd 'ps -o comm | grep -c "^sleep"'
	run vessel run "$CID"
	assert_success
	assert_output 1
}

@test "namespaces: a path of the wrong kind is refused and leaves nothing" {
	set_args sleep 100
	first=$(new_id first)
	detached vessel run -d "$first"
	pid=$(container_pid "$first")
	update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$pid/ns/ipc\" else . end)"
	run vessel run "$CID"
	assert_failure
	assert_output --partial "/proc/$pid/ns/ipc is not a network namespace"
	[ ! -e "$ROOT/$CID" ]
}

@test "namespaces: a path that is not a namespace, or missing, is refused" {
	update_config '.linux.namespaces |= map(if .type == "uts" then .path = "/etc/hostname" else . end)'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "/etc/hostname is not a namespace file"
	[ ! -e "$ROOT/$CID" ]
	update_config '.linux.namespaces |= map(if .type == "uts" then .path = "/nonexistent/ns" else . end)'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "/nonexistent/ns"
	assert_output --partial "No such file or directory"
	[ ! -e "$ROOT/$CID" ]
}

@test "namespaces: hostname and domainname are set in the new uts namespace" {
	update_config '.hostname = "box1" | .domainname = "example.org"'
	set_cmd 'hostname; cat /proc/sys/kernel/domainname'
	run vessel run "$CID"
	assert_success
	assert_output "box1
example.org"
	[ "$(hostname)" != box1 ]
}

@test "namespaces: a hostname without a uts namespace is refused" {
	update_config '.hostname = "box1" | .linux.namespaces |= map(select(.type != "uts"))'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "needs a uts namespace"
	[ ! -e "$ROOT/$CID" ]
}

@test "namespaces: a new network namespace has lo up and nothing else" {
	# ping needs a raw socket.
	update_config '.process.capabilities |= with_entries(.value += ["CAP_NET_RAW"])'
	set_cmd 'ip -o link show; ping -c1 -W2 127.0.0.1 >/dev/null && echo ping-ok'
	run vessel run "$CID"
	assert_success
	assert_line --regexp '^1: lo: <LOOPBACK,UP'
	assert_line ping-ok
	[ "$(grep -c ': ' <<<"$output")" -eq 1 ]
}

@test "namespaces: without a mount namespace, the config's mounts are refused (runc-compat.bats runs one)" {
	update_config '.linux.namespaces |= map(select(.type != "mount"))'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "mounts: needs a mount namespace"
	[ ! -e "$ROOT/$CID" ]
}

@test "namespaces: time namespace offsets move boottime and monotonic clocks" {
	update_config '.linux.namespaces += [{"type":"time"}] |
		.linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}, "monotonic": {"secs": 500000}}'
	set_cmd 'cut -d. -f1 /proc/uptime'
	run vessel run "$CID"
	assert_success
	host=$(cut -d. -f1 /proc/uptime)
	[ "$output" -ge $((host + 864000 - 5)) ]
	[ "$output" -le $((host + 864000 + 60)) ]
}

@test "namespaces: namespaced sysctls are applied inside only" {
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	want=$((1 - host_fwd))
	update_config ".linux.sysctl = {\"net.ipv4.ip_forward\": \"$want\", \"kernel.shmmni\": \"1234\"}"
	set_cmd 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
	run vessel run "$CID"
	assert_success
	assert_output "$want
1234"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]
}

@test "namespaces: a sysctl that no namespace isolates is refused" {
	update_config '.linux.sysctl = {"kernel.panic": "10"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'sysctl "kernel.panic" is not in a separate kernel namespace'
	[ ! -e "$ROOT/$CID" ]
}

@test "namespaces: a net sysctl without a network namespace is refused" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'sysctl "net.ipv4.ip_forward" needs a network namespace'
	[ ! -e "$ROOT/$CID" ]
}

@test "namespaces: an ipc sysctl without an ipc namespace is refused" {
	update_config '.linux.sysctl = {"kernel.shmmax": "1000000"} | .linux.namespaces |= map(select(.type != "ipc"))'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'needs an ipc namespace'
	[ ! -e "$ROOT/$CID" ]
}

@test "namespaces: a sysctl the kernel rejects fails create and leaves nothing" {
	update_config '.linux.sysctl = {"net.ipv4.no_such_knob": "1"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "init step sysctl"
	assert_output --partial "net.ipv4.no_such_knob"
	[ ! -e "$ROOT/$CID" ]
}
