#!/usr/bin/env bats
# runtime-spec v1.3.0's additions for Linux: linux.memoryPolicy,
# linux.netDevices, linux.intelRdt's refusal where it cannot apply, and
# `features` saying 1.3.0 with what it implements.

load helpers

setup() {
	setup_bundle
	requires root
	NETDEV=""
}

teardown() {
	# a veth left on the host (a failed test) goes with its pair
	[[ -z $NETDEV ]] || ip link del "$NETDEV" 2>/dev/null || true
	teardown_bundle
}

# The task policy as /proc/self/numa_maps shows it for the first mapping
# (the program's text, which has no policy of its own).
numa_policy_cmd='head -n1 /proc/self/numa_maps | cut -d" " -f2'

@test "memoryPolicy: MPOL_BIND on node 0 binds the init and exec'd processes" {
	[[ -r /proc/self/numa_maps ]] || skip "needs a NUMA kernel (numa_maps)"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	set_cmd "$numa_policy_cmd"
	run vessel run "$CID"
	assert_success
	assert_output "bind:0"
	set_args sleep 1000
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	run vessel exec "$CID" sh -c "$numa_policy_cmd"
	assert_success
	assert_output "bind:0"
}

@test "memoryPolicy: MPOL_PREFERRED with MPOL_F_STATIC_NODES; no policy leaves the default" {
	[[ -r /proc/self/numa_maps ]] || skip "needs a NUMA kernel (numa_maps)"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_PREFERRED", "nodes": "0", "flags": ["MPOL_F_STATIC_NODES"]}'
	set_cmd "$numa_policy_cmd"
	run vessel run "$CID"
	assert_success
	assert_output "prefer=static:0"
	update_config 'del(.linux.memoryPolicy)'
	run vessel run "$CID"
	assert_success
	assert_output "default"
}

@test "memoryPolicy: bad modes, flags and node lists are refused naming the field, leaving nothing" {
	update_config '.linux.memoryPolicy = {"mode": "MPOL_SOMETIMES"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'linux.memoryPolicy.mode: unknown memory policy mode "MPOL_SOMETIMES"'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "flags": ["MPOL_F_LOUD"]}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'linux.memoryPolicy.flags[0]: unknown memory policy flag "MPOL_F_LOUD"'
	update_config '.linux.memoryPolicy = {"mode": "MPOL_LOCAL", "nodes": "0"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.memoryPolicy: nodes: MPOL_LOCAL takes no nodes"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_INTERLEAVE"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.memoryPolicy: nodes: MPOL_INTERLEAVE needs at least one node"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0-x"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'linux.memoryPolicy.nodes: invalid cpu list "0-x"'
	# a node the host does not have: the kernel's EINVAL, named
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "1000"}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.memoryPolicy: set_mempolicy (a node the host does not have"
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
}

# A veth pair: one end goes into the container (a physical interface would
# return to the host when the namespace dies; a veth is destroyed with it).
make_veth() {
	NETDEV=vs13a$$
	ip link add "$NETDEV" type veth peer name "vs13b$$" || skip "cannot make a veth pair"
	ip addr add 10.213.77.2/24 dev "$NETDEV"
	ip -6 addr add fd00:213:77::2/64 dev "$NETDEV" nodad
	# not permanent: a move must leave it behind
	ip addr add 10.213.78.2/24 dev "$NETDEV" valid_lft 600 preferred_lft 600
}

@test "netDevices: a host interface moves in under its new name, up, with its permanent global addresses" {
	make_veth
	update_config ".linux.netDevices = {\"$NETDEV\": {\"name\": \"ctr13\"}}"
	set_cmd 'ip -o addr show dev ctr13; cat /sys/class/net/ctr13/flags'
	run vessel run "$CID"
	assert_success
	assert_line --regexp 'inet 10\.213\.77\.2/24 .*scope global'
	assert_line --regexp 'inet6 fd00:213:77::2/64 .*scope global'
	refute_output --partial "10.213.78.2"
	# IFF_UP (0x1) set
	[[ $(($(tail -n1 <<<"$output") & 1)) -eq 1 ]] || fail "ctr13 is not up: $output"
	# gone from the host; the veth died with the container's namespace
	run ip link show "$NETDEV"
	assert_failure
	NETDEV=""
}

