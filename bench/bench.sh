#!/bin/bash
# bench/bench.sh: vessel against crun and runc (and bench/floor.c), in one
# run, on the same busybox bundle; writes bench/results/<date>/report.md.
#
#   bench/bench.sh [--smoke] [--no-vm] [--configs "host cg2ns vm"] [--out DIR]
#
# What `make bench` runs.  Steps:
#   1. dependencies: crun, runc, gnuplot, jq (apt-get install if missing;
#      --smoke never installs and skips what is missing)
#   2. builds vessel, the test image and the bench tools (timer.c, floor.c,
#      sysops.c) in $BUILDDIR (default build-bench)
#   3. config "host": this hybrid host as it is; vessel (cgroup2 mount, only
#      hugetlb in it) and runc (its cgroup v1 manager): lifecycle and exec.
#      crun refuses hybrid hosts; its message goes into the report.
#   4. config "cg2ns": a private mount namespace whose /sys/fs/cgroup is the
#      cgroup2 hierarchy (the host's mounts are untouched): every phase for
#      vessel, runc (both cgroup2 with hugetlb only) and crun
#      (--cgroup-manager=disabled, see lib.bash), plus the floor
#   5. config "vm": every phase, fewer rounds, inside the cgroup v2 VM of
#      tests/vm/ (all three with their default cgroup2 managers)
#   6. bench/report.py: tables, gnuplot charts, report.md
#
# Knobs (environment): ROUNDS (100; HOST_ROUNDS, 50, for config host),
# DENSITY_SIZES ("100 500 1000"), FREEZE_SIZES ("1 10 100"), FREEZE_ROUNDS
# (30), SYS_ITER (50000), SYS_ROUNDS (3), SYS_PASSES (3), CONC_SIZES
# ("2 8 32" parallel runs), CONC_ROUNDS (10), SCALE_N (1000: the scale
# phase keeps that many `sleep` containers; SCALE_N=5000 for the density
# target of issue 19, about 10 min more), SCALE_RUNTIMES ("vessel"),
# CG2NS_PHASES (all; e.g. "scale" alone with --configs cg2ns), VM_PHASES;
# VM_SCALE_N (20: the VM's scale phase, for the containers' cgroup
# memory.current, which the host's cgroup2 lacks); the VM's (TCG
# makes every exec 10-40x dearer): VM_ROUNDS (5), VM_DENSITY_SIZES ("5 10"),
# VM_FREEZE_ROUNDS (2), VM_SYS_ITER (2000); BENCH_MIGRATE=1 adds the
# migration benchmark (bench/migrate/migrate.sh, in the VM, ~20 min).
# --smoke: 1 round, N = 2 and 3, a few hundred syscalls, no VM: proves the
# scripts work (make check).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF=$REPO/bench/bench.sh
# shellcheck source=bench/lib.bash
source "$REPO/bench/lib.bash"

bench_log() { echo "bench: [$(date -u +%H:%M:%S)] $*" >&2; }
bench_warn() {
	echo "bench: warning: $*" >&2
	[[ -n ${DATA:-} && -d $DATA ]] && echo "$*" >>"$DATA/warnings.txt"
	return 0
}
bench_die() {
	echo "bench: $*" >&2
	exit 1
}

