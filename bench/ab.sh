#!/bin/bash
# bench/ab.sh: an interleaved before/after of vessel binaries on `run` and
# `exec`, the driver behind bench/NOTES.md's per-change tables.
#
#   bench/ab.sh [-2] [-t] [-n ROUNDS] [-o DIR] [-b BUNDLE] NAME=SPEC...
#
# SPEC is a vessel binary (or another runtime with runc's CLI, with its
# global options after a colon: crun=crun:--cgroup-manager=disabled),
# optionally followed by @VAR=VALUE,... set in its environment (e.g.
# base=/tmp/base/vessel weak=build-weak/vessel@VESSEL_TEST_WEAKEN=exe),
# or floor:ARGS for bench-floor (run only; e.g. floor=floor:--seccomp=cached
# bare=floor:--bare; --seccomp=cached loads the program the first vessel
# binary cached, from the second round on).
# -t: the --root of every binary on a tmpfs (/dev/shm), as /run is where
# runtimes are deployed; without it they are under DIR (here: ext4 without a
# journal, where every new inode costs a scan past recently freed ones).
# -2: run in a private mount namespace whose /sys/fs/cgroup is cgroup2, as
# bench.sh's config cg2ns (the floor's cgroup work is cgroup2 only; on this
# hybrid host vessel would also make and mount the v1 hierarchies).
# Each round runs every (NAME, op) once, in an order rotated round by round,
# so a burst of load from other tenants hits all of them alike:
#   run    `vessel run` of /bin/true (the busybox bundle of make images,
#          default seccomp profile, cache warm after the first round)
#   exec   `vessel exec CTR /bin/true` into a `sleep` container of that binary
# Every command goes through bench-timer -c (wall, peak RSS, user+sys CPU of
# the command and what it reaped).  Raw lines go to DIR/ab.tsv
# (NAME OP ROUND WALL_NS MAXRSS_KB STATUS CPU_NS); the summary (medians,
# p10-p90, ratios to the first NAME) to stdout.  Each binary gets its own
# --root under DIR.  Needs root, build/images (make images) and python3.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILDDIR=${BUILDDIR:-$REPO/build}
ROUNDS=50 OUT="" BUNDLE_SRC=$BUILDDIR/images/busybox CG2NS=0 TMPFS=0
OPS=${OPS:-run exec}
while getopts 2tn:o:b: opt; do
	case $opt in
	2) CG2NS=1 ;;
	t) TMPFS=1 ;;
	n) ROUNDS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	b) BUNDLE_SRC=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