@test "netDevices: without a name the interface keeps its own" {
	make_veth
	update_config ".linux.netDevices = {\"$NETDEV\": {}}"
	set_cmd "cat /sys/class/net/$NETDEV/operstate >/dev/null && echo there"
	run vessel run "$CID"
	assert_success
	assert_output there
	NETDEV=""
}

# make_link NAME: a dummy interface, or where the kernel has no dummy driver
# (this host) one end of a veth pair (its peer dies with it).
make_link() {
	ip link add "$1" type dummy 2>/dev/null ||
		ip link add "$1" type veth peer name "${1}p" || skip "cannot make an interface"
}

@test "netDevices: a %d name template is the kernel's to fill, one number per device" {
	NETDEV=vs13d$$
	make_link "$NETDEV"
	make_link "vs13e$$" || { ip link del "$NETDEV"; skip "cannot make a second interface"; }
	ip addr add 10.213.79.2/24 dev "$NETDEV"
	update_config ".linux.netDevices = {\"$NETDEV\": {\"name\": \"eth%d\"}, \"vs13e$$\": {\"name\": \"eth%d\"}}"
	set_cmd 'ls /sys/class/net; ip -o addr show dev eth0 || ip -o addr show dev eth1; cat /sys/class/net/eth0/flags /sys/class/net/eth1/flags'
	run vessel run "$CID"
	assert_success
	assert_line eth0
	assert_line eth1
	refute_line --partial '%'
	assert_line --regexp 'inet 10\.213\.79\.2/24 .*scope global'
	local f
	for f in "${lines[@]: -2}"; do
		[[ $((f & 1)) -eq 1 ]] || fail "an eth%d interface is not up: $output"
	done
	# both left the host and died with the container's namespace
	run ip link show "$NETDEV"
	assert_failure
	run ip link show "vs13e$$"
	assert_failure
	NETDEV=""
}

@test "netDevices: a missing interface, a taken name, no network namespace: refused, nothing left" {
	update_config '.linux.netDevices = {"vsnosuch0": {}}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial 'linux.netDevices["vsnosuch0"]: no interface vsnosuch0 on the host'
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
	make_veth
	update_config ".linux.netDevices = {\"$NETDEV\": {\"name\": \"lo\"}}"
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.netDevices[\"$NETDEV\"]: the container's network namespace has an interface lo already: File exists"
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
	ip link show "$NETDEV" >/dev/null || fail "the refused interface left the host"
	update_config ".linux.netDevices = {\"$NETDEV\": {}} | del(.linux.namespaces[] | select(.type == \"network\"))"
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.netDevices: needs a network namespace of the container's own"
}

@test "intelRdt: refused, naming resctrl, where it cannot be applied (never ignored)" {
	[[ $(stat -f -c %T /sys/fs/resctrl 2>/dev/null) != resctrl ]] || skip "resctrl is mounted here"
	update_config '.linux.intelRdt = {"closID": "x", "schemata": ["L3:0=f"], "enableMonitoring": true}'
	run vessel run "$CID"
	assert_failure
	assert_output --partial "linux.intelRdt: resctrl is not mounted at /sys/fs/resctrl"
	[[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
}

@test "features: runtime-spec 1.3.0, with memoryPolicy, netDevices and intelRdt as implemented" {
	run "$VESSEL" features
	assert_success
	local f=$output
	assert_equal "$(jq -r .ociVersionMax <<<"$f")" "1.3.0"
	assert_equal "$(jq -r '.linux.memoryPolicy.modes | join(",")' <<<"$f")" \
		"MPOL_DEFAULT,MPOL_PREFERRED,MPOL_BIND,MPOL_INTERLEAVE,MPOL_LOCAL,MPOL_PREFERRED_MANY,MPOL_WEIGHTED_INTERLEAVE"
	assert_equal "$(jq -r '.linux.memoryPolicy.flags | join(",")' <<<"$f")" \
		"MPOL_F_NUMA_BALANCING,MPOL_F_RELATIVE_NODES,MPOL_F_STATIC_NODES"
	assert_equal "$(jq -c .linux.netDevices <<<"$f")" '{"enabled":true}'
	assert_equal "$(jq -c .linux.intelRdt <<<"$f")" '{"enabled":false,"schemata":false,"monitoring":false}'
	jq -e '.linux.seccomp.knownFlags | index("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")' <<<"$f" >/dev/null
	# a 1.3.0 config is accepted, and the state says 1.3.0
	update_config '.ociVersion = "1.3.0" | .process.args = ["true"]'
	run vessel run "$CID"
	assert_success
}
