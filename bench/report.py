#!/usr/bin/env python3
"""bench/report.py OUT: turn OUT/raw (written by bench/bench.sh) into
OUT/report.md and OUT/*.svg (gnuplot, when installed).

Every figure is computed here from the raw lines; nothing is typed in.
Latencies: median with p10 and p90 over the rounds; ratios are of medians.
"""
import os
import statistics
import subprocess
import sys
from collections import defaultdict

RUNTIMES = ["vessel", "crun", "runc"]
CONFIG_TEXT = {
    "host": "this hybrid host as it is: vessel uses the cgroup2 mount "
    "(/sys/fs/cgroup/unified, only hugetlb enabled), runc its cgroup v1 "
    "manager (a directory in every v1 hierarchy); crun refuses to run here",
    "cg2ns": "a private mount namespace whose /sys/fs/cgroup is the cgroup2 "
    "hierarchy (hugetlb the only controller): vessel and runc create, join "
    "and remove a cgroup2 directory and attach a device eBPF program; crun "
    "runs with --cgroup-manager=disabled (no cgroup at all: its cgroupfs "
    "manager raises RLIMIT_MEMLOCK, which fails without CAP_SYS_RESOURCE); "
    "floor = bench/floor.c's same-work floor (the kernel work of vessel's "
    "default config: cgroup with its device program, namespaces, mounts, "
    "devices, masks, rlimit, capabilities, no_new_privs, vessel's cached "
    "seccomp program, exec), bare = without device program, credentials "
    "and seccomp, nocg = bare without a cgroup",
    "vm": "the cgroup v2 VM of tests/vm/ (Debian 6.1 kernel, TCG emulation, "
    "2 vCPUs): all three runtimes with their default cgroup2 managers and "
    "every controller; absolute times are inflated by emulation, only the "
    "ratios compare",
}


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def pct(values, q):
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def ms(ns):
    return ns / 1e6


class Timings:
    """timings.tsv: CONFIG RUNTIME OP PARAM ROUND WALL_NS MAXRSS_KB STATUS"""

    def __init__(self, rows):
        self.ok = defaultdict(list)
        self.rss = defaultdict(list)
        self.failed = defaultdict(int)
        self.by_round = defaultdict(dict)
        for c, rt, op, param, rnd, ns, rss, st in rows:
            key = (c, rt, op, param)
            if st == "0":
                self.ok[key].append(int(ns))
                self.rss[key].append(int(rss))
                self.by_round[key][int(rnd)] = int(ns)
            else:
                self.failed[key] += 1

    def median(self, c, rt, op, param="-"):
        v = self.ok.get((c, rt, op, param))
        return statistics.median(v) if v else None

    def cell(self, c, rt, op, param="-"):
        v = self.ok.get((c, rt, op, param), [])
        fails = self.failed.get((c, rt, op, param), 0)
        if not v:
            return f"fails ({fails}/{fails})" if fails else "-"
        s = f"{ms(statistics.median(v)):.1f} ({ms(pct(v, .1)):.1f}-{ms(pct(v, .9)):.1f})"
        if fails:
            s += f", {fails} failed"
        return s

    def configs(self):
        return sorted({k[0] for k in self.ok} | {k[0] for k in self.failed},
                      key=lambda c: list(CONFIG_TEXT).index(c) if c in CONFIG_TEXT else 9)

    def runtimes(self, c):
        have = {k[1] for k in list(self.ok) + list(self.failed) if k[0] == c}
        return [r for r in RUNTIMES if r in have]


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}x"