(($#)) || {
	echo "usage: bench/ab.sh [-2] [-t] [-n ROUNDS] [-o DIR] [-b BUNDLE] NAME=SPEC..." >&2
	exit 2
}
OUT=${OUT:-$(mktemp -d /tmp/vessel-ab.XXXXXX)}
if ((CG2NS)) && [[ -z ${AB_CG2NS:-} ]]; then
	exec unshare -m --propagation private env AB_CG2NS=1 AB_TMPFS=$TMPFS "$0" -n "$ROUNDS" -o "$OUT" -b "$BUNDLE_SRC" "$@"
fi
if [[ -n ${AB_CG2NS:-} ]]; then
	umount -l /sys/fs/cgroup
	mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
fi
mkdir -p "$OUT/bin"
if ((TMPFS || ${AB_TMPFS:-0})) && [[ ! -e $OUT/state ]]; then
	ln -s "$(mktemp -d /dev/shm/vessel-ab-state.XXXXXX)" "$OUT/state"
fi
cc -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$OUT/bin/bench-timer" "$REPO/bench/timer.c"
cc -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$OUT/bin/bench-floor" "$REPO/bench/floor.c"
TIMER=$OUT/bin/bench-timer FLOOR=$OUT/bin/bench-floor

# One rootfs, two bundles (absolute root.path, so any cwd works; ociVersion
# 1.0.2 because crun 1.8 refuses 1.2.0, as in bench.sh).
rm -rf "$OUT/rootfs" && cp -a "$BUNDLE_SRC/rootfs" "$OUT/rootfs"
for b in true sleep; do
	mkdir -p "$OUT/b-$b"
	args='["/bin/true"]'
	[[ $b == sleep ]] && args='["sleep", "1000000"]'
	jq --arg root "$OUT/rootfs" --argjson args "$args" \
		'.root.path = $root | .process.args = $args | .process.terminal = false | .ociVersion = "1.0.2"' \
		"$BUNDLE_SRC/config.json" >"$OUT/b-$b/config.json"
done

declare -A BIN ENVS
NAMES=()
for spec in "$@"; do
	name=${spec%%=*} rest=${spec#*=}
	NAMES+=("$name")
	BIN[$name]=${rest%%@*}
	ENVS[$name]=""
	[[ $rest == *@* ]] && ENVS[$name]=${rest#*@}
done

# timed NAME OP ROUND CMD...: one line of ab.tsv.  env(1) is not in the
# timed interval: bench-timer execs CMD with the environment it inherited.
timed() {
	local name=$1 op=$2 round=$3 line envs=()
	shift 3
	IFS=, read -r -a envs <<<"${ENVS[$name]}"
	line=$(env "${envs[@]}" "$TIMER" -q -c "$@") || true
	printf '%s\t%s\t%s\t%s\n' "$name" "$op" "$round" "${line// /$'\t'}" >>"$OUT/ab.tsv"
}

# rt_argv NAME: RT=(BINARY [GLOBAL-OPTIONS] --root DIR).
rt_argv() {
	local extra=()
	[[ ${BIN[$1]} == *:* ]] && read -r -a extra <<<"${BIN[$1]#*:}"
	RT=("${BIN[$1]%%:*}" "${extra[@]}" --root "$OUT/state/$1")
}

# vsl NAME: VSL=(env VARS... BINARY ... --root DIR) for untimed commands.
vsl() {
	local envs=()
	IFS=, read -r -a envs <<<"${ENVS[$1]}"
	rt_argv "$1"
	VSL=(env "${envs[@]}" "${RT[@]}")
}

cleanup() {
	local n
	for n in "${NAMES[@]}"; do
		[[ ${BIN[$n]} == floor:* ]] && continue
		vsl "$n"
		"${VSL[@]}" delete -f "ab-x-$n" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT

: >"$OUT/ab.tsv"
for n in "${NAMES[@]}"; do
	[[ ${BIN[$n]} == floor:* ]] && continue
	vsl "$n"
	"${VSL[@]}" run -d --bundle "$OUT/b-sleep" "ab-x-$n" </dev/null >/dev/null
done
for ((r = 1; r <= ROUNDS; r++)); do
	k=$((r % ${#NAMES[@]}))
	order=("${NAMES[@]:k}" "${NAMES[@]:0:k}")
	for n in "${order[@]}"; do
		if [[ ${BIN[$n]} == floor:* ]]; then
			read -r -a fargs <<<"${BIN[$n]#floor:}"
			sc=("$OUT/state/${NAMES[0]}"/@cache/seccomp/*.bpf)
			for i in "${!fargs[@]}"; do
				[[ ${fargs[i]} == --seccomp=cached ]] || continue
				fargs[i]=--seccomp
				[[ -f ${sc[0]} ]] && fargs[i]="--seccomp ${sc[0]}" || fargs[i]=""
			done
			read -r -a fargs <<<"${fargs[*]}"
			timed "$n" run "$r" "$FLOOR" "${fargs[@]}" "$OUT/rootfs" /bin/true
			continue
		fi
		rt_argv "$n"
		for op in $OPS; do
			case $op in
			run) timed "$n" run "$r" "${RT[@]}" run --bundle "$OUT/b-true" "ab-r-$n-$r" ;;
			exec) timed "$n" exec "$r" "${RT[@]}" exec "ab-x-$n" /bin/true ;;
			esac
		done
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); raw: $OUT/ab.tsv"
python3 - "$OUT/ab.tsv" "${NAMES[@]}" <<'EOF'
import statistics as st, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
names = sys.argv[2:]
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]
print("| name | op | n | wall ms median (p10-p90) | CPU ms median | CPU vs %s | peak RSS KB median |" % names[0])
print("|---|---|---|---|---|---|---|")
base = {}
for op in ("run", "exec"):
    for n in names:
        ok = [r for r in rows if r[0] == n and r[1] == op and r[5] == "0"]
        bad = sum(1 for r in rows if r[0] == n and r[1] == op and r[5] != "0")
        if not ok:
            continue
        w = [int(r[3]) / 1e6 for r in ok]
        c = [int(r[6]) / 1e6 for r in ok]
        m = [int(r[4]) for r in ok]
        cm = st.median(c)
        base.setdefault(op, cm)
        print(f"| {n} | {op} | {len(ok)}{' (%d failed)' % bad if bad else ''} | "
              f"{st.median(w):.2f} ({q(w, .1):.2f}-{q(w, .9):.2f}) | {cm:.2f} | "
              f"{(cm / base[op] - 1) * 100:+.1f}% | {st.median(m):.0f} |")
EOF
