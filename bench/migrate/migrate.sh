#!/bin/bash
# bench/migrate/migrate.sh: live migration of a vessel container, measured
# (issue 17).  A container whose process (bench/migrate/dirtier.c) holds
# M MiB and dirties R MiB/s of it is moved from one vessel --root to
# another:
#   stop-copy  one checkpoint (frozen from its start), images copied to the
#              destination, restore under the other --root
#   pre-copy   PRE_ROUNDS `checkpoint --pre-dump` rounds, each chained to the
#              last with --parent-path and copied while the container runs,
#              then the final dump (only pages dirtied since), copy, restore
#   lazy       post-copy: `checkpoint --lazy-pages --page-server --status-fd`
#              dumps everything but the memory and serves the pages; the
#              images copied, criu's lazy-pages daemon at the destination,
#              `restore --lazy-pages` runs the process at once, its pages
#              pulled from the source on fault (userfaultfd) or in the
#              background; done when the checkpoint ends (every page sent)
#   pre-copy-nothp, stop-copy-nothp
#              the same with the dirtier's memory under MADV_NOHUGEPAGE
# For each: total time, downtime (the dirtier's own view: its last tick
# before the freeze to its first tick after the restore), and the pages
# each round wrote (pages-*.img, criu's stats-dump); MIG_REPEATS runs of
# each (report.py: medians and spread).
#
#   bench/migrate/migrate.sh [--smoke] [--no-vm] [--out DIR]
#
# criu fails on the host's kernel, so the measuring part (--inner) runs in
# the cgroup v2 VM (tests/vm/vm, TCG: absolute times are inflated many
# times; compare ratios).  --no-vm runs it here (where criu works).
# --smoke: one small size, one rate, stop-copy and pre-copy only, once.
# Knobs: MIG_POINTS (MiB:MiB/s pairs, "64:1 64:8 16:1 256:1 64:0": the size
# at one rate, the rate at one size; the full grid is too slow under TCG),
# MIG_METHODS ("stop-copy pre-copy lazy pre-copy-nothp"; -nothp: the
# dirtier's memory without transparent huge pages), PRE_ROUNDS (2), WARMUP
# (1 s), MIG_REPEATS (3: runs per point and method, interleaved so that a
# load change hits every method alike), MIG_APPEND=1 (add this run's data to DIR's instead of replacing it).
# Writes DIR/raw/{runs,rounds,stats}.tsv (each line ends with its run's
# repeat number) and, by report.py, DIR/migrate.md and
# DIR/migrate.svg (default DIR: bench/results/migrate).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SELF=$REPO/bench/migrate/migrate.sh

# The modules criu probes for (as tests/criu/checkpoint.bats loads them).
CRIU_MODULES="crc32c_generic libcrc32c nf_tables nft_compat nf_conntrack nf_conntrack_netlink
	unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag tun veth xt_mark ip_tables
	iptable_filter"

log() { echo "migrate: [$(date -u +%H:%M:%S)] $*" >&2; }
die() {
	echo "migrate: $*" >&2
	exit 1
}

now() { "$DIRTIER" --now; }

# wait_for FILE REGEX [SECS]: until a line of FILE matches (awk), printed.
# In $(...) its die ends only the substitution: callers add `|| exit 1`.
wait_for() {
	local f=$1 re=$2 secs=${3:-300} i line
	for ((i = 0; i < secs * 10; i++)); do
		line=$(awk "$re { print; exit }" "$f" 2>/dev/null)
		[[ -n $line ]] && echo "$line" && return 0
		sleep 0.1
	done
	die "timed out waiting for '$re' in $f: $(tail -n 5 "$f" 2>/dev/null)"
}

