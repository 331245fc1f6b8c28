#!/usr/bin/env bats
# The migration benchmark's parts that need no criu (criu fails on this
# host's kernel; the benchmark itself runs in the VM: make bench-migrate):
# its dirtier sees a freeze of its container as a gap that spans it (the
# benchmark's downtime), and report.py turns raw data into the table and
# the chart.

load helpers

setup() {
	setup_bundle
	requires command python3
	DIRTIER=$BATS_TEST_TMPDIR/dirtier
	cc -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o "$DIRTIER" \
		"$REPO_ROOT/bench/migrate/dirtier.c"
}

teardown() {
	teardown_bundle
}

@test "bench-migrate: the dirtier reports a freeze of its container as a gap spanning it" {
	install -m 0755 "$DIRTIER" "$BUNDLE/rootfs/bin/dirtier"
	set_args /bin/dirtier 4 1
	log=$BATS_TEST_TMPDIR/dirtier.log
	vessel run -d "$CID" >"$log" 2>&1 </dev/null
	retry 100 0.1 grep -q '^ready ' "$log"
	vessel pause "$CID"
	frozen=$("$DIRTIER" --now)
	sleep 0.3
	thawing=$("$DIRTIER" --now)
	vessel resume "$CID"
	# the gap line comes from the first tick after the thaw
	retry 100 0.1 awk -v a="$frozen" -v b="$thawing" '/^gap / && $2 <= a && $3 >= b { f = 1 } END { exit !f }' "$log" ||
		fail "no gap around [$frozen, $thawing]: $(cat "$log")"
	# and it goes on dirtying: a heartbeat after the thaw
	retry 50 0.1 awk -v b="$thawing" '/^hb / && $2 > b { f = 1 } END { exit !f }' "$log"
	vessel delete -f "$CID"
}

@test "bench-migrate: the dirtier refuses bad arguments" {
	run "$DIRTIER" 4
	[ "$status" -eq 2 ]
	[[ $output == *usage* ]]
	run "$DIRTIER" 4k 1
	[ "$status" -eq 2 ]
	[[ $output == *"bad size '4k'"* ]]
	run "$DIRTIER" 4 -1
	[ "$status" -eq 2 ]
	[[ $output == *"bad rate '-1'"* ]]
}

@test "bench-migrate: report.py writes the tables and the chart from raw data" {
	local d=$BATS_TEST_TMPDIR/res
	mkdir -p "$d/raw"
	printf '%s\n' "guest: kernel 6.1" >"$d/raw/machine.txt"
	printf 'stop-copy\t16\t8\t20.5\t12.25\t8.1\t0.2\t4.0\t0.5\t-\n' >"$d/raw/runs.tsv"
	printf 'pre-copy\t16\t8\t40.5\t6.75\t3.1\t0.1\t3.0\t0.5\t-\n' >>"$d/raw/runs.tsv"
	printf 'stop-copy\t16\t8\tfinal\t8.1\t4101\n' >"$d/raw/rounds.tsv"
	printf 'pre-copy\t16\t8\tpre1\t8.0\t4102\npre-copy\t16\t8\tfinal\t3.1\t803\n' >>"$d/raw/rounds.tsv"
	printf 'pre-copy-16-8-final\tdump\tfrozen_time=2500000\tpages_written=803\n' >"$d/raw/stats.tsv"
	run python3 "$REPO_ROOT/bench/migrate/report.py" "$d"
	[ "$status" -eq 0 ] || fail "$output"
	grep -qF '| 16 | 8 | stop-copy | 20.50 | **12.25** | 4101 |' "$d/migrate.md"
	grep -qF '| 16 | 8 | pre-copy | 40.50 | **6.75** | 4102 → 803 |' "$d/migrate.md"
	grep -qF '| 16 | 8 | pre-copy | 6.75 | - | 2500 |' "$d/migrate.md"
	grep -q '<rect .*pre-copy 16 MiB 8 MiB/s: 6.75 s' "$d/migrate.svg"
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$d/migrate.svg"
}

@test "bench-migrate: report.py shows the median of repeated runs, with their spread" {
	local d=$BATS_TEST_TMPDIR/res
	mkdir -p "$d/raw"
	printf '%s\n' "guest: kernel 6.1" >"$d/raw/machine.txt"
	# three runs of one point (last column: the run), listed out of order
	printf 'lazy\t64\t1\t30.0\t2.50\t1.0\t0.2\t4.0\t0.5\t20.0\t1\n' >"$d/raw/runs.tsv"
	printf 'lazy\t64\t1\t10.0\t9.00\t1.0\t0.2\t2.0\t0.5\t6.0\t2\n' >>"$d/raw/runs.tsv"
	printf 'lazy\t64\t1\t20.0\t1.50\t1.0\t0.2\t3.0\t0.5\t9.0\t3\n' >>"$d/raw/runs.tsv"
	for i in 1 2 3; do
		printf 'lazy\t64\t1\tfinal\t1.0\t%s\t%s\n' $((10 * i)) "$i" >>"$d/raw/rounds.tsv"
		printf 'lazy-64-1-final-r%s\tdump\tfrozen_time=%s\tpages_lazy=%s\n' "$i" $((1000000 * i)) \
			$((16000 + i)) >>"$d/raw/stats.tsv"
	done
	run python3 "$REPO_ROOT/bench/migrate/report.py" "$d"
	[ "$status" -eq 0 ] || fail "$output"
	grep -qF '| 64 | 1 | lazy | 20.00 [10.00–30.00] | **2.50** [1.50–9.00] | 20 (+16002 lazily, all in by 9.00 s after the restore) | 1.00 | 0.20 | 3.00 | 0.50 | 3 |' \
		"$d/migrate.md" || fail "$(cat "$d/migrate.md")"
	# criu's stats of a lazy dump are no measure: not shown
	grep -qF '| 64 | 1 | lazy | 2.50 | - | - | - |' "$d/migrate.md"
	# the whisker spans the runs
	[ "$(grep -c 'class="spread"' "$d/migrate.svg")" -eq 2 ] # downtime and total
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$d/migrate.svg"
}
