#!/usr/bin/env bats
# io (blockIO): io.max from the throttle lists for a loop device, and a
# throttled read measurably slower than an unthrottled one; weights.

load cgroup-helpers

setup() {
	setup_bundle
	requires_v2 io
	requires command losetup
}

teardown() {
	[[ -n ${LOOPDEV:-} ]] && losetup -d "$LOOPDEV" 2>/dev/null
	teardown_bundle
}

# A 64 MiB loop device, put in the container as /dev/vdisk (readable).
make_disk() {
	truncate -s 64M "$BATS_TEST_TMPDIR/disk.img"
	LOOPDEV=$(losetup -f --show "$BATS_TEST_TMPDIR/disk.img") || skip "losetup failed"
	local n=${LOOPDEV#/dev/loop}
	read -r MAJ MIN < <(tr ':' ' ' <"/sys/block/loop$n/dev")
	update_config ".linux.devices += [{\"path\": \"/dev/vdisk\", \"type\": \"b\", \"major\": $MAJ, \"minor\": $MIN}]"
}

# Seconds busybox dd needs to read 2 MiB of the disk with O_DIRECT (no page
# cache to hide the throttle).
timed_read() {
	run vessel exec "$CID" dd if=/dev/vdisk of=/dev/null bs=64k count=32 iflag=direct "skip=$1"
	assert_success
	dd_seconds "$output"
}

@test "io: throttleReadBpsDevice becomes io.max and slows reads to the rate" {
	make_disk
	update_config ".linux.resources.blockIO = {\"throttleReadBpsDevice\": [{\"major\": $MAJ, \"minor\": $MIN, \"rate\": 1048576}], \"throttleWriteIOPSDevice\": [{\"major\": $MAJ, \"minor\": $MIN, \"rate\": 100}]}"
	start_detached sleep 1000
	run cg_read io.max
	assert_output "$MAJ:$MIN rbps=1048576 wbps=max riops=max wiops=100"
	slow=$(timed_read 0)
	# Lift the limit through update (unified key), read other blocks.
	run vessel update --resources - "$CID" <<<"{\"unified\": {\"io.max\": \"$MAJ:$MIN rbps=max\"}}"
	assert_success
	fast=$(timed_read 100)
	echo "# 2 MiB: ${slow}s at 1 MiB/s, ${fast}s unthrottled" >&3
	awk -v s="$slow" -v f="$fast" 'BEGIN { exit !(s >= 1.5 && f * 2 < s) }' ||
		fail "throttled read ${slow}s vs unthrottled ${fast}s"
}

@test "io: blkio weight becomes io.weight (or io.bfq.weight), weightDevice per device" {
	make_disk
	update_config ".linux.resources.blockIO = {\"weight\": 500, \"weightDevice\": [{\"major\": $MAJ, \"minor\": $MIN, \"weight\": 1000}]}"
	start_detached sleep 1000
	dir=$(cg_dir)
	if [[ -e $dir/io.bfq.weight ]]; then
		grep -qx "default 500" "$dir/io.bfq.weight"
	else
		run cat "$dir/io.weight"
		assert_line "default 4950"
		assert_line "$MAJ:$MIN 10000"
	fi
}