# pages_of DIR: bytes of page data the dump in DIR wrote itself.
pages_of() {
	local s
	s=$(find "$1" -maxdepth 1 -name 'pages-*.img' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
	echo $((s / 4096))
}

# keep_stats DIR NAME: criu's stats of the dump (and restore) in DIR, kept
# as DATA/stats/NAME.{dump,restore} and decoded all at once at the end
# (decode_stats): one python start under TCG costs seconds.
keep_stats() {
	mkdir -p "$DATA/stats"
	[[ -s $1/stats-dump ]] && cp "$1/stats-dump" "$DATA/stats/$2.dump"
	[[ -s $1/stats-restore ]] && cp "$1/stats-restore" "$DATA/stats/$2.restore"
	return 0
}

# decode_stats: DATA/stats.tsv, one line per stats file: NAME KIND FIELD=VALUE...
decode_stats() {
	[[ -d $DATA/stats ]] || return 0
	python3 - "$DATA/stats" >"$DATA/stats.tsv" <<'PY' || log "decoding criu's stats failed"
import os, sys
sys.path.insert(0, "/usr/lib/python3/dist-packages")
from pycriu import images
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    with open(os.path.join(d, name), "rb") as f:
        img = images.load(f)
    for kind, entry in img["entries"][0].items():
        print("\t".join([name.rsplit(".", 1)[0], kind] + [f"{k}={v}" for k, v in entry.items()]))
PY
	rm -rf "$DATA/stats"
}

# round METHOD M R NAME DIR SECS: one line of rounds.tsv (run $REP);
# criu's stats of the round are kept as METHOD-M-R-NAME-rREP.
round() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$6" "$(pages_of "$5")" "$REP" \
		>>"$DATA/rounds.tsv"
	keep_stats "$5" "$1-$2-$3-$4-r$REP"
}

# run_line METHOD M R TOTAL DOWNTIME DUMP COPY RESTORE RESUME FETCH: one
# line of runs.tsv (run $REP).
run_line() {
	local IFS=$'\t'
	echo "$*"$'\t'"$REP" >>"$DATA/runs.tsv"
}

# keep_logs STATUS DIR...: after a failed run, criu's logs in DIRs go to DATA/logs.
keep_logs() {
	local st=$1 d f
	shift
	((st)) || return 0
	mkdir -p "$DATA/logs"
	for d in "$@"; do
		for f in "$d"/*.log "$d"/*/*.log; do
			[[ -f $f ]] && cp "$f" "$DATA/logs/$(basename "$d")-$(basename "$(dirname "$f")")-${f##*/}"
		done
	done
	return 0
}

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# copy SRC DST: the "network" of this one-machine migration: the images
# cross to the destination's directory (tmpfs to tmpfs).
copy() {
	mkdir -p "$(dirname "$2")"
	cp -a "$1" "$2"
}

# make_bundle M R [nothp]
make_bundle() {
	mkdir -p "$WORK/b"
	# the file before --args: every word after it is a positional argument
	jq --arg root "$WORK/rootfs" '.root.path = $root | .process.terminal = false |
		.process.args = ["/bin/dirtier", $ARGS.positional[]]' \
		"$BUILDDIR/images/busybox/config.json" --args "$@" >"$WORK/b/config.json"
}

# container METHOD M R: stop-copy or pre-copy of one container; METHOD
# -nothp: the dirtier's memory without transparent huge pages.
container() {
	local method=$1 m=$2 r=$3 k parent=() t0 t1 t2 t3 t4 gap
	# not local: the EXIT trap reads them.  It runs in a subshell of its
	# own (inner): on any way out, the container goes.
	id=mig-$1-$2-$3-$REP-$$ img=$WORK/src-img/mig-$1-$2-$3 dimg=$WORK/dst-img/mig-$1-$2-$3 out=$WORK/mig-$1-$2-$3.log
	vs=("$VESSEL" --root "$WORK/src") vd=("$VESSEL" --root "$WORK/dst")
	trap 'keep_logs $? "$img" "$dimg"; "${vs[@]}" delete -f "$id" >/dev/null 2>&1
		"${vd[@]}" delete -f "$id" >/dev/null 2>&1; cat "$out" >>"$DATA/dirtier.log"; rm -rf "$img" "$dimg" "$out"' EXIT
	if [[ $method == *-nothp ]]; then make_bundle "$m" "$r" nothp; else make_bundle "$m" "$r"; fi
	mkdir -p "$img" "$dimg"
	"${vs[@]}" run -d --bundle "$WORK/b" "$id" >>"$out" 2>&1 </dev/null || die "run: $(tail -n 3 "$out")"
	wait_for "$out" '/^ready /' >/dev/null
	sleep "$WARMUP"
	t0=$(now)
	if [[ $method == pre-copy* ]]; then
		for ((k = 1; k <= PRE_ROUNDS; k++)); do
			t1=$(now)
			"${vs[@]}" checkpoint --pre-dump --image-path "$img/pre$k" "${parent[@]}" "$id" >>"$out" 2>&1 ||
				die "pre-dump $k: $(tail -n 3 "$out")"
			copy "$img/pre$k" "$dimg/pre$k"
			round "$method" "$m" "$r" "pre$k" "$img/pre$k" "$(secs "$t1" "$(now)")"
			parent=(--parent-path "../pre$k")
		done
	fi
	t1=$(now)
	"${vs[@]}" checkpoint --image-path "$img/final" "${parent[@]}" "$id" >>"$out" 2>&1 ||
		die "dump: $(tail -n 3 "$out")"
	t2=$(now)
	copy "$img/final" "$dimg/final"
	t3=$(now)
	"${vd[@]}" restore -d --image-path "$dimg/final" --bundle "$WORK/b" "$id" >>"$out" 2>&1 </dev/null ||
		die "restore: $(tail -n 3 "$out")"
	t4=$(now)
	# the freeze that spans the final dump, as the dirtier saw it
	gap=$(wait_for "$out" "/^gap / && \$2 <= $t2 && \$3 >= $t2") || exit 1
	round "$method" "$m" "$r" final "$img/final" "$(secs "$t1" "$t2")"
	read -r _ g0 g1 _ <<<"$gap"
	run_line "$method" "$m" "$r" "$(secs "$t0" "$g1")" "$(secs "$g0" "$g1")" "$(secs "$t1" "$t2")" \
		"$(secs "$t2" "$t3")" "$(secs "$t3" "$t4")" "$(secs "$t4" "$g1")" -
	keep_stats "$dimg/final" "$method-$m-$r-final-r$REP"
	# criu's logs of the final round, for where the downtime goes (NOTES.md)
	mkdir -p "$DATA/logs"
	cp "$img/final/dump.log" "$DATA/logs/$method-$m-$r-r$REP-dump.log" 2>/dev/null || true
	cp "$dimg/final/restore.log" "$DATA/logs/$method-$m-$r-r$REP-restore.log" 2>/dev/null || true
}

