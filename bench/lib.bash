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
		[[ $CONFIG == vm ]] || RT+=(--cgroup-manager=disabled)
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
