#!/bin/bash
# Per-syscall overhead of vessel's default seccomp profile.
#
#   bench/seccomp/run.sh [--smoke] [ITERATIONS [ROUNDS [REPEAT]]]
#
# Runs tests/helpers/sysbench (getpid, getppid, 1-byte read, fstat,
# openat+close; best of ROUNDS rounds of ITERATIONS calls) three ways: on the
# bare host, in a vessel container without linux.seccomp, and in one with the
# default profile (runtime/seccomp/default-profile.json, what `vessel spec`
# writes), then prints ns per call and the ratios.  The three are run in
# turn REPEAT times (default 3) and each keeps its best value, so a burst of
# load from elsewhere hits all of them alike.  --smoke does one short round
# (make check runs it through tests/integration/seccomp.bats).
#
# Environment: VESSEL (default <repo>/build/vessel), BUILDDIR (default the
# directory of $VESSEL); needs $BUILDDIR/images/busybox and
# $BUILDDIR/helpers/sysbench (make images helpers).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VESSEL=${VESSEL:-$REPO/build/vessel}
BUILDDIR=${BUILDDIR:-$(dirname "$VESSEL")}
[[ $BUILDDIR == "$REPO" ]] && BUILDDIR=$REPO/build
IMAGE=$BUILDDIR/images/busybox
SYSBENCH=$BUILDDIR/helpers/sysbench

iterations=200000 rounds=5 repeat=3
if [[ ${1:-} == --smoke ]]; then
	iterations=2000 rounds=1 repeat=1
	shift
fi
iterations=${1:-$iterations}
rounds=${2:-$rounds}
repeat=${3:-$repeat}

die() {
	echo "bench/seccomp: $*" >&2
	exit 1
}
[[ -x $VESSEL ]] || die "no vessel binary at $VESSEL"
[[ -f $IMAGE/config.json ]] || die "no test image at $IMAGE (make BUILDDIR=$BUILDDIR images)"
[[ -x $SYSBENCH ]] || die "no $SYSBENCH (make BUILDDIR=$BUILDDIR helpers)"
command -v jq >/dev/null || die "needs jq"

work=$(mktemp -d /tmp/vessel-bench-seccomp.XXXXXX)
ids=()
cleanup() {
	local id
	for id in "${ids[@]}"; do
		"$VESSEL" --root "$work/state" delete --force "$id" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/state" "$work/bundle"
cp -a "$IMAGE/rootfs" "$work/bundle/rootfs"
install -D -m 0755 "$SYSBENCH" "$work/bundle/rootfs/usr/bin/sysbench"

# The profile as data, turned into linux.seccomp for this machine: the
# archMap entry of the host's architecture becomes `architectures`.
case $(uname -m) in
x86_64) native=SCMP_ARCH_X86_64 ;;
aarch64) native=SCMP_ARCH_AARCH64 ;;
*) native="" ;;
esac
jq --arg native "$native" '
	{defaultAction, defaultErrnoRet,
	 architectures: [.archMap[] | select(.architecture == $native) |
			 .architecture, .subArchitectures[]],
	 syscalls: [.syscalls[] | del(._comment)]}' \
	"$REPO/runtime/seccomp/default-profile.json" >"$work/profile.json"

# config.json for one variant: $1 = none|default.
make_config() {
	jq --argjson n "$iterations" --argjson r "$rounds" --slurpfile p "$work/profile.json" \
		--arg variant "$1" '
		.process.args = ["/usr/bin/sysbench", ($n | tostring), ($r | tostring)] |
		.process.terminal = false |
		if $variant == "default" then .linux.seccomp = $p[0] else del(.linux.seccomp) end' \
		"$IMAGE/config.json" >"$work/bundle/config.json"
}

run_container() {
	local id=bench-sc-$1-$$-$2
	ids+=("$id")
	make_config "$1"
	"$VESSEL" --root "$work/state" run --bundle "$work/bundle" "$id" </dev/null ||
		die "vessel run ($1) failed"
}

for ((r = 0; r < repeat; r++)); do
	"$SYSBENCH" "$iterations" "$rounds" >>"$work/host.all" || die "sysbench on the host failed"
	run_container none "$r" >>"$work/none.all"
	run_container default "$r" >>"$work/default.all"
done
for v in host none default; do
	awk '!($1 in m) || $2 < m[$1] { m[$1] = $2 } END { for (k in m) print k, m[k] }' \
		"$work/$v.all" >"$work/$v.txt"
done

echo "seccomp overhead: $iterations calls x $rounds rounds x $repeat runs, best, ns/call"
echo "default profile: $(jq '[.syscalls[].names | length] | add' "$work/profile.json") syscall names, arch $native"
join <(sort "$work/host.txt") <(sort "$work/none.txt") | join - <(sort "$work/default.txt") |
	awk '
	BEGIN { printf "%-14s %9s %9s %9s %9s %11s %11s\n", "op", "host", "nosec", "default",
		"+ns", "def/nosec", "def/host" }
	NF == 4 {
		n++
		printf "%-14s %9.1f %9.1f %9.1f %9.1f %10.2fx %10.2fx\n", $1, $2, $3, $4,
			$4 - $3, $4 / $3, $4 / $2
		if ($3 > 0) { ls += log($4 / $3); lh += log($4 / $2) }
	}
	END {
		if (n != 5) { print "bench/seccomp: expected 5 operations, got " n > "/dev/stderr"; exit 1 }
		printf "geometric mean ratio: default/nosec %.2fx, default/host %.2fx\n",
			exp(ls / n), exp(lh / n)
	}'
