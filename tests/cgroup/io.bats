#!/usr/bin/env bats
# io (blockIO): io.max from the throttle lists for a loop device, a
# throttled read measurably slower than an unthrottled one, and weights.

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 io
	requires command losetup
}

teardown() {
	teardown_bundle
	[[ -n ${LOOPDEV:-} ]] && losetup -d "$LOOPDEV" 2>/dev/null
	return 0
}

# A 64 MiB loop device, put in the container as /dev/vdisk.
make_disk() {
	truncate -s 64M "$BATS_TEST_TMPDIR/disk.img"
	LOOPDEV=$(losetup -f --show "$BATS_TEST_TMPDIR/disk.img") || skip "losetup failed"
	local n=${LOOPDEV#/dev/loop}
	read -r MAJ MIN < <(tr ':' ' ' <"/sys/block/loop$n/dev")
	# linux.devices only makes the node; as in runc, reading it needs a rule
	update_config ".linux.devices += [{\"path\": \"/dev/vdisk\", \"type\": \"b\", \"major\": $MAJ, \"minor\": $MIN}]
		| .linux.resources.devices += [{\"allow\": true, \"type\": \"b\", \"major\": $MAJ, \"minor\": $MIN, \"access\": \"rw\"}]"
}

# Seconds (busybox time inside the container) to read 2 MiB of the disk
# with O_DIRECT (no page cache to hide the throttle), from block $1.
timed_read() {
	run vessel exec "$CID" time -f %e dd if=/dev/vdisk of=/dev/null bs=64k count=32 iflag=direct "skip=$1"
	assert_success
	tail -n 1 <<<"$output"
}

# BFQ on the loop device, when the kernel has it: then weights go to
# io.bfq.weight, per device too.  Without it io.weight takes the default
# weight only (per-device io.weight needs iocost enabled on the device).
use_bfq() {
	modprobe bfq 2>/dev/null || true
	echo bfq >"/sys/block/${LOOPDEV#/dev/}/queue/scheduler" 2>/dev/null
}

@test "io: throttle lists -> io.max, a throttled read takes the rate's time; weights" {
	make_disk
	local wdev=""
	use_bfq && wdev=", \"weightDevice\": [{\"major\": $MAJ, \"minor\": $MIN, \"weight\": 1000}]"
	update_config ".linux.resources.blockIO = {\"weight\": 500$wdev, \"throttleReadBpsDevice\": [{\"major\": $MAJ, \"minor\": $MIN, \"rate\": 1048576}], \"throttleWriteIOPSDevice\": [{\"major\": $MAJ, \"minor\": $MIN, \"rate\": 100}]}"
	start_detached sleep 1000
	run cg_read io.max
	assert_output "$MAJ:$MIN rbps=1048576 wbps=max riops=max wiops=100"
	dir=$(cg_dir)
	if [[ -n $wdev ]]; then
		run cat "$dir/io.bfq.weight"
		assert_line "default 500"
		assert_line "$MAJ:$MIN 1000"
	else
		run cat "$dir/io.weight"
		assert_line "default 4950"
	fi
	slow=$(timed_read 0)
	# Lift the limit through update (a unified key), read other blocks.
	run vessel update --resources - "$CID" <<<"{\"unified\": {\"io.max\": \"$MAJ:$MIN rbps=max\"}}"
	assert_success
	fast=$(timed_read 100)
	echo "# 2 MiB: ${slow}s at 1 MiB/s, ${fast}s unthrottled" >&3
	awk -v s="$slow" -v f="$fast" 'BEGIN { exit !(s >= 1.5 && f * 2 < s) }' ||
		fail "throttled read ${slow}s vs unthrottled ${fast}s"
}