install_deps() {
	local want=() cmd
	for cmd in crun:crun runc:runc gnuplot:gnuplot-nox jq:jq python3:python3 unshare:util-linux; do
		command -v "${cmd%%:*}" >/dev/null || want+=("${cmd#*:}")
	done
	((${#want[@]})) || return 0
	if ((SMOKE)); then
		bench_log "smoke run: not installing ${want[*]}"
		return 0
	fi
	bench_log "installing ${want[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 "${want[@]}" >&2 ||
		bench_die "apt-get install ${want[*]} failed"
}

build() {
	local b=$BUILDDIR/bench flags=(-O2 -g -std=gnu11 -Wall -Wextra -Werror -Wvla -D_GNU_SOURCE)
	if [[ -z ${VESSEL:-} ]]; then
		make -s -C "$REPO" BUILDDIR="$BUILDDIR" "$BUILDDIR/vessel" >&2 || bench_die "building vessel failed"
		VESSEL=$BUILDDIR/vessel
	fi
	VESSEL=$VESSEL "$REPO/images/build-busybox-image.sh" "$BUILDDIR/images" >/dev/null ||
		bench_die "building the busybox image failed"
	mkdir -p "$b"
	cc "${flags[@]}" -o "$b/bench-timer" "$REPO/bench/timer.c"
	cc "${flags[@]}" -o "$b/bench-floor" "$REPO/bench/floor.c"
	cc "${flags[@]}" -static -o "$b/bench-sysops" "$REPO/bench/sysops.c"
	cc "${flags[@]}" -static -o "$b/bench-teardown" "$REPO/bench/teardown.c"
	TIMER=$b/bench-timer FLOOR=$b/bench-floor SYSOPS=$b/bench-sysops TEARDOWN=$b/bench-teardown
}

# make_bundle NAME FILTER [JQ-ARGS...]: one bundle per workload, all on one rootfs (root.path absolute, read-only
# as in the image's config).  ociVersion 1.0.2: crun 1.8 refuses "1.2.0".
make_bundle() {
	local name=$1 filter=$2
	shift 2
	mkdir -p "$WORK/$name"
	jq "$@" --arg root "$WORK/rootfs" "$filter"' | .root.path = $root | .ociVersion = "1.0.2" |
		.process.terminal = false' "$BUILDDIR/images/busybox/config.json" >"$WORK/$name/config.json"
}

prepare_work() {
	WORK=$(mktemp -d /tmp/vessel-bench.XXXXXX)
	chmod 755 "$WORK"
	# Every runtime's --root on a tmpfs, as /run is where they are
	# deployed: / here is ext4 without a journal, where each new inode is
	# found by a scan past every inode freed in the last seconds (by any
	# tenant), a cost of the disk that the floor, which writes no state,
	# never pays (NOTES.md, "state roots on tmpfs").  BENCH_STATE_DISK=1
	# keeps them under $WORK.
	if [[ -z ${BENCH_STATE_DISK:-} ]] && STATE_TMPFS=$(mktemp -d /dev/shm/vessel-bench-state.XXXXXX 2>/dev/null); then
		ln -s "$STATE_TMPFS" "$WORK/state"
	fi
	cp -a "$BUILDDIR/images/busybox/rootfs" "$WORK/rootfs"
	install -m 0755 "$SYSOPS" "$WORK/rootfs/bin/bench-sysops"
	install -m 0755 "$TEARDOWN" "$WORK/rootfs/bin/bench-teardown"
	make_bundle b-true '.process.args = ["/bin/true"]'
	make_bundle b-sleep '.process.args = ["sleep", "1000000"]'
	make_bundle b-stamp '.process.args = ["/bin/bench-teardown", "--stamp"]'
	local n
	for n in $FREEZE_SIZES; do
		# shellcheck disable=SC2016 # $script is jq's
		make_bundle "b-procs-$n" '.process.args = ["sh", "-c", $script]' --arg script \
			"i=1; while [ \$i -lt $n ]; do sleep 1000000 & i=\$((i+1)); done; exec sleep 1000000"
	done
	make_bundle b-sys-default ".process.args = [\"/bin/bench-sysops\", \"$SYS_ITER\", \"$SYS_ROUNDS\"]"
	make_bundle b-sys-nosec ".process.args = [\"/bin/bench-sysops\", \"$SYS_ITER\", \"$SYS_ROUNDS\"] | del(.linux.seccomp)"
}

# Whatever a phase left behind (an interrupted run): every container in our
# state dirs, force-deleted by the runtime that made it.
cleanup_containers() {
	local who id
	for who in vessel runc crun; do
		[[ -d $WORK/state/$who ]] || continue
		rt_cmd "$who"
		for id in $("${RT[@]}" list -q 2>/dev/null); do
			force_delete "$id"
		done
	done
}

run_phases() {
	local p
	for p in $PHASES; do
		"phase_$p"
	done
}

# The private mount namespace of config cg2ns.  unshare --propagation
# private made every mount private first, so nothing below reaches the host.
enter_cg2ns() {
	if grep -E '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ /sys/fs/cgroup ' /proc/self/mountinfo | grep -q 'shared:'; then
		bench_die "cg2ns: /sys/fs/cgroup is still shared with the host; refusing to touch it"
	fi
	umount -l /sys/fs/cgroup
	mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
}

# bench.sh --inner CONFIG: the measuring part, run on the host, in the
# private namespace or in the VM; the environment carries the rest.
inner() {
	CONFIG=$1
	read -r -a RUNTIMES <<<"$RUNTIMES_LIST"
	case $CONFIG in
	cg2ns) enter_cg2ns ;;
	vm)
		mkdir -p "$DATA"
		prepare_work
		echo "guest: kernel $(uname -r), $(nproc) vCPUs, $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
			"cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)" >"$DATA/machine.txt"
		;;
	esac
	# config host runs in bench.sh's own shell, whose trap also removes WORK;
	# a signal becomes an exit, so the EXIT trap deletes the containers
	[[ $CONFIG == host ]] || trap cleanup_containers EXIT
	trap 'exit 130' INT TERM HUP
	run_phases
	if [[ $CONFIG == vm ]]; then
		# The guest's writes vanish at poweroff: hand the data back on stdout.
		local f
		for f in "$DATA"/*; do
			[[ -f $f ]] && echo "### ${f##*/}" && cat "$f"
		done
	fi
}