def lifecycle_tables(t, c, out):
    rts = t.runtimes(c)
    out.append(f"Milliseconds: median (p10-p90), {max((len(t.ok.get((c, r, 'run', '-'), [])) for r in rts), default=0)} rounds.\n")
    out.append("| op | " + " | ".join(rts) + " | floor | " + " | ".join(
        f"vessel/{r}" for r in rts if r != "vessel") + " | vessel/floor |")
    out.append("|---" * (len(rts) * 2 + 1) + "|---|")
    for op in ["run", "create", "start", "delete"]:
        cells = [t.cell(c, r, op) for r in rts]
        floor = t.cell(c, "floor", op) if op == "run" else ""
        if op == "run" and t.median(c, "floor-bare", "run") is not None:
            floor += f"; bare {t.cell(c, 'floor-bare', 'run')}"
        if op == "run" and t.median(c, "floor-nocg", "run") is not None:
            floor += f"; nocg {t.cell(c, 'floor-nocg', 'run')}"
        v = t.median(c, "vessel", op)
        rat = [ratio(v, t.median(c, r, op)) for r in rts if r != "vessel"]
        fl = ratio(v, t.median(c, "floor", op)) if op == "run" else ""
        out.append(f"| {op} | " + " | ".join(cells) + f" | {floor} | " + " | ".join(rat) + f" | {fl} |")
    if t.median(c, "floor-bare", "run"):
        out.append(f"\nvessel run / bare floor = "
                   f"{ratio(t.median(c, 'vessel', 'run'), t.median(c, 'floor-bare', 'run'))}.")
    if "crun" in rts and t.median(c, "floor-nocg", "run"):
        out.append(f"\nAgainst the floor of its own configuration: crun run / floor-nocg = "
                   f"{ratio(t.median(c, 'crun', 'run'), t.median(c, 'floor-nocg', 'run'))}, "
                   f"runc run / floor = {ratio(t.median(c, 'runc', 'run'), t.median(c, 'floor', 'run'))}.")
    out.append("")


def memory_table(t, c, bins, out):
    rts = t.runtimes(c)
    out.append("| runtime | peak RSS `create` (KiB) | peak RSS `run` (KiB) | binary size | shared libraries |")
    out.append("|---|---|---|---|---|")
    for r in rts:
        rc = t.rss.get((c, r, "create", "-"), [])
        rr = t.rss.get((c, r, "run", "-"), [])
        size, libs = bins.get(r, ("?", "?"))
        size = f"{int(size) / 1024:.0f} KiB" if size.isdigit() else size
        nlibs = len(libs.split()) if libs != "?" else 0
        out.append(f"| {r} | {statistics.median(rc) if rc else '-':.0f} | "
                   f"{statistics.median(rr) if rr else '-':.0f} | {size} | {nlibs}: {libs} |"
                   if rc and rr else f"| {r} | - | - | {size} | {libs} |")
    out.append("\nPeak RSS is wait4()'s ru_maxrss of the runtime process: its own high-water mark "
               "and that of the descendants it reaped itself (for `run`, the container init before "
               "its exec; for `create` the init lives on and is not counted). Median over the rounds.\n")


def exec_table(t, c, out):
    rts = t.runtimes(c)
    out.append("| | " + " | ".join(rts) + " | " + " | ".join(f"vessel/{r}" for r in rts if r != "vessel") + " |")
    out.append("|---" * (2 * len(rts)) + "|")
    v = t.median(c, "vessel", "exec")
    out.append("| exec /bin/true (ms) | " + " | ".join(t.cell(c, r, "exec") for r in rts) + " | " +
               " | ".join(ratio(v, t.median(c, r, "exec")) for r in rts if r != "vessel") + " |\n")


def freeze_table(t, c, out):
    rts = t.runtimes(c)
    sizes = sorted({int(k[3]) for k in list(t.ok) + list(t.failed) if k[0] == c and k[2] == "pause"})
    if not sizes:
        return
    out.append("| op | processes | " + " | ".join(rts) + " | " + " | ".join(
        f"vessel/{r}" for r in rts if r != "vessel") + " |")
    out.append("|---" * (2 * len(rts) + 1) + "|")
    for op in ["pause", "resume"]:
        for n in sizes:
            v = t.median(c, "vessel", op, str(n))
            out.append(f"| {op} | {n} | " + " | ".join(t.cell(c, r, op, str(n)) for r in rts) + " | " +
                       " | ".join(ratio(v, t.median(c, r, op, str(n))) for r in rts if r != "vessel") + " |")
    if c != "vm" and "crun" in rts:
        out.append("\ncrun has no cgroup in this configuration (--cgroup-manager=disabled), so it cannot "
                   "freeze: its pause and resume fail, as they should.")
    out.append("")


