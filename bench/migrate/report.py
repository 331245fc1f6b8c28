#!/usr/bin/env python3
"""bench/migrate/report.py DIR: the migration benchmark's table and chart.

Reads DIR/raw/{runs,rounds,stats}.tsv and machine.txt (bench/migrate/migrate.sh)
and writes DIR/migrate.md (markdown tables) and DIR/migrate.svg (downtime and
total time per size, rate and method).  A point measured several times
(MIG_REPEATS; the last column of runs.tsv and rounds.tsv numbers the runs)
shows the median of its runs, with [min-max] of the total and downtime and
whiskers in the chart.  Standard library only: the SVG is
written by hand, so the report needs nothing beyond Debian's python3.
"""
import csv
import os
import sys

RUN_COLS = ["method", "mib", "rate", "total", "downtime", "dump", "copy", "restore", "resume",
            "fetch", "rep"]
TIMES = RUN_COLS[3:-1]
ROUND_COLS = ["method", "mib", "rate", "round", "secs", "pages", "rep"]
METHODS = ["stop-copy", "pre-copy", "pre-copy-nothp", "lazy", "stop-copy-nothp"]
COLOURS = {"stop-copy": "#c0392b", "pre-copy": "#2471a3", "pre-copy-nothp": "#85c1e9",
           "lazy": "#229954", "stop-copy-nothp": "#f1948a"}


def read_tsv(path, cols):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        rows = [row for row in csv.reader(f, delimiter="\t") if row]
    return rows if cols is None else [dict(zip(cols, row)) for row in rows]