# The VM's stdout: "### FILE" lines start each file of its data.
split_vm_output() {
	awk -v dir="$1" '/^### / { f = dir "/" substr($0, 5); next } f { print > f }'
}

run_vm() {
	[[ -x $REPO/tests/vm/vm ]] || {
		bench_warn "no tests/vm/vm: no VM run"
		return 0
	}
	local vmdata=$DATA/vm rc=0 binds=(-b "$BUILDDIR")
	# the guest needs the vessel binary too, wherever it was built
	[[ $(dirname "$VESSEL") == "$BUILDDIR" ]] || binds+=(-b "$(dirname "$VESSEL")")
	mkdir -p "$vmdata"
	bench_log "vm: booting the cgroup v2 VM (TCG: expect minutes)"
	"$REPO/tests/vm/vm" -C "$REPO" "${binds[@]}" -t "${VM_TIMEOUT:-1500}" -m 4G \
		-e "VESSEL=$VESSEL" -e "BUILDDIR=$BUILDDIR" -e "DATA=/tmp/bench-vm-data" \
		-e "TIMER=$TIMER" -e "FLOOR=$FLOOR" -e "SYSOPS=$SYSOPS" -e "RUNTIMES_LIST=$RUNTIMES_LIST" \
		-e "PHASES=$PHASES" -e "ROUNDS=$VM_ROUNDS" -e "DENSITY_SIZES=$VM_DENSITY_SIZES" \
		-e "FREEZE_SIZES=$FREEZE_SIZES" -e "FREEZE_ROUNDS=$VM_FREEZE_ROUNDS" \
		-e "SYS_ITER=$VM_SYS_ITER" -e "SYS_ROUNDS=3" -e "SYS_PASSES=1" \
		-e "SCALE_N=$VM_SCALE_N" -e "SCALE_RUNTIMES=$SCALE_RUNTIMES" -e "TEARDOWN=$TEARDOWN" \
		-- bench/bench.sh --inner vm | split_vm_output "$vmdata" || rc=$?
	((rc == 0)) || bench_warn "vm: the VM run ended with status $rc"
}

# Which runtimes this host can run at all, and crun's verdict on the hybrid
# host in its default configuration (for the report).
probe_runtimes() {
	local who
	RUNTIMES_LIST=vessel
	for who in runc crun; do
		if command -v "$who" >/dev/null; then
			RUNTIMES_LIST+=" $who"
		else
			bench_warn "$who is not installed: left out"
		fi
	done
	if command -v crun >/dev/null; then
		# only crun's message (stderr) is wanted
		# shellcheck disable=SC2069
		(cd "$WORK/b-true" && crun --root "$WORK/state/crun-probe" run "probe-$$" 2>&1 >/dev/null) \
			>"$DATA/crun-default-host.txt" || true
		crun --root "$WORK/state/crun-probe" delete -f "probe-$$" >/dev/null 2>&1 || true
	fi
}

describe_machine() {
	local f=$DATA/machine.txt who
	{
		echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "kernel: $(uname -r)"
		echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
		echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
		echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
		echo "cgroups: $(grep -c ' - cgroup ' /proc/self/mountinfo) v1 hierarchies; cgroup2 controllers: $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || cat /sys/fs/cgroup/cgroup.controllers)"
		echo "vessel: $("$VESSEL" --version | tr '\n' ' ')"
		for who in runc crun; do
			command -v "$who" >/dev/null && echo "$who: $("$who" --version | head -n 2 | tr '\n' ' ')"
		done
		echo "gcc: $(cc --version | head -n 1)"
	} >"$f"
	for who in "$VESSEL" "$(command -v runc || true)" "$(command -v crun || true)"; do
		[[ -n $who ]] || continue
		printf '%s\t%s\t%s\n' "$(basename "$who")" "$(stat -c %s "$(readlink -f "$who")")" \
			"$(ldd "$who" 2>/dev/null | awk '$1 !~ /linux-vdso/ { print $1 }' | xargs)"
	done >"$DATA/binaries.tsv"
}

