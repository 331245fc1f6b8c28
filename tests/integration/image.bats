#!/usr/bin/env bats
# The embedded busybox test image (images/build-busybox-image.sh) and the
# harness every suite relies on (helpers.bash: bundle per test, leak check).

load helpers

BUILDER=$REPO_ROOT/images/build-busybox-image.sh

@test "image: rootfs has a static busybox and one symlink per applet" {
	local rootfs=$TEST_IMAGE/rootfs
	[ -x "$rootfs/bin/busybox" ]
	run readelf -lW "$rootfs/bin/busybox"
	assert_success
	refute_output --partial "program interpreter"
	# every applet of --list-full is a symlink to /bin/busybox (one find, not
	# a readlink per applet)
	local applet
	run comm -23 <("$rootfs/bin/busybox" --list-full | grep -vx bin/busybox | sort) \
		<(cd "$rootfs" && find . -type l -lname /bin/busybox -printf '%P\n' | sort)
	assert_output ""
	[ "$("$rootfs/bin/busybox" --list-full | wc -l)" -gt 100 ]
	for applet in sh ls cat ps mount id sleep; do
		[ -e "$rootfs/bin/$applet" ] || [ -e "$rootfs/usr/bin/$applet" ] || fail "no $applet"
	done
}

@test "image: the usual directories exist with the right modes" {
	local rootfs=$TEST_IMAGE/rootfs d
	for d in proc sys dev tmp etc root run var/tmp home/user usr/bin; do
		[ -d "$rootfs/$d" ] || fail "missing /$d"
	done
	[ "$(stat -c %a "$rootfs/tmp")" = 1777 ]
	[ "$(stat -c %a "$rootfs/root")" = 700 ]
	[ "$(stat -c %u:%g "$rootfs/home/user")" = 1000:1000 ]
}

@test "image: /etc/passwd and /etc/group are sane" {
	local etc=$TEST_IMAGE/rootfs/etc
	run awk -F: 'NF != 7 { print "bad line " NR ": " $0 }' "$etc/passwd"
	assert_output ""
	run awk -F: 'NF != 4 { print "bad line " NR ": " $0 }' "$etc/group"
	assert_output ""
	grep -qx 'root:x:0:0:root:/root:/bin/sh' "$etc/passwd"
	grep -q '^user:x:1000:1000:' "$etc/passwd"
	grep -q '^nobody:x:65534:65534:' "$etc/passwd"
	grep -q '^root:x:0:' "$etc/group"
	grep -q '^tty:x:5:' "$etc/group"
	grep -q '^users:x:100:user' "$etc/group"
	# every primary gid of a user names a group
	run awk -F: 'NR == FNR { g[$3] = 1; next } !($4 in g) { print $1 }' "$etc/group" "$etc/passwd"
	assert_output ""
}

@test "image: the rootfs runs (chroot, without vessel)" {
	# shellcheck disable=SC2016 # expanded by the rootfs's sh
	run chroot "$BUNDLE/rootfs" /bin/sh -c 'echo hi from $(id -un); ls /bin | wc -l'
	assert_success
	assert_line --index 0 "hi from root"
	run chroot "$BUNDLE/rootfs" /usr/bin/vprobe nnp
	assert_success
	assert_output --regexp '^nnp [01]$'
}

@test "image: the bundle's config.json parses: args [sh], terminal false, root rootfs" {
	run jq -e . "$TEST_IMAGE/config.json"
	assert_success
	run jq -c '[.process.args, .process.terminal, .root.path, (.ociVersion | type)]' "$BUNDLE/config.json"
	assert_output '[["sh"],false,"rootfs","string"]'
}

