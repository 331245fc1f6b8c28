#!/usr/bin/env python3
"""bench/phases.py: where `vessel run` spends its time, phase by phase,
next to the same-work floor (bench/floor.c) doing the same kernel work.

  bench/phases.py [-n ROUNDS] [--cg2ns] [NAME=]VESSEL[,[NAME=]VESSEL...] BUNDLE FLOOR ROOTFS [SECCOMP]

Each round runs `vessel --debug --log FILE --log-format json run` of BUNDLE
for each VESSEL (a before/after: several binaries, one column each) and
`FLOOR --marks [--seccomp SECCOMP] ROOTFS /bin/true`, one after the other.  The
phases are cut at the timestamps of vessel's debug lines (the stages and
the spawn's steps, CLOCK_REALTIME) and of the floor's marks; the start is
taken just before the spawn and the end just after the wait.  Prints one
markdown table of per-phase medians in ms (so the rows need not add up to
the total's median).  The debug log itself costs vessel some time (about
45 JSON lines written): compare totals with bench/ab.sh, not with this.
--cg2ns: run in a private mount namespace with cgroup2 at /sys/fs/cgroup,
as bench.sh's config cg2ns (re-executes itself under unshare)."""
import argparse
import calendar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

# (row, vessel's boundary regex ending the phase or None, floor's mark or None).
# A phase ends at the first log line matching its regex, after the previous one.
PHASES = [
    ("process start: exec, dynamic loading (vessel: twice, the sealed re-exec)", r"^exe: ", "start"),
    ("state dir, lock, config.json read and parsed", r"^prepare step namespaces$", None),
    ("plan: namespaces, process", r"^prepare step cgroup$", None),
    ("cgroup: mkdir, device program", r"^prepare step rootfs$", "cgroup"),
    ("plan: rootfs mounts", r"^prepare step seccomp$", None),
    ("seccomp: cache lookup and read", r"^prepare step terminal$", None),
    ("exec FIFO, clone3 with the namespaces, until the init runs", r"^init step identity\b", "clone"),
    ("init: fds, hostname, loopback up, keyring", r"^init step rootfs$", None),
    ("init: mounts, /dev nodes, masked and read-only paths", r"^init step hooks$", "rootfs"),
    ("init: hook sync with the parent", r"^init step pivot$", None),
    ("init: pivot_root, root read-only", r"^init step terminal$", "pivot"),
    ("init: rlimits, capabilities, user, no_new_privs", r"^init step ready\b", "credentials"),
    ("parent: state.json, until created", r"^create .*: created$", None),
    ("start: until the init is released", r"^start .*: releasing init", None),
    ("start: seccomp load, execve of /bin/true", r"^start .*: the user process runs$", "seccomp"),
    ("container runs, exits, is reaped", r"^delete .*: status stopped$", "exited"),
    ("teardown: cgroup, state dir; exit", None, "end"),
]


def run_vessel(vessel, root, bundle, cid, log):
    t0 = time.time_ns()
    rc = subprocess.run([vessel, "--debug", "--log", log, "--log-format", "json", "--root", root,
                         "run", "--bundle", bundle, cid], stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    t1 = time.time_ns()
    lines = []
    with open(log) as f:
        for line in f:
            d = json.loads(line)
            ts = d["time"]  # 2026-12-03T12:22:21.340050657Z
            secs = calendar.timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S"))
            lines.append((d["msg"], int(secs) * 10**9 + int(ts[20:29].ljust(9, "0"))))
    os.unlink(log)
    if rc != 0:
        return None
    out, prev, i = {}, t0, 0
    for name, rx, _ in PHASES:
        if rx is None:
            end = t1
        else:
            while i < len(lines) and not re.search(rx, lines[i][0]):
                i += 1
            if i == len(lines):
                return None
            end = lines[i][1]
        out[name] = (end - prev) / 1e6
        prev = end
    out["total"] = (t1 - t0) / 1e6
    return out


def run_floor(floor, rootfs, seccomp):
    args = [floor, "--marks"] + (["--seccomp", seccomp] if seccomp else []) + [rootfs, "/bin/true"]
    t0 = time.time_ns()
    p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    t1 = time.time_ns()
    if p.returncode != 0:
        return None
    marks = dict(line.split() for line in p.stderr.splitlines() if line.strip())
    out, prev = {}, t0
    for name, _, mk in PHASES:
        if mk is None:
            continue
        end = int(marks[mk]) if mk != "end" else t1
        out[name] = (end - prev) / 1e6
        prev = end
    out["total"] = (t1 - t0) / 1e6
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=30)
    ap.add_argument("--cg2ns", action="store_true")
    ap.add_argument("vessel")
    ap.add_argument("bundle")
    ap.add_argument("floor")
    ap.add_argument("rootfs")
    ap.add_argument("seccomp", nargs="?")
    a = ap.parse_args()
    if a.cg2ns and not os.environ.get("PHASES_CG2NS"):
        os.environ["PHASES_CG2NS"] = "1"
        os.execvp("unshare", ["unshare", "-m", "--propagation", "private", sys.executable] + sys.argv)
    if os.environ.get("PHASES_CG2NS"):
        subprocess.run(["umount", "-l", "/sys/fs/cgroup"], check=True)
        subprocess.run(["mount", "-t", "cgroup2", "-o", "nsdelegate", "cgroup2", "/sys/fs/cgroup"],
                       check=True)
    tmp = tempfile.mkdtemp(prefix="vessel-phases.")
    vessels = []
    for i, spec in enumerate(a.vessel.split(",")):
        name, _, path = spec.rpartition("=")
        vessels.append((name or f"vessel{i + 1}", path))
    v, fl = {n: [] for n, _ in vessels}, []
    for r in range(a.n + 1):
        order = vessels[r % len(vessels):] + vessels[:r % len(vessels)]
        for name, path in order:
            res = run_vessel(path, os.path.join(tmp, name), a.bundle, f"ph-{r}",
                             os.path.join(tmp, "log"))
            if res and r:  # round 0 warms the seccomp cache and the page cache
                v[name].append(res)
        fres = run_floor(a.floor, a.rootfs, a.seccomp)
        if fres and r:
            fl.append(fres)
    if not all(v.values()):
        sys.exit("phases.py: a vessel never succeeded")
    med = lambda rows, k: statistics.median([x[k] for x in rows if k in x]) if any(k in x for x in rows) else None
    names = [n for n, _ in vessels]
    last = names[-1]
    print(f"{a.n} rounds; medians in ms; load average {open('/proc/loadavg').read().split()[0]}\n")
    print("| phase | " + " | ".join(names) + f" | floor | {last} - floor |")
    print("|---" * (len(names) + 3) + "|")
    for name, _, mk in PHASES + [("total", None, "total")]:
        vm = [med(v[n], name) for n in names]
        fm = med(fl, name) if mk else None
        diff = f"{vm[-1] - fm:+.2f}" if fm is not None else f"{vm[-1]:+.2f}"
        print(f"| {name} | " + " | ".join(f"{x:.2f}" for x in vm) +
              f" | {'' if fm is None else f'{fm:.2f}'} | {diff} |")


if __name__ == "__main__":
    main()