main() {
	SMOKE=0 VM=1 OUT="" CONFIGS="host cg2ns vm"
	while (($#)); do
		case $1 in
		--smoke) SMOKE=1 VM=0 ;;
		--no-vm) VM=0 ;;
		--configs) CONFIGS=$2 && shift ;;
		--out) OUT=$2 && shift ;;
		--inner) inner "$2" && return ;;
		*) bench_die "unknown argument $1 (usage: bench.sh [--smoke] [--no-vm] [--configs LIST] [--out DIR])" ;;
		esac
		shift
	done
	((EUID == 0)) || bench_die "needs root (namespaces, mounts, cgroups)"
	export BUILDDIR=${BUILDDIR:-$REPO/build-bench} ROUNDS=${ROUNDS:-100} \
		DENSITY_SIZES=${DENSITY_SIZES:-100 500 1000} FREEZE_SIZES=${FREEZE_SIZES:-1 10 100} \
		FREEZE_ROUNDS=${FREEZE_ROUNDS:-30} SYS_ITER=${SYS_ITER:-50000} SYS_ROUNDS=${SYS_ROUNDS:-3} \
		SYS_PASSES=${SYS_PASSES:-3} HOST_ROUNDS=${HOST_ROUNDS:-50} \
		CONC_SIZES=${CONC_SIZES:-2 8 32} CONC_ROUNDS=${CONC_ROUNDS:-10} SCALE_N=${SCALE_N:-1000} \
		SCALE_RUNTIMES=${SCALE_RUNTIMES:-vessel}
	VM_ROUNDS=${VM_ROUNDS:-5} VM_DENSITY_SIZES=${VM_DENSITY_SIZES:-5 10} \
		VM_FREEZE_ROUNDS=${VM_FREEZE_ROUNDS:-2} VM_SYS_ITER=${VM_SYS_ITER:-2000} VM_SCALE_N=${VM_SCALE_N:-20}
	if ((SMOKE)); then
		ROUNDS=1 HOST_ROUNDS=1 DENSITY_SIZES="2 3" FREEZE_SIZES="1 3" FREEZE_ROUNDS=1 SYS_ITER=400 \
			SYS_ROUNDS=1 SYS_PASSES=1 CONC_SIZES=2 CONC_ROUNDS=1 SCALE_N=3
	fi
	OUT=${OUT:-$REPO/bench/results/$(date -u +%Y-%m-%d)}
	install_deps
	build
	export VESSEL TIMER FLOOR SYSOPS TEARDOWN
	export DATA=$OUT/raw
	rm -rf "$DATA"
	mkdir -p "$DATA"
	prepare_work
	export WORK
	trap 'cleanup_containers; rm -rf "$WORK" ${STATE_TMPFS:+"$STATE_TMPFS"}' EXIT
	trap 'exit 130' INT TERM HUP
	probe_runtimes
	export RUNTIMES_LIST
	describe_machine
	local start=$SECONDS
	# Host defaults: crun cannot run here, and a runtime without a cgroup
	# would not compare, so only vessel and runc.
	[[ " $CONFIGS " == *" host "* ]] && RUNTIMES_LIST=${RUNTIMES_LIST/ crun/} ROUNDS=$HOST_ROUNDS PHASES="lifecycle exec" inner host
	[[ " $CONFIGS " == *" cg2ns "* ]] &&
		PHASES=${CG2NS_PHASES:-lifecycle teardown exec freeze sysops density concurrency scale} unshare -m --propagation private "$SELF" --inner cg2ns
	((VM)) && [[ " $CONFIGS " == *" vm "* ]] && PHASES=${VM_PHASES:-lifecycle exec freeze sysops density scale} run_vm
	if ((VM)) && [[ ${BENCH_MIGRATE:-0} == 1 ]]; then
		"$REPO/bench/migrate/migrate.sh" --out "$OUT/migrate" || bench_warn "bench/migrate/migrate.sh failed"
	fi
	echo "measuring time: $((SECONDS - start)) s" >>"$DATA/machine.txt"
	python3 "$REPO/bench/report.py" "$OUT" || bench_die "report.py failed"
	bench_log "report: $OUT/report.md ($((SECONDS - start)) s)"
}

main "$@"
