# Shared by tests/criu/*.bats: criu's kernel modules loaded once per
# file, and tests skipped where criu cannot work.

load ../integration/helpers

# The modules criu probes for; the VM's kernel has them as modules.
CRIU_MODULES="crc32c_generic libcrc32c nf_tables nft_compat nf_conntrack nf_conntrack_netlink
	unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag tun veth xt_mark ip_tables
	iptable_filter"

setup_file() {
	local m
	command -v criu >/dev/null || skip "needs criu (scripts/install-deps)"
	if [[ -d /lib/modules/$(uname -r) ]]; then
		for m in $CRIU_MODULES; do
			busybox modprobe "$m" 2>/dev/null || modprobe "$m" 2>/dev/null || true
		done
	fi
}

setup() {
	criu check >/dev/null 2>&1 || skip "criu does not work on this kernel: $(criu check 2>&1 | tail -1)"
	setup_bundle
	IMG=$BATS_TEST_TMPDIR/img
}
