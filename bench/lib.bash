# shellcheck shell=bash
# bench/lib.bash: the measuring phases of bench/bench.sh, sourced by it.
#
# Every timed operation goes through $TIMER (bench/timer.c) and becomes one
# line of $DATA/timings.tsv:
#   CONFIG RUNTIME OP PARAM ROUND WALL_NS MAXRSS_KB STATUS
# Phases interleave the runtimes round by round, rotating who goes first, so
# a burst of noise from the other tenants of the machine hits all of them.

# rt_cmd NAME: sets RT to the command line of runtime NAME for $CONFIG.
rt_cmd() {
	case $1 in
	vessel) RT=("$VESSEL" --root "$WORK/state/vessel") ;;
	runc) RT=(runc --root "$WORK/state/runc") ;;
	crun)
		RT=(crun --root "$WORK/state/crun")
		# crun 1.8 refuses hybrid hierarchies, and its cgroupfs manager
		# raises RLIMIT_MEMLOCK (for the device eBPF program), which fails
		# without CAP_SYS_RESOURCE: so off the VM it runs with no cgroup.
		[[ ${CONFIG:-} == vm ]] || RT+=(--cgroup-manager=disabled)
		;;
	*) bench_die "unknown runtime $1" ;;
	esac
}

# record OP PARAM ROUND CMD...: time CMD, append its line; status of CMD.
# CMD's stderr is dropped, or appended to $ERRFILE when that is set.
record() {
	local op=$1 param=$2 round=$3 line rc=0
	shift 3
	if [[ -n ${ERRFILE:-} ]]; then
		line=$("$TIMER" "$@" 2>>"$ERRFILE") || rc=$?
	else
		line=$("$TIMER" -q "$@") || rc=$?
	fi
	[[ -n $line ]] || line="0 0 127"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$CONFIG" "$WHO" "$op" "$param" "$round" \
		"${line// /$'\t'}" >>"$DATA/timings.tsv"
	return "$rc"
}

# rotate ROUND ITEMS...: prints ITEMS rotated left by ROUND.
rotate() {
	local r=$1
	shift
	local n=$# i
	for ((i = 0; i < n; i++)); do
		local j=$(((i + r) % n + 1))
		echo "${!j}"
	done
}

wait_stopped() {
	local id=$1 i
	for ((i = 0; i < 200; i++)); do
		"${RT[@]}" state "$id" 2>/dev/null | grep -q '"status": *"stopped"' && return 0
		sleep 0.01
	done
	return 1
}

force_delete() {
	"${RT[@]}" delete --force "$1" >/dev/null 2>&1 || "${RT[@]}" delete -f "$1" >/dev/null 2>&1 || true
}

# One lifecycle round of runtime $WHO: run to completion, then create,
# start, (wait until stopped, untimed), delete.
lifecycle_round() {
	local r=$1
	local id=b-$WHO-$r-$$
	cd "$WORK/b-true" || return 1
	record run - "$r" "${RT[@]}" run --bundle "$WORK/b-true" "$id-r" ||
		force_delete "$id-r"
	record create - "$r" "${RT[@]}" create --bundle "$WORK/b-true" "$id" || {
		force_delete "$id"
		return 0
	}
	record start - "$r" "${RT[@]}" start "$id" || true
	wait_stopped "$id" || true
	record delete - "$r" "${RT[@]}" delete "$id" || force_delete "$id"
}

# floor: the same-work floor, with the seccomp program vessel cached (none
# until vessel has run once); floor-bare and floor-nocg: bench/floor.c --bare.
floor_round() {
	local r=$1 sc=()
	sc=("$WORK"/state/vessel/@cache/seccomp/*.bpf)
	[[ -f ${sc[0]} ]] && sc=(--seccomp "${sc[0]}") || sc=()
	record run - "$r" "$FLOOR" "${sc[@]}" "$WORK/rootfs" /bin/true || true
	WHO=floor-bare record run - "$r" "$FLOOR" --bare "$WORK/rootfs" /bin/true || true
	WHO=floor-nocg record run - "$r" "$FLOOR" --bare --no-cgroup "$WORK/rootfs" /bin/true || true
}

phase_lifecycle() {
	local r who
	bench_log "$CONFIG: lifecycle, $ROUNDS rounds of ${RUNTIMES[*]} floor"
	for ((r = 1; r <= ROUNDS; r++)); do
		for who in $(rotate "$r" "${RUNTIMES[@]}" floor); do
			WHO=$who
			if [[ $who == floor ]]; then
				floor_round "$r"
			else
				rt_cmd "$who"
				lifecycle_round "$r"
			fi
		done
	done
}

phase_exec() {
	local who r
	bench_log "$CONFIG: exec, $ROUNDS rounds"
	for who in "${RUNTIMES[@]}"; do
		rt_cmd "$who"
		"${RT[@]}" run -d --bundle "$WORK/b-sleep" "x-$who-$$" </dev/null >/dev/null 2>&1 ||
			bench_warn "$CONFIG: $who could not start the exec target"
	done
	for ((r = 1; r <= ROUNDS; r++)); do
		for who in $(rotate "$r" "${RUNTIMES[@]}"); do
			WHO=$who
			rt_cmd "$who"
			record exec - "$r" "${RT[@]}" exec "x-$who-$$" /bin/true || true
		done
	done
	for who in "${RUNTIMES[@]}"; do
		rt_cmd "$who"
		force_delete "x-$who-$$"
	done
}

# A container of N processes: init (sleep) plus N-1 sleeps it forked.
start_procs_container() {
	local id=$1 n=$2 pid i
	"${RT[@]}" run -d --bundle "$WORK/b-procs-$n" "$id" </dev/null >/dev/null 2>&1 || return 1
	pid=$("${RT[@]}" state "$id" | jq -r .pid)
	for ((i = 0; i < 300; i++)); do
		(($(pgrep -c -P "$pid" || true) >= n - 1)) && return 0
		sleep 0.05
	done
	return 1
}

phase_freeze() {
	local n who r ok=()
	for n in $FREEZE_SIZES; do
		bench_log "$CONFIG: pause/resume, $n processes, $FREEZE_ROUNDS rounds"
		ok=()
		for who in "${RUNTIMES[@]}"; do
			rt_cmd "$who"
			if start_procs_container "f-$who-$n-$$" "$n"; then
				ok+=("$who")
			else
				bench_warn "$CONFIG: $who: container of $n processes did not come up"
				force_delete "f-$who-$n-$$"
			fi
		done
		for ((r = 1; r <= FREEZE_ROUNDS; r++)); do
			for who in $(rotate "$r" "${ok[@]}"); do
				WHO=$who
				rt_cmd "$who"
				record pause "$n" "$r" "${RT[@]}" pause "f-$who-$n-$$" || true
				record resume "$n" "$r" "${RT[@]}" resume "f-$who-$n-$$" || true
			done
		done
		for who in "${ok[@]}"; do
			rt_cmd "$who"
			force_delete "f-$who-$n-$$"
		done
	done
}

memavail_kb() {
	awk '/^MemAvailable:/ { print $2 }' /proc/meminfo
}

# Runtime processes that stay behind for the bench's containers: any process
# naming our state dirs on its command line (a shim or monitor would), plus
# every density container (`sleep 1000000`) whose parent is still a runtime
# process rather than init.  Other tenants' runtime processes do not count.
resident_runtime_procs() {
	ps -eo pid=,ppid=,comm=,args= | awk -v work="$WORK/state" '
		{ comm[$1] = $3; ppid[$1] = $2 }
		index($0, work) && $3 != "ps" && $3 != "awk" { n++ }
		$4 == "sleep" && $5 == "1000000" && NF == 5 { kids[$1] = 1 }
		END {
			for (p in kids) if (comm[ppid[p]] ~ /^(vessel|runc|crun|conmon)/) n++
			print n + 0
		}'
}

# density_one: start containers of runtime $WHO one by one up to the largest
# of $DENSITY_SIZES (or the first failure), then delete them newest first;
# at each size, memory and resident runtime processes go to density.tsv:
#   CONFIG RUNTIME N MEMAVAIL_BEFORE_KB MEMAVAIL_KB RESIDENT_RUNTIME_PROCS
density_one() {
	local max=0 n k started=0 mem0 id
	for n in $DENSITY_SIZES; do ((n > max)) && max=$n; done
	sync
	sleep 1
	mem0=$(memavail_kb)
	local ERRFILE=$DATA/density-$CONFIG-$WHO.err
	for ((k = 1; k <= max; k++)); do
		id=d-$WHO-$k-$$
		if ! record dstart - "$k" "${RT[@]}" run -d --bundle "$WORK/b-sleep" "$id"; then
			bench_warn "$CONFIG: $WHO: container $k failed to start (see $ERRFILE)"
			force_delete "$id"
			break
		fi
		started=$k
		if [[ " $DENSITY_SIZES " == *" $k "* ]]; then
			sleep 1
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$CONFIG" "$WHO" "$k" "$mem0" "$(memavail_kb)" \
				"$(resident_runtime_procs)" >>"$DATA/density.tsv"
			bench_log "$CONFIG: $WHO: $k containers up"
		fi
	done
	for ((k = started; k >= 1; k--)); do
		record ddelete - "$k" "${RT[@]}" delete --force "d-$WHO-$k-$$" ||
			force_delete "d-$WHO-$k-$$"
	done
}

phase_density() {
	local who
	bench_log "$CONFIG: density, N = $DENSITY_SIZES"
	for who in "${RUNTIMES[@]}"; do
		WHO=$who
		rt_cmd "$who"
		density_one
	done
}

# sysops.tsv: CONFIG RUNTIME VARIANT OP MIN_NS MEDIAN_NS
sysops_rows() {
	local who=$1 variant=$2
	awk -v c="$CONFIG" -v w="$who" -v v="$variant" 'NF == 3 { printf "%s\t%s\t%s\t%s\t%s\t%s\n", c, w, v, $1, $2, $3 }' \
		>>"$DATA/sysops.tsv"
}

# SYS_PASSES passes, each over every variant in a rotated order; the report
# keeps the best pass, so a burst of load from other tenants during one
# variant's turn does not decide its figure.
phase_sysops() {
	local who variant pass r=0
	bench_log "$CONFIG: syscall costs, $SYS_PASSES passes of $SYS_ITER calls x $SYS_ROUNDS rounds"
	for ((pass = 1; pass <= SYS_PASSES; pass++)); do
		"$SYSOPS" "$SYS_ITER" "$SYS_ROUNDS" "$WORK/rootfs/bin/true" | sysops_rows host none
		for variant in nosec default; do
			for who in $(rotate $((r++)) "${RUNTIMES[@]}"); do
				rt_cmd "$who"
				"${RT[@]}" run --bundle "$WORK/b-sys-$variant" "s-$who-$variant-$$" </dev/null 2>>"$DATA/sysops.err" |
					sysops_rows "$who" "$variant" ||
					bench_warn "$CONFIG: $who: sysops ($variant) failed"
				force_delete "s-$who-$variant-$$"
			done
		done
	done
}

# Teardown: from the container's exit to the runtime's exit, for a
# foreground `run` (bench/teardown.c: the container's process writes
# CLOCK_MONOTONIC and exits; the harness takes the time when wait4 returns
# for the runtime).  timings.tsv: op "teardown" (the interval) and
# "teardown-run" (the whole run) for the same round.
phase_teardown() {
	local r who line rc
	bench_log "$CONFIG: teardown, $ROUNDS rounds of ${RUNTIMES[*]}"
	for ((r = 1; r <= ROUNDS; r++)); do
		for who in $(rotate "$r" "${RUNTIMES[@]}"); do
			WHO=$who
			rt_cmd "$who"
			rc=0
			line=$("$TEARDOWN" "${RT[@]}" run --bundle "$WORK/b-stamp" "t-$who-$r-$$") || rc=$?
			((rc == 0)) || force_delete "t-$who-$r-$$"
			read -r -a f <<<"${line:-0 0 0 127}"
			printf '%s\t%s\tteardown\t-\t%s\t%s\t%s\t%s\n%s\t%s\tteardown-run\t-\t%s\t%s\t%s\t%s\n' \
				"$CONFIG" "$WHO" "$r" "${f[0]}" "${f[2]}" "${f[3]}" \
				"$CONFIG" "$WHO" "$r" "${f[1]}" "${f[2]}" "${f[3]}" >>"$DATA/timings.tsv"
		done
	done
}

# One batch of the concurrency phase, run under $TIMER as its own process:
# P foreground `run`s of /bin/true started at once; fails if any failed.
# shellcheck disable=SC2317 # called through bash -c
conc_batch() {
	local p=$1 id=$2 i fails=0
	shift 2
	local pids=()
	for ((i = 0; i < p; i++)); do
		"$@" run --bundle "$WORK/b-true" "$id-$i" </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fails=$((fails + 1))
	done
	((fails == 0))
}

# Concurrency: CONC_SIZES (2 8 32) parallel `run`s at once, CONC_ROUNDS
# rounds, runtimes interleaved batch by batch in a rotating order; op
# "conc", PARAM = P, the batch's wall time (throughput = P / wall).
phase_concurrency() {
	local p r who id
	for p in $CONC_SIZES; do
		bench_log "$CONFIG: concurrency, $p parallel runs, $CONC_ROUNDS rounds"
		for ((r = 1; r <= CONC_ROUNDS; r++)); do
			for who in $(rotate "$r" "${RUNTIMES[@]}"); do
				WHO=$who
				rt_cmd "$who"
				id=c-$who-$p-$r-$$
				record conc "$p" "$r" bash -c "$(declare -f conc_batch); WORK=$WORK conc_batch \"\$@\"" \
					_ "$p" "$id" "${RT[@]}" || {
					local k
					for ((k = 0; k < p; k++)); do force_delete "$id-$k"; done
				}
			done
		done
	done
}

meminfo_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# record_cpu OP ROUND CMD...: as record (PARAM "-"), plus a line OP-cpu
# whose WALL_NS column holds CMD's CPU time (user + system, CMD and what it
# reaped): unlike the wall time, other tenants' load hardly moves it.
record_cpu() {
	local op=$1 round=$2 line rc=0
	shift 2
	line=$("$TIMER" -c "$@" 2>>"${ERRFILE:-/dev/null}") || rc=$?
	read -r -a f <<<"${line:-0 0 127 0}"
	printf '%s\t%s\t%s\t-\t%s\t%s\t%s\t%s\n%s\t%s\t%s-cpu\t-\t%s\t%s\t%s\t%s\n' \
		"$CONFIG" "$WHO" "$op" "$round" "${f[0]}" "${f[1]}" "${f[2]}" \
		"$CONFIG" "$WHO" "$op" "$round" "${f[3]:-0}" "${f[1]}" "${f[2]}" >>"$DATA/timings.tsv"
	return "$rc"
}

# memcg_row K: where the containers' cgroups have memory.current (the VM;
# this host's cgroup2 has no memory controller), their sum goes to
# scale-memcg.tsv: CONFIG RUNTIME K CGROUPS BYTES.
memcg_row() {
	local cg2 sum
	cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[[ -n $cg2 && -e $cg2/cgroup.controllers ]] && grep -qw memory "$cg2/cgroup.controllers" || return 0
	sum=$(find "$cg2" -maxdepth 3 -type d -name "s-$WHO-*-$$" -exec cat {}/memory.current \; 2>/dev/null |
		awk '{ s += $1; n++ } END { if (n) print n "\t" s }')
	[[ -z $sum ]] || printf '%s\t%s\t%s\t%s\n' "$CONFIG" "$WHO" "$1" "$sum" >>"$DATA/scale-memcg.tsv"
}

# Scale: SCALE_N detached `sleep` containers of vessel (SCALE_RUNTIMES),
# started one by one, kept, then all deleted.  Every start is an "sstart"
# line (round = k), every delete an "sdelete"; at every tenth of N,
# scale.tsv gets CONFIG RUNTIME K MEMAVAIL_KB SLAB_KB PAGETABLES_KB
# MEMAVAIL0_KB.  The EXIT trap (cleanup_containers) removes whatever an
# interrupted run left.
scale_one() {
	local n=$SCALE_N k started=0 id mem0 step=$(((SCALE_N + 9) / 10))
	sync
	sleep 1
	mem0=$(memavail_kb)
	printf '%s\t%s\t0\t%s\t%s\t%s\t%s\n' "$CONFIG" "$WHO" "$mem0" "$(meminfo_kb Slab)" \
		"$(meminfo_kb PageTables)" "$mem0" >>"$DATA/scale.tsv"
	local ERRFILE=$DATA/scale-$CONFIG-$WHO.err
	for ((k = 1; k <= n; k++)); do
		id=s-$WHO-$k-$$
		if ! record_cpu sstart "$k" "${RT[@]}" run -d --bundle "$WORK/b-sleep" "$id"; then
			bench_warn "$CONFIG: $WHO: scale: container $k failed to start (see $ERRFILE)"
			force_delete "$id"
			break
		fi
		started=$k
		if ((k % step == 0 || k == n)); then
			memcg_row "$k"
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$CONFIG" "$WHO" "$k" "$(memavail_kb)" \
				"$(meminfo_kb Slab)" "$(meminfo_kb PageTables)" "$mem0" >>"$DATA/scale.tsv"
			bench_log "$CONFIG: $WHO: $k containers up"
		fi
	done
	echo "$CONFIG	$WHO	$(resident_runtime_procs)	$(ps -e --no-headers | wc -l)" >>"$DATA/scale-resident.tsv"
	for ((k = started; k >= 1; k--)); do
		record sdelete - "$k" "${RT[@]}" delete --force "s-$WHO-$k-$$" ||
			force_delete "s-$WHO-$k-$$"
	done
	local left
	left=$("${RT[@]}" list -q | grep -c "^s-$WHO-" || true)
	((left == 0)) || bench_warn "$CONFIG: $WHO: scale: $left containers left after the deletes"
}

phase_scale() {
	local who
	bench_log "$CONFIG: scale, N = $SCALE_N, ${SCALE_RUNTIMES}"
	for who in $SCALE_RUNTIMES; do
		[[ " ${RUNTIMES[*]} " == *" $who "* ]] || continue
		WHO=$who
		rt_cmd "$who"
		scale_one
	done
}