# lazy M R: post-copy through vessel.  The checkpoint dumps everything but
# the memory, says so on --status-fd ('\0') and then serves the pages from
# its page server until the last one has gone; at the destination criu's
# lazy-pages daemon fetches them for `vessel restore --lazy-pages`, whose
# process runs at once and faults its pages in (userfaultfd) while the
# daemon also pulls the rest in the background.  Total time: until the
# checkpoint ends (every page sent).
lazy() {
	local m=$1 r=$2 t0 t1 t2 t3 t4 t5 gap port=$((27100 + RANDOM % 800)) i
	# not local: the EXIT trap reads them.  It runs in a subshell of its
	# own (inner): on any way out, its containers and processes go.
	# The source lives on until its last page is sent, the restored one
	# already runs: two containers at once, on one machine, whose default
	# cgroups (vessel/ID) would be the same for the same id.
	id=lazy-$1-$2-$REP-$$ did=lazy-$1-$2-$REP-$$-dst img=$WORK/src-img/lazy-$1-$2 dimg=$WORK/dst-img/lazy-$1-$2
	out=$WORK/lazy-$1-$2.log fifo=$WORK/lazy-$1-$2.status dpid="" lpid=""
	vs=("$VESSEL" --root "$WORK/src") vd=("$VESSEL" --root "$WORK/dst")
	# (errexit holds in the trap: a kill of what already ended must not
	# turn a good run into a failed one)
	trap 'keep_logs $? "$img" "$dimg"; kill $dpid $lpid 2>/dev/null || true; "${vs[@]}" delete -f "$id" >/dev/null 2>&1
		"${vd[@]}" delete -f "$did" >/dev/null 2>&1; cat "$out" >>"$DATA/dirtier.log"; rm -rf "$img" "$dimg" "$out" "$fifo"' EXIT
	make_bundle "$m" "$r"
	mkdir -p "$img" "$dimg"
	"${vs[@]}" run -d --bundle "$WORK/b" "$id" >>"$out" 2>&1 </dev/null || die "run: $(tail -n 3 "$out")"
	wait_for "$out" '/^ready /' >/dev/null
	sleep "$WARMUP"
	mkfifo "$fifo"
	t0=$(now)
	# every step bounded: a stuck post-copy must not hold the sweep
	timeout 300 "${vs[@]}" checkpoint --lazy-pages --page-server "127.0.0.1:$port" --status-fd 9 \
		--image-path "$img/final" "$id" 9>"$fifo" >>"$out" 2>&1 &
	dpid=$!
	# one byte when the dump is ready to serve; none when it failed
	[[ $(timeout 120 head -c1 "$fifo" | wc -c) -eq 1 ]] || die "lazy dump failed: $(tail -n 3 "$out")"
	t1=$(now)
	copy "$img/final" "$dimg/final"
	t2=$(now)
	timeout 300 criu lazy-pages --page-server --address 127.0.0.1 --port "$port" -D "$dimg/final" \
		-o lazy.log -v4 &
	lpid=$!
	for ((i = 0; i < 600; i++)); do
		[[ -S $dimg/final/lazy-pages.socket ]] && break
		sleep 0.1
	done
	[[ -S $dimg/final/lazy-pages.socket ]] || die "criu lazy-pages did not start (its lazy.log)"
	t3=$(now)
	"${vd[@]}" restore -d --lazy-pages --image-path "$dimg/final" --bundle "$WORK/b" "$did" \
		>>"$out" 2>&1 </dev/null || die "restore: $(tail -n 3 "$out")"
	t4=$(now)
	gap=$(wait_for "$out" "/^gap / && \$2 <= $t1 && \$3 >= $t1" 120) || exit 1
	wait "$lpid" || log "lazy-pages daemon: status $?"
	wait "$dpid" || die "lazy checkpoint: status $?: $(tail -n 3 "$out")"
	t5=$(now)
	# the dump's stats are written when its last page has gone
	if [[ -s $dimg/final/stats-restore ]]; then cp "$dimg/final/stats-restore" "$img/final/"; fi
	round lazy "$m" "$r" final "$img/final" "$(secs "$t0" "$t1")"
	read -r _ g0 g1 _ <<<"$gap"
	run_line lazy "$m" "$r" "$(secs "$t0" "$t5")" "$(secs "$g0" "$g1")" "$(secs "$t0" "$t1")" \
		"$(secs "$t1" "$t2")" "$(secs "$t3" "$t4")" "$(secs "$t4" "$g1")" "$(secs "$t4" "$t5")"
	mkdir -p "$DATA/logs"
	cp "$img/final/dump.log" "$DATA/logs/lazy-$m-$r-r$REP-dump.log" 2>/dev/null || true
	cp "$dimg/final/restore.log" "$DATA/logs/lazy-$m-$r-r$REP-restore.log" 2>/dev/null || true
}

