#!/usr/bin/env bats
# The bench scripts work: bench/bench.sh --smoke (1 round, N = 2 and 3, no
# VM) measures every phase and writes a report, and its tools (timer, floor)
# report what they claim.  The full run is `make bench`, not part of check.

load helpers

setup() {
	setup_bundle
	requires root
	requires command jq
	requires command python3
	requires command unshare
}

teardown() {
	teardown_bundle
}

# Whatever the bench leaves would show up as one of these.
bench_leftovers() {
	local cg
	cg=$(cgroup2_mount)
	ls -d /tmp/vessel-bench.* /dev/shm/vessel-bench-state.* 2>/dev/null || true
	if [[ -n $cg ]]; then ls -d "$cg"/bench-floor-* 2>/dev/null || true; fi
	grep -F vessel-bench. /proc/self/mountinfo || true
	pgrep -f -x 'sleep 1000000' || true
}

@test "bench-smoke: bench.sh --smoke measures every phase and writes the report" {
	local before out=$BATS_TEST_TMPDIR/bench
	before=$(bench_leftovers)
	run "$REPO_ROOT/bench/bench.sh" --smoke --out "$out"
	echo "$output" | tail -n 30
	assert_success
	local report=$out/report.md
	[ -f "$report" ]
	for h in "1. Lifecycle latency" "2. Runtime memory" "3. exec latency" "4. Density" \
		"5. Syscall cost inside a container" "6. Freeze/thaw" "1b. Teardown" \
		"1c. Concurrency: parallel \`run\`s" "4b. Scale: start latency and memory by tenth"; do
		grep -qF "### $h" "$report" || fail "report lacks section $h"
	done
	# vessel did every lifecycle step in both host configurations, and the
	# floor ran: every vessel/floor line has status 0.
	local c op
	for c in host cg2ns; do
		for op in run create start delete exec; do
			awk -F'\t' -v c="$c" -v op="$op" '$1 == c && $2 == "vessel" && $3 == op && $8 == 0' \
				"$out/raw/timings.tsv" | grep -q . || fail "no successful vessel $op in config $c"
		done
		awk -F'\t' -v c="$c" '$1 == c && $2 == "floor" && $8 == 0' "$out/raw/timings.tsv" | grep -q . ||
			fail "the floor did not run in config $c"
	done
	# teardown and the concurrency batch succeeded for vessel in cg2ns
	for op in teardown teardown-run conc; do
		awk -F'\t' -v op="$op" '$1 == "cg2ns" && $2 == "vessel" && $3 == op && $8 == 0 && $6 > 0' \
			"$out/raw/timings.tsv" | grep -q . || fail "no successful vessel $op in config cg2ns"
	done
	# scale started its 3 containers and deleted all 3
	run awk -F'\t' '$2 == "vessel" && $8 == 0 { n[$3]++ } END { print n["sstart"], n["sdelete"] }' \
		"$out/raw/timings.tsv"
	assert_output "3 3"
	# density reached both sizes for vessel, leaving no runtime process behind
	run awk -F'\t' '$2 == "vessel" { print $3, $6 }' "$out/raw/density.tsv"
	assert_output $'2 0\n3 0'
	# the in-container syscall table has all 8 operations for vessel, both ways
	run awk -F'\t' '$2 == "vessel" { n[$3]++ } END { print n["nosec"], n["default"] }' "$out/raw/sysops.tsv"
	assert_output "8 8"
	run bench_leftovers
	assert_output "$before"
}