def density_table(t, dens, c, raw, out):
    rows = [d for d in dens if d[0] == c]
    if not rows:
        return
    out.append("| runtime | N | time to start all (s) | median start (ms) | MemAvailable used per container (KiB) "
               "| time to delete all (s) | runtime processes left resident |")
    out.append("|---|---|---|---|---|---|---|")
    for _, r, n, mem0, mem, resident in rows:
        n = int(n)
        starts = t.by_round.get((c, r, "dstart", "-"), {})
        dels = t.by_round.get((c, r, "ddelete", "-"), {})
        st = [starts[k] for k in range(1, n + 1) if k in starts]
        de = [dels[k] for k in range(1, n + 1) if k in dels]
        per = (int(mem0) - int(mem)) / n
        out.append(f"| {r} | {n} | {sum(st) / 1e9:.1f} | {ms(statistics.median(st)):.1f} | {per:.0f} | "
                   f"{sum(de) / 1e9:.1f} | {resident} |")
    out.append("\nStarts are `run -d` one after another up to the largest N, measured at each N on the "
               "way; deletes are `delete --force` newest first, so \"delete all\" at N is the time of "
               "the last N deletes. MemAvailable is host-wide (other tenants move it too), sampled 1 s "
               "after the N-th start.")
    for r in RUNTIMES:
        f = os.path.join(raw, f"density-{c}-{r}.err")
        fails = t.failed.get((c, r, "dstart", "-"), 0)
        if fails and os.path.exists(f):
            with open(f) as fh:
                msg = fh.read().strip().splitlines()[-1:] or ["?"]
            out.append(f"\n**{r} hit a limit**: container {len(t.ok.get((c, r, 'dstart', '-'), [])) + 1} failed: `{msg[0]}`")
    out.append("")


def teardown_table(t, c, out):
    rts = [r for r in t.runtimes(c) if t.ok.get((c, r, "teardown", "-"))]
    if not rts:
        return
    n = max(len(t.ok.get((c, r, "teardown", "-"), [])) for r in rts)
    out.append(f"From the container process's exit to the runtime's exit, foreground `run` "
               f"(bench/teardown.c), {n} interleaved rounds. Milliseconds: median (p10-p90).\n")
    out.append("| | " + " | ".join(rts) + " | " + " | ".join(f"vessel/{r}" for r in rts if r != "vessel") + " |")
    out.append("|---" * (2 * len(rts)) + "|")
    for op, what in (("teardown", "teardown"), ("teardown-run", "whole `run`")):
        v = t.median(c, "vessel", op)
        out.append(f"| {what} | " + " | ".join(t.cell(c, r, op) for r in rts) + " | " +
                   " | ".join(ratio(v, t.median(c, r, op)) for r in rts if r != "vessel") + " |")
    if c != "vm" and "crun" in rts:
        out.append("\ncrun runs without a cgroup here, so its teardown has no cgroup to remove; "
                   "vessel's and runc's include an rmdir of the container's cgroup2 directory.")
    out.append("")


def concurrency_table(t, c, out):
    rts = t.runtimes(c)
    sizes = sorted({int(k[3]) for k in list(t.ok) + list(t.failed) if k[0] == c and k[2] == "conc"})
    if not sizes:
        return
    rounds = max((len(t.ok.get((c, r, "conc", str(p)), [])) for r in rts for p in sizes), default=0)
    out.append(f"P foreground `run`s of /bin/true started at once; throughput = P / wall time of the "
               f"batch (until the last exits), containers per second, median (p10-p90) over {rounds} "
               f"batches; runtimes interleaved batch by batch.\n")
    out.append("| P | " + " | ".join(rts) + " | " + " | ".join(f"vessel/{r}" for r in rts if r != "vessel") + " |")
    out.append("|---" * (2 * len(rts)) + "|")
    for p in sizes:
        cells, med = [], {}
        for r in rts:
            v = [p / (x / 1e9) for x in t.ok.get((c, r, "conc", str(p)), [])]
            fails = t.failed.get((c, r, "conc", str(p)), 0)
            if v:
                med[r] = statistics.median(v)
                cells.append(f"{med[r]:.0f} ({pct(v, .1):.0f}-{pct(v, .9):.0f})" + (f", {fails} failed" if fails else ""))
            else:
                cells.append(f"fails ({fails})" if fails else "-")
        out.append(f"| {p} | " + " | ".join(cells) + " | " +
                   " | ".join(ratio(med.get("vessel"), med.get(r)) for r in rts if r != "vessel") + " |")
    out.append("\nRatios here are of throughputs: above 1 means vessel starts more containers per second.\n")