# --inner: the measuring part (in the VM, or here with --no-vm).
inner() {
	local p m r method
	if [[ -d /lib/modules/$(uname -r) ]]; then
		for m in $CRIU_MODULES; do
			busybox modprobe "$m" 2>/dev/null || modprobe "$m" 2>/dev/null || true
		done
	fi
	# The guest's writes vanish at poweroff, but for VM_OUT's (tests/vm/vm -o),
	# copied out even when the run fails or times out.
	if ((VM)); then DATA=$VM_OUT; fi
	criu check >/dev/null 2>&1 || die "criu does not work on this kernel: $(criu check 2>&1 | tail -n 1)"
	mkdir -p "$DATA"
	WORK=$(mktemp -d /tmp/vessel-migrate.XXXXXX)
	trap 'for s in src dst; do for id in $("$VESSEL" --root "$WORK/$s" list -q 2>/dev/null); do
		"$VESSEL" --root "$WORK/$s" delete -f "$id" >/dev/null 2>&1; done; done; rm -rf "$WORK"' EXIT
	cp -a "$BUILDDIR/images/busybox/rootfs" "$WORK/rootfs"
	install -m 0755 "$DIRTIER" "$WORK/rootfs/bin/dirtier"
	echo "guest: kernel $(uname -r), $(nproc) vCPUs, $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
		"criu $(criu --version | awk '/Version/ { print $2 }'), pre-dump rounds $PRE_ROUNDS, warm-up $WARMUP s," \
		"$MIG_REPEATS runs per point and method, load before: $(cut -d' ' -f1-3 /proc/loadavg)" \
		>"$DATA/machine.txt"
	local start=$SECONDS
	# point by point, the methods interleaved within each repeat (a run
	# cut short still compares the methods; a load change hits them alike)
	for p in $MIG_POINTS; do
		m=${p%:*} r=${p#*:}
		for ((REP = 1; REP <= MIG_REPEATS; REP++)); do
		for method in $MIG_METHODS; do
			[[ $method != lazy || ! -e $WORK/lazy-failed ]] || continue
			log "$method: $m MiB, $r MiB/s, run $REP"
			# a subshell each: a failed run is noted, the sweep goes on
			case $method in
			stop-copy | pre-copy | stop-copy-nothp | pre-copy-nothp) (container "$method" "$m" "$r") ;;
			lazy) (lazy "$m" "$r") ;;
			*) die "unknown method $method" ;;
			esac || {
				echo "$method $m MiB $r MiB/s failed" >>"$DATA/failures.txt"
				# one failed post-copy says enough (each may wait minutes)
				[[ $method != lazy ]] || touch "$WORK/lazy-failed"
			}
		done
		done
	done
	echo "measuring time: $((SECONDS - start)) s" >>"$DATA/machine.txt"
	decode_stats
}