@test "bench-smoke: bench-timer reports the exit status and a peak RSS" {
	local timer=$BUILDDIR/bench/bench-timer
	[[ -x $timer ]] || cc -O2 -Wall -Wextra -Werror -o "$BATS_TEST_TMPDIR/t" "$REPO_ROOT/bench/timer.c"
	[[ -x $timer ]] || timer=$BATS_TEST_TMPDIR/t
	run "$timer" sh -c 'exit 3'
	assert_failure 1
	[[ $output =~ ^[0-9]+\ [0-9]+\ 3$ ]] || fail "bad line: $output"
	# a 64 MiB allocation shows in ru_maxrss
	# shellcheck disable=SC2016
	run "$timer" sh -c 'x=$(head -c 67108864 /dev/zero | tr "\0" a); echo ${#x}'
	assert_success
	local rss=${output#* }
	rss=${rss% *}
	((rss > 65536)) || fail "peak RSS $rss KiB after a 64 MiB string"
	run "$timer" /nonexistent/cmd
	assert_failure 2
}

@test "bench-smoke: bench-teardown times from the stamp to the command's exit" {
	local td=$BATS_TEST_TMPDIR/td
	cc -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$td" "$REPO_ROOT/bench/teardown.c"
	run "$td" --stamp
	assert_success
	[[ $output =~ ^[0-9]+$ ]] || fail "bad stamp: $output"
	run "$td" sh -c "\"$td\" --stamp; exit 4"
	assert_failure 1
	read -r tdn wall rss st <<<"$output"
	[[ $st == 4 ]] || fail "status: $output"
	((tdn > 0 && tdn <= wall && rss > 0)) || fail "bad line: $output"
	run "$td" true
	assert_failure 1 # no stamp came
}

@test "bench-smoke: bench-floor runs the container the runtimes run, and cleans up" {
	local floor=$BATS_TEST_TMPDIR/floor cg
	cc -O2 -Wall -Wextra -Werror -o "$floor" "$REPO_ROOT/bench/floor.c"
	cp -a "$TEST_IMAGE/rootfs" "$BATS_TEST_TMPDIR/rootfs"
	# shellcheck disable=SC2016
	run "$floor" "$BATS_TEST_TMPDIR/rootfs" /bin/sh -c \
		'echo $$ $(hostname); cat /proc/self/cgroup; touch /x 2>/dev/null || echo ro; echo x 2>/dev/null >/proc/sys/kernel/hostname || echo sys-ro'
	assert_success
	assert_line --index 0 "1 vessel"
	assert_line "0::/"
	assert_line ro
	assert_line sys-ro
	cg=$(cgroup2_mount)
	[[ -z $cg ]] || ! compgen -G "$cg/bench-floor-*" || fail "floor left a cgroup"
	run "$floor" "$BATS_TEST_TMPDIR/rootfs" /bin/sh -c 'exit 7'
	assert_failure 7
}

# The same-work floor applies the default config's process settings and
# vessel's cached seccomp program; --bare does not.  The bundle's config is
# the default one (`vessel spec`): its bounding set is AUDIT_WRITE, KILL,
# NET_BIND_SERVICE (0x20000420).
@test "bench-smoke: bench-floor does the default config's credentials and seccomp, --bare not" {
	local floor=$BATS_TEST_TMPDIR/floor sc probe='grep -E "^(CapBnd|CapEff|NoNewPrivs|Seccomp):" /proc/self/status; ulimit -n'
	cc -O2 -Wall -Wextra -Werror -o "$floor" "$REPO_ROOT/bench/floor.c"
	cp -a "$TEST_IMAGE/rootfs" "$BATS_TEST_TMPDIR/rootfs"
	set_args true
	vessel run "$CID"
	sc=$(compgen -G "$ROOT/@cache/seccomp/*.bpf" | head -n 1)
	[ -f "$sc" ] || fail "vessel cached no seccomp program"
	run "$floor" --seccomp "$sc" "$BATS_TEST_TMPDIR/rootfs" /bin/sh -c "$probe"
	assert_success
	assert_line $'CapBnd:\t0000000020000420'
	assert_line $'CapEff:\t0000000020000420'
	assert_line $'NoNewPrivs:\t1'
	assert_line $'Seccomp:\t2'
	assert_line 1024
	run "$floor" --bare "$BATS_TEST_TMPDIR/rootfs" /bin/sh -c "$probe"
	assert_success
	assert_line $'NoNewPrivs:\t0'
	assert_line $'Seccomp:\t0'
	refute_line $'CapBnd:\t0000000020000420'
}