def slope(pts):
    """ms of y per 1000 of x, least squares; y in ns."""
    n = len(pts)
    mx = sum(k for k, _ in pts) / n
    my = sum(v for _, v in pts) / n
    sxx = sum((k - mx) ** 2 for k, _ in pts)
    return sum((k - mx) * (v - my) for k, v in pts) / sxx * 1000 / 1e6 if sxx else 0.0


def intercept(pts):
    n = len(pts)
    mx = sum(k for k, _ in pts) / n
    my = sum(v for _, v in pts) / n
    return (my - slope(pts) * 1e6 / 1000 * (mx - 1)) / 1e6


def scale_table(t, rows, resident, c, out, memcg=()):
    rows = [x for x in rows if x[0] == c]
    for r in RUNTIMES:
        mine = [x for x in rows if x[1] == r]
        starts = t.by_round.get((c, r, "sstart", "-"), {})
        if not mine or not starts:
            continue
        n = len(starts)
        ks = sorted(starts)
        out.append(f"{r}: N = {n} detached `sleep` containers started one after another, kept, "
                   f"then deleted newest first.\n")
        cpu = t.by_round.get((c, r, "sstart-cpu", "-"), {})
        out.append("| containers | start median (ms) | p10 (ms) | p90 (ms) | CPU median (ms) | MemAvailable used (MiB) "
                   "| per container (KiB) | Slab (MiB) | PageTables (MiB) |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        mem = {int(x[2]): x for x in mine}
        base = mem.get(0)
        step = max(1, (n + 9) // 10)
        for d in range(10):
            lo, hi = d * step + 1, min((d + 1) * step, n)
            if lo > hi:
                break
            v = [starts[k] for k in ks if lo <= k <= hi]
            row = mem.get(hi)
            used = per = slab = pt = "-"
            if row and base:
                u = int(row[6]) - int(row[3])
                used, per = f"{u / 1024:.0f}", f"{u / hi:.0f}"
                slab = f"{(int(row[4]) - int(base[4])) / 1024:+.0f}"
                pt = f"{(int(row[5]) - int(base[5])) / 1024:+.0f}"
            vc = [cpu[k] for k in ks if lo <= k <= hi and k in cpu]
            cm = f"{ms(statistics.median(vc)):.2f}" if vc else "-"
            out.append(f"| {lo}-{hi} | {ms(statistics.median(v)):.1f} | {ms(pct(v, .1)):.1f} | {ms(pct(v, .9)):.1f} "
                       f"| {cm} | {used} | {per} | {slab} | {pt} |")
        first = [starts[k] for k in ks[:step]]
        last = [starts[k] for k in ks[-step:]]
        dels = t.ok.get((c, r, "sdelete", "-"), [])
        out.append(f"\nLast tenth / first tenth, median start: {statistics.median(last) / statistics.median(first):.2f}x, "
                   f"p10: {pct(last, .1) / pct(first, .1):.2f}x (p10 is the least disturbed by other tenants). "
                   f"Time to start all: {sum(starts.values()) / 1e9:.0f} s; to delete all: {sum(dels) / 1e9:.0f} s "
                   f"(median delete {ms(statistics.median(dels)) if dels else float('nan'):.1f} ms).")
        fit = [(k, cpu[k]) for k in ks if k in cpu]
        if len(fit) > 2:
            out.append(f"Least-squares slope over all {n} starts: wall {slope([(k, starts[k]) for k in ks]):+.2f} ms, "
                       f"CPU {slope(fit):+.2f} ms per 1000 containers already up (CPU at k = 1 by the fit: "
                       f"{intercept(fit):.2f} ms).")
        mc = [x for x in memcg if x[0] == c and x[1] == r]
        if mc:
            out.append("Containers' cgroup memory.current (kernel memory of their namespaces, mounts and "
                       "processes charged to the container): " + ", ".join(
                           f"{int(x[4]) / int(x[3]) / 1024:.0f} KiB per container at {x[2]} ({x[3]} cgroups)"
                           for x in mc) + ".")
        for x in resident:
            if x[0] == c and x[1] == r:
                out.append(f"Runtime processes resident with all {n} up: {x[2]}; processes on the host: {x[3]}.")
        out.append("CPU is the user + system time of the `run -d` process and what it reaped (not the "
                   "container's init, which outlives it): vessel's own work, which other tenants' load hardly "
                   "moves; the init's kernel work (mounts, pivot_root) is only in the wall time. "
                   "MemAvailable, Slab and PageTables are host-wide (/proc/meminfo; other tenants move them "
                   "too), taken right after the k-th start; \"used\" is the drop of MemAvailable since "
                   "before the first start.\n")


def sysops_table(rows, c, out):
    rows = [s for s in rows if s[0] == c]
    if not rows:
        return
    cols = [("host", "none")] + [(r, v) for v in ("nosec", "default") for r in RUNTIMES
                                 if any(s[1] == r and s[2] == v for s in rows)]
    val = {}
    for s in rows:  # several passes: keep the best
        k = (s[1], s[2], s[3])
        val[k] = min(val.get(k, float("inf")), float(s[4]))
    ops = list(dict.fromkeys(s[3] for s in rows))
    out.append("ns per call (best round of the best pass). `nosec`: no linux.seccomp; `default`: the bundle's "
               "profile (vessel's default, the same JSON for all three).\n")
    out.append("| op | " + " | ".join("host" if r == "host" else f"{r} {v}" for r, v in cols) +
               " | vessel default/host | vessel/crun default | vessel/runc default |")
    out.append("|---" * (len(cols) + 4) + "|")
    for op in ops:
        cells = [f"{val[(r, v, op)]:.0f}" if (r, v, op) in val else "-" for r, v in cols]
        vd = val.get(("vessel", "default", op))
        out.append(f"| {op} | " + " | ".join(cells) + f" | {ratio(vd, val.get(('host', 'none', op)))} | "
                   f"{ratio(vd, val.get(('crun', 'default', op)))} | {ratio(vd, val.get(('runc', 'default', op)))} |")
    out.append("")


COLORS = {"vessel": "#9400d3", "crun": "#009e73", "runc": "#56b4e9", "floor": "#e69f00",
          "floor-bare": "#d55e00", "floor-nocg": "#c0a000"}


def gnuplot(script, outdir):
    try:
        subprocess.run(["gnuplot"], input=script, text=True, cwd=outdir, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return True
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: gnuplot: {e}", file=sys.stderr)
        return False


def cdf_chart(t, c, op, outdir, name, title):
    series = []
    for r in t.runtimes(c) + (["floor", "floor-bare", "floor-nocg"] if op == "run" else []):
        v = sorted(t.ok.get((c, r, op, "-"), []))
        if not v:
            continue
        dat = os.path.join(outdir, f".{name}-{r}.dat")
        with open(dat, "w") as f:
            for i, x in enumerate(v):
                f.write(f"{ms(x):.3f} {(i + 1) / len(v):.4f}\n")
        series.append(f"'{os.path.basename(dat)}' using 1:2 with steps lw 2 lc rgb '{COLORS[r]}' title '{r}'")
    if not series:
        return None
    ok = gnuplot(f"set terminal pngcairo size 900,520 font 'sans,10'\nset output '{name}.png'\n"
                 f"set title '{title}'\nset xlabel 'milliseconds'\nset ylabel 'fraction of rounds'\n"
                 "set logscale x\nset key bottom right\nset grid\n"
                 f"plot {', '.join(series)}\n", outdir)
    return f"{name}.png" if ok else None


def density_chart(t, c, outdir, name):
    series = []
    for r in t.runtimes(c):
        starts = t.by_round.get((c, r, "dstart", "-"), {})
        if not starts:
            continue
        dat = os.path.join(outdir, f".{name}-{r}.dat")
        total = 0
        window = []
        with open(dat, "w") as f:
            for k in sorted(starts):
                total += starts[k]
                window = (window + [starts[k]])[-25:]
                f.write(f"{k} {ms(statistics.median(window)):.3f} {total / 1e9:.3f}\n")
        series.append(f"'{os.path.basename(dat)}' using 1:3 with lines lw 2 lc rgb '{COLORS[r]}' title '{r}: total (s, left)', "
                      f"'{os.path.basename(dat)}' using 1:2 axes x1y2 with lines lw 1 dt 2 lc rgb '{COLORS[r]}' "
                      f"title '{r}: one start, median of the last 25 (ms, right)'")
    if not series:
        return None
    ok = gnuplot(f"set terminal pngcairo size 900,520 font 'sans,10'\nset output '{name}.png'\n"
                 f"set title 'density ({c}): starting containers one after another'\n"
                 "set xlabel 'containers running'\nset ylabel 'seconds since the first start'\n"
                 "set y2label 'one start, ms'\nset y2tics\nset y2range [0:*]\nset key top left\nset grid\n"
                 f"plot {', '.join(series)}\n", outdir)
    return f"{name}.png" if ok else None


def headline(t, c):
    v = t.median(c, "vessel", "run")
    parts = []
    for r in ("crun", "runc", "floor"):
        x = t.median(c, r, "run")
        if v and x:
            parts.append(f"vessel/{r} {v / x:.2f}x")
    return ", ".join(parts)


def section(t, dens, sysops, bins, raw, outdir, c, title, out, scale=(), resident=(), memcg=()):
    out.append(f"## {title}\n")
    out.append(f"Configuration `{c}`: {CONFIG_TEXT.get(c, c)}.\n")
    out.append(f"Headline (`run` of /bin/true, medians): {headline(t, c) or 'not measured'}.\n")
    out.append("### 1. Lifecycle latency\n")
    lifecycle_tables(t, c, out)
    chart = cdf_chart(t, c, "run", outdir, f"run-cdf-{c}", f"run /bin/true to completion ({c})")
    if chart:
        out.append(f"![run latency distribution]({chart})\n")
    out.append("### 2. Runtime memory\n")
    memory_table(t, c, bins, out)
    if any(k[0] == c and k[2] == "teardown" for k in t.ok):
        out.append("### 1b. Teardown\n")
        teardown_table(t, c, out)
    if any(k[0] == c and k[2] == "conc" for k in list(t.ok) + list(t.failed)):
        out.append("### 1c. Concurrency: parallel `run`s\n")
        concurrency_table(t, c, out)
    out.append("### 3. exec latency\n")
    exec_table(t, c, out)
    chart = cdf_chart(t, c, "exec", outdir, f"exec-cdf-{c}", f"exec /bin/true into a running container ({c})")
    if chart:
        out.append(f"![exec latency distribution]({chart})\n")
    if any(d[0] == c for d in dens):
        out.append("### 4. Density\n")
        density_table(t, dens, c, raw, out)
        chart = density_chart(t, c, outdir, f"density-{c}")
        if chart:
            out.append(f"![density curve]({chart})\n")
    if any(x[0] == c for x in scale):
        out.append("### 4b. Scale: start latency and memory by tenth\n")
        scale_table(t, scale, resident, c, out, memcg)
    if any(s[0] == c for s in sysops):
        out.append("### 5. Syscall cost inside a container\n")
        sysops_table(sysops, c, out)
    if any(k[0] == c and k[2] == "pause" for k in list(t.ok) + list(t.failed)):
        out.append("### 6. Freeze/thaw (ms)\n")
        freeze_table(t, c, out)


def migrate_section(outdir, out):
    """bench/migrate/migrate.sh's report, when this run made one
    (BENCH_MIGRATE=1), one level down; else where the committed one is."""
    path = os.path.join(outdir, "migrate", "migrate.md")
    out.append("## Live migration (cgroup v2 VM)\n")
    if not os.path.exists(path):
        out.append("Not run (`BENCH_MIGRATE=1 make bench` or `make bench-migrate`); the last "
                   "run is bench/results/migrate/migrate.md.\n")
        return
    with open(path) as f:
        lines = f.read().splitlines()[1:]
    for line in lines:
        line = "#" + line if line.startswith("## ") else line
        out.append(line.replace("(migrate.svg)", "(migrate/migrate.svg)"))
    out.append("")


def main():
    outdir = os.path.abspath(sys.argv[1])
    raw = os.path.join(outdir, "raw")
    t = Timings(read_tsv(os.path.join(raw, "timings.tsv")))
    dens = read_tsv(os.path.join(raw, "density.tsv"))
    sysops = read_tsv(os.path.join(raw, "sysops.tsv"))
    scale = read_tsv(os.path.join(raw, "scale.tsv"))
    resident = read_tsv(os.path.join(raw, "scale-resident.tsv"))
    bins = {r[0]: (r[1], r[2] if len(r) > 2 else "") for r in read_tsv(os.path.join(raw, "binaries.tsv"))}
    vmraw = os.path.join(raw, "vm")
    tv = Timings(read_tsv(os.path.join(vmraw, "timings.tsv")))
    dv = read_tsv(os.path.join(vmraw, "density.tsv"))
    sv = read_tsv(os.path.join(vmraw, "sysops.tsv"))
    scv = read_tsv(os.path.join(vmraw, "scale.tsv"))
    rsv = read_tsv(os.path.join(vmraw, "scale-resident.tsv"))
    mcv = read_tsv(os.path.join(vmraw, "scale-memcg.tsv"))

    out = ["# vessel benchmark report\n",
           "Written by `make bench` (bench/bench.sh, bench/report.py) from the raw data in `raw/` "
           "(kept out of git). Runtimes interleaved round by round on one busybox bundle "
           "(`/bin/true`, read-only root, the default seccomp profile, ociVersion 1.0.2).\n",
           "## Machine and versions\n", "```"]
    with open(os.path.join(raw, "machine.txt")) as f:
        out.append(f.read().rstrip())
    out.append("```\n")
    crun_msg = os.path.join(raw, "crun-default-host.txt")
    if os.path.exists(crun_msg):
        with open(crun_msg) as f:
            msg = f.read().strip()
        out.append(f"crun with its defaults on this host: `{msg or 'ran'}`.\n")
    for c, title in (("cg2ns", "Host, private cgroup2 namespace (all three runtimes)"),
                     ("host", "Host, hybrid cgroups as they are (vessel and runc)")):
        if c in t.configs():
            section(t, dens, sysops, bins, raw, outdir, c, title, out, scale, resident)
    if tv.configs():
        section(tv, dv, sv, bins, vmraw, outdir, "vm", "cgroup v2 VM (ratios only)", out, scv, rsv, mcv)
    else:
        out.append("## cgroup v2 VM\n\nNot run (`--no-vm`, `--smoke`, or the VM failed).\n")
    migrate_section(outdir, out)
    for w in (os.path.join(raw, "warnings.txt"), os.path.join(vmraw, "warnings.txt")):
        if os.path.exists(w):
            with open(w) as f:
                out.append("## Warnings during the run\n\n" + "".join(f"- {line}" for line in f) + "\n")
    with open(os.path.join(outdir, "report.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    for name in os.listdir(outdir):
        if name.startswith(".") and name.endswith(".dat"):
            os.unlink(os.path.join(outdir, name))


if __name__ == "__main__":
    main()