main() {
	local smoke=0 out=""
	VM=1
	while (($#)); do
		case $1 in
		--smoke) smoke=1 ;;
		--no-vm) VM=0 ;;
		--out) out=$2 && shift ;;
		--inner) inner && return ;;
		*) die "unknown argument $1 (usage: migrate.sh [--smoke] [--no-vm] [--out DIR])" ;;
		esac
		shift
	done
	((EUID == 0)) || die "needs root"
	for c in criu crit jq; do
		command -v "$c" >/dev/null || die "needs $c (scripts/install-deps)"
	done
	export BUILDDIR=${BUILDDIR:-$REPO/build-bench} MIG_POINTS=${MIG_POINTS:-64:1 64:8 16:1 256:1 64:0} \
		MIG_METHODS=${MIG_METHODS:-stop-copy pre-copy lazy pre-copy-nothp} \
		PRE_ROUNDS=${PRE_ROUNDS:-2} WARMUP=${WARMUP:-1} MIG_REPEATS=${MIG_REPEATS:-3}
	((smoke)) && MIG_POINTS=8:4 MIG_METHODS="stop-copy pre-copy" PRE_ROUNDS=1 MIG_REPEATS=1
	out=${out:-$REPO/bench/results/migrate}
	if [[ -z ${VESSEL:-} ]]; then
		make -s -C "$REPO" BUILDDIR="$BUILDDIR" "$BUILDDIR/vessel" >&2 || die "building vessel failed"
		VESSEL=$BUILDDIR/vessel
	fi
	VESSEL=$VESSEL "$REPO/images/build-busybox-image.sh" "$BUILDDIR/images" >/dev/null ||
		die "building the busybox image failed"
	mkdir -p "$BUILDDIR/bench"
	DIRTIER=$BUILDDIR/bench/dirtier
	cc -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -static -o "$DIRTIER" "$REPO/bench/migrate/dirtier.c"
	export VESSEL DIRTIER VM DATA=$out/raw
	local keep=$out/raw
	if [[ ${MIG_APPEND:-0} == 1 ]]; then DATA=$out/raw.new; fi
	rm -rf "$DATA"
	mkdir -p "$DATA"
	if ((VM)); then
		log "booting the cgroup v2 VM (TCG: expect ~15 min for the default sweep)"
		local binds=(-b "$BUILDDIR") rc=0
		[[ $(dirname "$VESSEL") == "$BUILDDIR" ]] || binds+=(-b "$(dirname "$VESSEL")")
		"$REPO/tests/vm/vm" -C "$REPO" "${binds[@]}" -t "${VM_TIMEOUT:-2400}" -m 4G -o "$DATA" \
			-e "VESSEL=$VESSEL" -e "BUILDDIR=$BUILDDIR" -e "DIRTIER=$DIRTIER" \
			-e "VM=1" -e "MIG_POINTS=$MIG_POINTS" -e "MIG_METHODS=$MIG_METHODS" \
			-e "PRE_ROUNDS=$PRE_ROUNDS" -e "WARMUP=$WARMUP" -e "MIG_REPEATS=$MIG_REPEATS" \
			-- bench/migrate/migrate.sh --inner >&2 || rc=$?
		# -o copied out what the guest wrote, however the run ended
		((rc == 0)) || log "the VM run ended with status $rc: reporting what it measured"
		# the stats of a run cut short are still undecoded
		decode_stats
	else
		"$SELF" --inner
	fi
	if [[ $DATA != "$keep" ]]; then
		local f
		mkdir -p "$keep/logs"
		for f in runs.tsv rounds.tsv stats.tsv dirtier.log failures.txt; do
			[[ -f $DATA/$f ]] && cat "$DATA/$f" >>"$keep/$f"
		done
		cat "$DATA/machine.txt" >>"$keep/machine.txt"
		cp -r "$DATA/logs/." "$keep/logs/" 2>/dev/null || true
		rm -rf "$DATA"
	fi
	python3 "$REPO/bench/migrate/report.py" "$out" || die "report.py failed"
	log "report: $out/migrate.md"
}

main "$@"