def read_stats(path):
    """stats.tsv (migrate.sh's decode_stats): NAME KIND FIELD=VALUE...,
    NAME being METHOD-MIB-RATE-ROUND, KIND dump or restore."""
    stats = {}
    for row in read_tsv(path, None):
        stats[(row[0], row[1])] = dict(f.split("=", 1) for f in row[2:])
    return stats


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def median(vals):
    vs = sorted(v for v in (num(x) for x in vals) if v is not None)
    if not vs:
        return None
    n = len(vs)
    return vs[n // 2] if n % 2 else (vs[n // 2 - 1] + vs[n // 2]) / 2


def points(runs):
    """One entry per (method, size, rate): the median of its runs' times,
    each time's values in FIELD_all, its runs' numbers in reps."""
    groups = {}
    for r in runs:
        groups.setdefault((r["method"], r["mib"], r["rate"]), []).append(r)
    out = []
    for (method, mib, rate), rs in groups.items():
        p = {"method": method, "mib": mib, "rate": rate, "reps": [r.get("rep") for r in rs]}
        for c in TIMES:
            p[c + "_all"] = [v for v in (num(r[c]) for r in rs) if v is not None]
            p[c] = median(p[c + "_all"])
        out.append(p)
    return out


def spread(p, field):
    vs = p[field + "_all"]
    return f" [{min(vs):.2f}–{max(vs):.2f}]" if len(vs) > 1 else ""


def fmt_n(v):
    v = num(v)
    return "-" if v is None else f"{v:.0f}"


def fmt_s(v):
    v = num(v)
    return "-" if v is None else f"{v:.2f}"


def fmt_ms(us):
    v = num(us)
    return "-" if v is None else f"{v / 1000:.0f}"


def key(r):
    return (int(r["mib"]), float(r["rate"]), METHODS.index(r["method"]))


def rounds_of(rounds, p):
    """The point's rounds in order, each with the median of its runs' pages."""
    names, pages = [], {}
    for x in rounds:
        if (x["method"], x["mib"], x["rate"]) == (p["method"], p["mib"], p["rate"]):
            if x["round"] not in pages:
                names.append(x["round"])
            pages.setdefault(x["round"], []).append(x["pages"])
    return [(n, median(pages[n])) for n in names]


def stat(stats, p, rnd, kind, field):
    """The median over the point's runs of one field of criu's stats (named
    METHOD-MIB-RATE-ROUND-rREP; without -rREP in data of one run each)."""
    base = f"{p['method']}-{p['mib']}-{p['rate']}-{rnd}"
    names = [base if rep is None else f"{base}-r{rep}" for rep in p["reps"]]
    return median(stats.get((n, kind), {}).get(field) for n in names)


def main_table(runs, rounds, stats):
    out = ["| MiB | dirty MiB/s | method | total s | downtime s | pages per round "
           "(pre-dumps → final) | final dump s | copy s | restore s | first tick after "
           "restore s | runs |", "|---:|---:|---|---:|---:|---|---:|---:|---:|---:|---:|"]
    for r in sorted(points(runs), key=key):
        pages = " → ".join(fmt_n(n) for _, n in rounds_of(rounds, r))
        if r["method"] == "lazy":
            # criu 3.17's stats-dump of a lazy dump counts no page (pages_lazy 0)
            lazy = num(stat(stats, r, "final", "dump", "pages_lazy"))
            lazy = f"{lazy:.0f}" if lazy else "the rest"
            pages = f"{pages} (+{lazy} lazily, all in by {fmt_s(r['fetch'])} s after the restore)"
        out.append(f"| {r['mib']} | {r['rate']} | {r['method']} | {fmt_s(r['total'])}"
                   f"{spread(r, 'total')} | **{fmt_s(r['downtime'])}**{spread(r, 'downtime')} | "
                   f"{pages} | {fmt_s(r['dump'])} | {fmt_s(r['copy'])} | {fmt_s(r['restore'])} | "
                   f"{fmt_s(r['resume'])} | {len(r['reps'])} |")
    return out


def downtime_table(runs, stats):
    """Where the final round's downtime goes, from criu's own stats."""
    out = ["| MiB | dirty MiB/s | method | downtime s | criu: freezing ms | frozen ms | "
           "of it memdump ms | memwrite ms | pages written | copy ms | vessel restore ms | "
           "of it criu restore ms | runs |",
           "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(points(runs), key=key):
        def d(field):
            # criu 3.17's stats-dump of a lazy dump is no measure (a frozen
            # time of hours, no page counted)
            return None if r["method"] == "lazy" else stat(stats, r, "final", "dump", field)
        copy, restore = num(r["copy"]), num(r["restore"])
        out.append(f"| {r['mib']} | {r['rate']} | {r['method']} | {fmt_s(r['downtime'])} | "
                   f"{fmt_ms(d('freezing_time'))} | {fmt_ms(d('frozen_time'))} | "
                   f"{fmt_ms(d('memdump_time'))} | {fmt_ms(d('memwrite_time'))} | "
                   f"{fmt_n(d('pages_written'))} | "
                   f"{'-' if copy is None else f'{copy * 1000:.0f}'} | "
                   f"{'-' if restore is None else f'{restore * 1000:.0f}'} | "
                   f"{fmt_ms(stat(stats, r, 'final', 'restore', 'restore_time'))} | "
                   f"{len(r['reps'])} |")
    return out


def svg_panel(runs, field, title, x0, y0, w, h):
    """Grouped bars: one group per (size, rate), one bar per method."""
    groups = sorted({(int(r["mib"]), float(r["rate"])) for r in runs})
    vals = {(int(r["mib"]), float(r["rate"]), r["method"]): num(r[field]) for r in runs}
    alls = {(int(r["mib"]), float(r["rate"]), r["method"]): r[field + "_all"] for r in runs}
    top = max([v for vs in alls.values() for v in vs] + [0.001]) * 1.1
    methods = [m for m in METHODS if any(k[2] == m for k in vals)]
    s = [f'<text x="{x0 + w / 2}" y="{y0 - 8}" text-anchor="middle" font-size="14">'
         f'{title}</text>',
         f'<line x1="{x0}" y1="{y0 + h}" x2="{x0 + w}" y2="{y0 + h}" stroke="black"/>',
         f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y0 + h}" stroke="black"/>']
    for i in range(5):
        v = top * i / 4
        y = y0 + h - h * i / 4
        s.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end" font-size="10">{v:.1f}</text>')
        s.append(f'<line x1="{x0}" y1="{y}" x2="{x0 + w}" y2="{y}" stroke="#ddd"/>')
    gw = w / max(len(groups), 1)
    bw = gw * 0.8 / max(len(methods), 1)
    for gi, (mib, rate) in enumerate(groups):
        gx = x0 + gi * gw + gw * 0.1
        for mi, m in enumerate(methods):
            v = vals.get((mib, rate, m))
            if v is None:
                continue
            bh = h * v / top
            s.append(f'<rect x="{gx + mi * bw:.1f}" y="{y0 + h - bh:.1f}" width="{bw - 1:.1f}" '
                     f'height="{bh:.1f}" fill="{COLOURS[m]}"><title>{m} {mib} MiB {rate:g} MiB/s: '
                     f'{v:.2f} s</title></rect>')
            lo_hi = alls.get((mib, rate, m)) or []
            if len(lo_hi) > 1:
                # the spread of the runs: a whisker from the least to the most
                cx = gx + mi * bw + (bw - 1) / 2
                y_lo, y_hi = y0 + h - h * min(lo_hi) / top, y0 + h - h * max(lo_hi) / top
                s.append(f'<line x1="{cx:.1f}" y1="{y_lo:.1f}" x2="{cx:.1f}" y2="{y_hi:.1f}" '
                         f'stroke="black" class="spread"/>')
        s.append(f'<text x="{gx + gw * 0.4:.1f}" y="{y0 + h + 14}" text-anchor="middle" '
                 f'font-size="10">{mib} MiB</text>')
        s.append(f'<text x="{gx + gw * 0.4:.1f}" y="{y0 + h + 26}" text-anchor="middle" '
                 f'font-size="10">{rate:g} MiB/s</text>')
    s.append(f'<text x="{x0 - 36}" y="{y0 + h / 2}" font-size="11" text-anchor="middle" '
             f'transform="rotate(-90 {x0 - 36} {y0 + h / 2})">seconds</text>')
    return s, methods


def svg(runs):
    runs = points(runs)
    w, ph = 900, 220
    body1, methods = svg_panel(runs, "downtime", "downtime (frozen → running again), s", 60, 40, w - 80, ph)
    body2, _ = svg_panel(runs, "total", "total migration time, s", 60, 40 + ph + 70, w - 80, ph)
    legend = []
    for i, m in enumerate(methods):
        legend.append(f'<rect x="{70 + i * 120}" y="{2 * ph + 150}" width="12" height="12" '
                      f'fill="{COLOURS[m]}"/><text x="{86 + i * 120}" y="{2 * ph + 161}" '
                      f'font-size="12">{m}</text>')
    height = 2 * ph + 175
    return "\n".join([f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" '
                      f'font-family="sans-serif">',
                      f'<rect width="{w}" height="{height}" fill="white"/>'] +
                     body1 + body2 + legend + ["</svg>", ""])


def main():
    d = sys.argv[1]
    raw = os.path.join(d, "raw")
    runs = read_tsv(os.path.join(raw, "runs.tsv"), RUN_COLS)
    rounds = read_tsv(os.path.join(raw, "rounds.tsv"), ROUND_COLS)
    stats = read_stats(os.path.join(raw, "stats.tsv"))
    if not runs:
        sys.exit(f"report.py: no runs in {raw}/runs.tsv")
    machine = ""
    if os.path.exists(os.path.join(raw, "machine.txt")):
        with open(os.path.join(raw, "machine.txt")) as f:
            machine = f.read().strip()
    md = ["# Live migration of a vessel container (bench/migrate/migrate.sh)", "",
          "In the cgroup v2 VM of tests/vm (TCG: every absolute time is inflated many times; "
          "compare the methods with each other).  One process holds M MiB and dirties random "
          "4 KiB pages at the given rate; it moves from one vessel --root to another.  "
          "Downtime is the process's own view: its last tick before the final freeze to its "
          "first tick after the restore.  Pages: 4 KiB pages each round wrote "
          "(pages-*.img).  A point run several times (runs column) shows the median of its "
          "runs, with [least–most] for total and downtime (whiskers in the chart).  "
          "bench/NOTES.md, \"Live migration\", reads these numbers.", "",
          "```", machine, "```", "", "## Total time, downtime, pages per round", ""]
    md += main_table(runs, rounds, stats)
    md += ["", "## Where the downtime goes", "",
           "criu's stats-dump of the final round: freezing (stopping the tree), frozen (from "
           "frozen to the end of the dump), memdump and memwrite (parts of frozen: draining "
           "the dirty pages, writing them to the images), pages written.  copy: the final "
           "images to the destination's directory.  vessel restore: `vessel --root DST "
           "restore -d` from exec to exit; criu restore: stats-restore restore_time.  For "
           "lazy (all through vessel: `checkpoint --lazy-pages --page-server --status-fd`, "
           "`restore --lazy-pages` with criu's lazy-pages daemon), the final dump ends at its "
           "'\\0' on --status-fd: the memory is not in it, it is fetched after the process "
           "runs; criu's stats of a lazy dump are no measure (criu 3.17: frozen for hours, no "
           "page counted), hence '-'.  Every time is the median of the runs.", ""]
    md += downtime_table(runs, stats)
    md += ["", "![downtime and total time](migrate.svg)", ""]
    with open(os.path.join(d, "migrate.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(d, "migrate.svg"), "w") as f:
        f.write(svg(runs))


if __name__ == "__main__":
    main()