@test "image: the OCI layout's digests and sizes match its blobs" {
	local oci=$BUILDDIR/images/busybox-oci desc digest size
	[ "$(jq -r .imageLayoutVersion "$oci/oci-layout")" = 1.0.0 ]
	check_blob() {
		digest=$(jq -r .digest <<<"$1")
		size=$(jq -r .size <<<"$1")
		[ -f "$oci/blobs/sha256/${digest#sha256:}" ] || fail "missing blob $digest"
		[ "$(sha256sum <"$oci/blobs/sha256/${digest#sha256:}" | cut -d' ' -f1)" = "${digest#sha256:}" ] ||
			fail "blob $digest has another digest"
		[ "$(stat -c %s "$oci/blobs/sha256/${digest#sha256:}")" = "$size" ] || fail "blob $digest size"
	}
	desc=$(jq -c '.manifests[0]' "$oci/index.json")
	[ "$(jq -r '.annotations["org.opencontainers.image.ref.name"]' <<<"$desc")" = latest ]
	check_blob "$desc"
	local manifest layer config
	manifest=$oci/blobs/sha256/$(jq -r '.digest | ltrimstr("sha256:")' <<<"$desc")
	check_blob "$(jq -c .config "$manifest")"
	check_blob "$(jq -c '.layers[0]' "$manifest")"
	layer=$oci/blobs/sha256/$(jq -r '.layers[0].digest | ltrimstr("sha256:")' "$manifest")
	config=$oci/blobs/sha256/$(jq -r '.config.digest | ltrimstr("sha256:")' "$manifest")
	# the config's diff_id is the digest of the uncompressed layer
	[ "sha256:$(gzip -dc "$layer" | sha256sum | cut -d' ' -f1)" = "$(jq -r '.rootfs.diff_ids[0]' "$config")" ]
	run tar -tzf "$layer"
	assert_line ./bin/busybox
	assert_line ./etc/passwd
}

@test "image builder: a second run changes nothing" {
	local out=$BATS_TEST_TMPDIR/img
	VESSEL=$VESSEL "$BUILDER" "$out" 2>/dev/null
	local before
	before=$(stat -c %i:%Y "$out/busybox/rootfs" "$out/busybox/config.json" "$out/busybox-oci/index.json")
	run env VESSEL="$VESSEL" "$BUILDER" "$out"
	assert_success
	refute_output --partial built
	[ "$(stat -c %i:%Y "$out/busybox/rootfs" "$out/busybox/config.json" "$out/busybox-oci/index.json")" = "$before" ]
	run ls -A "$out"
	assert_output "$(printf '.busybox.lock\nbusybox\nbusybox-oci')"
}

@test "image builder: a dynamic busybox is refused and nothing is left" {
	run env BUSYBOX=/bin/ls "$BUILDER" "$BATS_TEST_TMPDIR/img"
	assert_failure
	assert_output --partial "/bin/ls is dynamically linked"
	[ ! -e "$BATS_TEST_TMPDIR/img" ]
	run "$BUILDER"
	assert_failure
	assert_output --partial usage
}

@test "image: a container from the bundle runs and prints" {
	set_args sh -c 'echo hello from vessel; id -u'
	run vessel run "$CID"
	assert_success
	assert_line --index 0 "hello from vessel"
	assert_line --index 1 0
}

# The harness itself: each kind of leak is noticed, reported and cleaned.

@test "harness: leak check reports a leftover state dir, mount and process" {
	mkdir -p "$ROOT/ghost"
	mkdir -p "$BUNDLE/rootfs/mnt/leak"
	mount -t tmpfs leak "$BUNDLE/rootfs/mnt/leak"
	(cd "$BUNDLE/rootfs" && exec sleep 600) >/dev/null 2>&1 3>&- &
	local pid=$!
	run vessel_leaks
	assert_line "state dir left: $ROOT/ghost"
	assert_line "mount left: $BUNDLE/rootfs/mnt/leak"
	assert_line --partial "process left: pid $pid (sleep 600"
	run teardown_bundle
	assert_failure
	assert_output --partial "leak check failed"
	# teardown_bundle cleaned up: the real teardown must find nothing
	run vessel_leaks
	assert_output ""
	wait "$pid" 2>/dev/null || true
	run kill -0 "$pid"
	assert_failure
}

@test "harness: leak check finds a process chrooted into the rootfs" {
	# After pivot_root a container's /proc/PID/root reads "/"; the check
	# compares device:inode, which a chroot shows just the same.
	chroot "$BUNDLE/rootfs" /bin/sleep 600 >/dev/null 2>&1 3>&- &
	local pid=$!
	run vessel_leaks
	assert_line --partial "process left: pid $pid"
	kill -9 "$pid"
	wait "$pid" || true
	run vessel_leaks
	assert_output ""
}

@test "harness: leak check finds a cgroup named after a test container" {
	requires cgroup2
	local cg
	cg=$(cgroup2_mount)/$CID
	mkdir "$cg"
	# a process still in it: cleaning must kill it before rmdir can work
	(cd / && exec sleep 600) >/dev/null 2>&1 3>&- &
	local pid=$!
	echo "$pid" >"$cg/cgroup.procs"
	run vessel_leaks "$CID"
	assert_line "cgroup left: $cg"
	run teardown_bundle
	assert_failure
	[ ! -d "$cg" ]
	wait "$pid" 2>/dev/null || true
	run kill -0 "$pid"
	assert_failure
}

@test "harness: requires skips with a reason and rejects unknown names" {
	# skip exits the (sub)shell with status 0 before "reached"
	probe() {
		requires "$@" || return
		echo reached
	}
	run probe command no-such-command-here
	assert_success
	refute_output --partial reached
	run probe command sh
	assert_output reached
	run probe frobnicate
	assert_failure
	assert_output --partial "unknown requirement 'frobnicate'"
	refute_output --partial reached
	requires root
}

@test "harness: each test gets its own bundle, state dir and id" {
	[ "$PWD" = "$BUNDLE" ]
	[[ $BUNDLE == "$BATS_TEST_TMPDIR"/* && $ROOT == "$BATS_TEST_TMPDIR"/* ]]
	[ -x "$BUNDLE/rootfs/usr/bin/vprobe" ]
	local a b
	a=$(new_id) b=$(new_id)
	[ "$a" != "$b" ]
	grep -qx "$a" "$BATS_TEST_TMPDIR/.vessel-ids"
	# shellcheck disable=SC2016 # a literal $x must reach config.json
	set_args sh -c 'echo "a b"' -- "" '$x'
	# shellcheck disable=SC2016
	[ "$(jq -c .process.args config.json)" = '["sh","-c","echo \"a b\"","--","","$x"]' ]
	set_cmd 'exit 3'
	[ "$(jq -c .process.args config.json)" = '["sh","-c","exit 3"]' ]
	update_config '.hostname = "changed"'
	[ "$(jq -r .hostname config.json)" = changed ]
	[ "$(jq -r .hostname "$TEST_IMAGE/config.json")" != changed ]
	run update_config '.bad syntax('
	assert_failure
}

# tests/run-all's counting, on made-up TAP streams.

run_suite_of() { # SHELL-SCRIPT printing TAP
	LOGDIR=$BATS_TEST_TMPDIR/logs run "$REPO_ROOT/tests/run-all" --suite t/s sh -c "$1"
}

@test "run-all: counts ok, not ok and skip, plan first or last" {
	run_suite_of 'echo 1..3; echo ok 1 a; echo "ok 2 b # skip no hugetlb"; echo "ok 3 c # SKIP"'
	assert_success
	assert_line "1 passed, 0 failed, 2 skipped"
	run_suite_of 'echo ok 1 a; echo "not ok 2 b"; echo "# why it failed"; echo 1..2; exit 1'
	assert_failure
	assert_line "  not ok 2 b"
	assert_line "    # why it failed"
	assert_line "1 passed, 1 failed, 0 skipped"
}

@test "run-all: a suite that crashes or breaks its plan counts as failed" {
	# died half-way: the plan promised 4
	run_suite_of 'echo 1..4; echo ok 1 a; echo ok 2 b; kill -9 $$'
	assert_failure
	assert_output --partial "TAP plan says 4 tests, saw 2"
	assert_line "2 passed, 2 failed, 0 skipped"
	# no plan at all (a unit test binary that segfaulted before tap_done)
	run_suite_of 'echo ok 1 a; kill -SEGV $$'
	assert_failure
	assert_output --partial "no TAP plan"
	assert_line "1 passed, 1 failed, 0 skipped"
	# bats's extra "not ok" for a failed teardown_file is counted once
	run_suite_of 'echo 1..1; echo ok 1 a; echo "not ok 2 teardown_file failed"; exit 1'
	assert_failure
	assert_line "1 passed, 1 failed, 0 skipped"
	run_suite_of 'echo 1..1; echo ok 1 a; echo "ok 2 b"'
	assert_failure
	assert_line "2 passed, 1 failed, 0 skipped"
	# every result ok but a failing exit status
	run_suite_of 'echo ok 1 a; echo 1..1; exit 3'
	assert_failure
	assert_output --partial "exit status 3 with no failed test"
	assert_line "1 passed, 1 failed, 0 skipped"
}

@test "run-all: a VM group that ran fewer tests than its files hold counts the rest as failed" {
	local dir=$BATS_TEST_TMPDIR/vm
	mkdir -p "$dir"
	# bats was given one file of the group's two: its own plan looks whole
	printf '1..2\nok 1 a\nok 2 b\n' >"$dir/g.tap"
	echo 0 >"$dir/g.rc"
	LOGDIR=$BATS_TEST_TMPDIR/logs run "$REPO_ROOT/tests/run-all" --suite t/g vm_result "$dir" g 0 5
	assert_failure
	assert_output --partial "g's files have 5 tests, bats planned 2"
	assert_line "2 passed, 3 failed, 0 skipped"
	LOGDIR=$BATS_TEST_TMPDIR/logs run "$REPO_ROOT/tests/run-all" --suite t/g vm_result "$dir" g 0 2
	assert_success
	assert_line "2 passed, 0 failed, 0 skipped"
}

@test "run-suites: the VM groups hold every file of their suites once" {
	cd "$REPO_ROOT"
	local halves
	halves=$(($(tests/vm/run-suites --count security/vm) + $(tests/vm/run-suites --count security/vm-2)))
	[ "$halves" -eq "$(bats --count tests/security/*.bats)" ]
	[ "$(tests/vm/run-suites --count criu/vm)" -eq "$(bats --count tests/criu/*.bats)" ]
	run tests/vm/run-suites --count no/such-group
	assert_failure
}

@test "run-all: a hung suite is timed out and counted as failed" {
	LOGDIR=$BATS_TEST_TMPDIR/logs run "$REPO_ROOT/tests/run-all" --suite t/s \
		timeout 1 sh -c 'echo 1..2; echo ok 1 a; exec sleep 30'
	assert_failure
	assert_output --partial "timed out"
	assert_line "1 passed, 1 failed, 0 skipped"
}

@test "harness: leak check sees a live container's state dir, init and cgroup" {
	set_args sleep 100
	detached vessel run -d "$CID" || fail "run -d: $(cat "$BATS_TEST_TMPDIR/detached.log")"
	local pid
	pid=$(container_pid "$CID")
	run vessel_leaks "$CID"
	assert_line "state dir left: $ROOT/$CID"
	# found although its /proc/PID/root reads "/" after pivot_root
	assert_line --partial "process left: pid $pid "
	if [ -n "$(cgroup2_mount)" ]; then
		assert_line --regexp "^cgroup left: .*/$CID\$"
	fi
	# teardown's delete --force removes it all, so the test passes
}
