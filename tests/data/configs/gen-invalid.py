#!/usr/bin/env python3
"""Regenerate tests/data/configs/invalid/: NAME.json plus NAME.err, the exact
error oci_config_parse() must give for it (source "config.json").  Each case
is a small change to a valid base config, so it fails for one reason only.

    python3 tests/data/configs/gen-invalid.py
"""
import copy
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "invalid")

BASE = {
    "ociVersion": "1.2.0",
    "root": {"path": "rootfs"},
    "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", "true"], "cwd": "/",
                "env": ["PATH=/bin"]},
    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
               {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}],
    "hooks": {"poststop": [{"path": "/bin/true"}, {"path": "/bin/false"}]},
    "linux": {
        "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}],
        "resources": {"memory": {"limit": 1048576}},
        "seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO"}]},
    },
}

P = "config.json: "
CASES = []


def case(name, expected, mutate=None, raw=None):
    CASES.append((name, P + expected, mutate, raw))


def setp(path, value):
    """Mutation: set the value at a dotted path ("process.user.uid");
    integer components index lists."""
    def m(d):
        keys = path.split(".")
        for k in keys[:-1]:
            d = d[int(k)] if isinstance(d, list) else d.setdefault(k, {})
        last = keys[-1]
        if isinstance(d, list):
            d[int(last)] = value
        else:
            d[last] = value
    return m


def delp(path):
    def m(d):
        keys = path.split(".")
        for k in keys[:-1]:
            d = d[int(k)] if isinstance(d, list) else d[k]
        del d[keys[-1]]
    return m


# ---- files that are not a config object -------------------------------------
case("empty", "empty file", raw="")
case("whitespace-only", "empty file", raw=" \n\t\n")
case("truncated", "unexpected end of input (truncated file?)",
     raw='{\n\t"ociVersion": "1.2.0",\n\t"root": {"path": "roo')
case("missing-comma", "line 3, near column 4: after key and value, inside map, I expect ',' or '}'",
     raw='{\n\t"ociVersion": "1.2.0"\n\t"root": {"path": "rootfs"}\n}\n')
case("bad-literal", "line 2, near column 19: invalid string in json text",
     raw='{\n\t"ociVersion": tru\n}\n')
case("trailing-garbage", "line 1, near column 54: trailing garbage",
     raw='{"ociVersion": "1.2.0", "root": {"path": "rootfs"}} x\n')
case("invalid-utf8", "line 1, near column 45: invalid bytes in UTF8 string",
     raw=b'{"ociVersion": "1.2.0", "root": {"path": "r\xff\xfe"}}\n')
case("top-array", "expected a JSON object at the top level, got an array", raw="[1, 2]\n")
case("top-string", "expected a JSON object at the top level, got \"config\"", raw='"config"\n')

# ---- top level -------------------------------------------------------------------
case("ociversion-missing", "ociVersion: missing required field", delp("ociVersion"))
case("ociversion-number", "ociVersion: expected a string, got 1", setp("ociVersion", 1))
case("ociversion-major", "ociVersion: unsupported version \"2.0.0\" (expected 1.x)",
     setp("ociVersion", "2.0.0"))
case("root-missing", "root: missing required field", delp("root"))
case("root-path-missing", "root.path: missing required field", delp("root.path"))
case("root-readonly-string", "root.readonly: expected a boolean, got \"yes\"",
     setp("root.readonly", "yes"))
case("hostname-number", "hostname: expected a string, got 7", setp("hostname", 7))
case("annotations-value-number", "annotations[\"com.example.n\"]: expected a string, got 1",
     setp("annotations", {"com.example.ok": "x", "com.example.n": 1}))
case("annotations-empty-key", "annotations: empty key", setp("annotations", {"": "x"}))

# ---- mounts -------------------------------------------------------------------------
case("mount-destination-missing", "mounts[1].destination: missing required field",
     delp("mounts.1.destination"))
case("mount-destination-empty", "mounts[0].destination: must not be empty",
     setp("mounts.0.destination", ""))
case("mount-options-string", "mounts[0].options: expected an array, got \"rw\"",
     setp("mounts.0.options", "rw"))
case("mount-option-number", "mounts[1].options[1]: expected a string, got 5",
     setp("mounts.1.options", ["rw", 5]))
case("mount-uidmapping-size-missing", "mounts[1].uidMappings[0].size: missing required field",
     setp("mounts.1.uidMappings", [{"containerID": 0, "hostID": 1000}]))
case("mounts-not-array", "mounts: expected an array, got an object", setp("mounts", {}))
case("mount-not-object", "mounts[1]: expected an object, got \"/tmp\"", setp("mounts.1", "/tmp"))

# ---- process ------------------------------------------------------------------------
case("process-not-object", "process: expected an object, got an array", setp("process", []))
case("uid-string", "process.user.uid: expected a non-negative integer, got \"x\"",
     setp("process.user.uid", "x"))
case("uid-negative", "process.user.uid: expected a non-negative integer, got -1",
     setp("process.user.uid", -1))
case("uid-overflow", "process.user.uid: 4294967296 out of range (0 to 4294967295)",
     setp("process.user.uid", 4294967296))
case("gid-fraction", "process.user.gid: expected a non-negative integer, got 1.5",
     setp("process.user.gid", 1.5))
case("gid-exponent", "process.user.gid: expected a non-negative integer, got 1e3",
     raw='{"ociVersion": "1.2.0", "root": {"path": "r"}, "process": {"user": {"uid": 0, "gid": 1e3}, "args": ["sh"], "cwd": "/"}}')
case("gid-missing", "process.user.gid: missing required field", delp("process.user.gid"))
case("user-missing", "process.user: missing required field", delp("process.user"))
case("umask-range", "process.user.umask: 512 out of range (0 to 511)",
     setp("process.user.umask", 512))
case("additional-gid-negative", "process.user.additionalGids[2]: expected a non-negative integer, got -5",
     setp("process.user.additionalGids", [1, 2, -5]))
case("args-missing", "process.args: missing required field", delp("process.args"))
case("args-empty", "process.args: must contain at least one element", setp("process.args", []))
case("args-element-number", "process.args[1]: expected a string, got 42",
     setp("process.args", ["sh", 42]))
case("args-null", "process.args: expected an array, got null", setp("process.args", None))
case("cwd-missing", "process.cwd: missing required field", delp("process.cwd"))
case("cwd-relative", "process.cwd: expected an absolute path, got \"home\"",
     setp("process.cwd", "home"))
case("env-no-equals", "process.env[1]: invalid environment variable \"FOO\": missing '='",
     setp("process.env", ["A=1", "FOO"]))
case("env-empty-name", "process.env[0]: invalid environment variable \"=x\": empty name",
     setp("process.env", ["=x"]))
case("terminal-number", "process.terminal: expected a boolean, got 1", setp("process.terminal", 1))
case("consolesize-width-missing", "process.consoleSize.width: missing required field",
     setp("process.consoleSize", {"height": 10}))
case("capabilities-bad-name", "process.capabilities.permitted[1]: invalid capability name \"KILL\" (expected CAP_*)",
     setp("process.capabilities", {"bounding": ["CAP_KILL"], "permitted": ["CAP_CHOWN", "KILL"]}))
case("rlimit-type-unknown", "process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"",
     setp("process.rlimits", [{"type": "RLIMIT_FOO", "hard": 1, "soft": 1}]))
case("rlimit-hard-negative", "process.rlimits[0].hard: expected a non-negative integer, got -1",
     setp("process.rlimits", [{"type": "RLIMIT_NOFILE", "hard": -1, "soft": 1}]))
case("rlimit-soft-overflow", "process.rlimits[1].soft: 18446744073709551616 out of range (0 to 18446744073709551615)",
     setp("process.rlimits", [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 1},
                              {"type": "RLIMIT_CORE", "hard": 1, "soft": 18446744073709551616}]))
case("rlimit-soft-above-hard", "process.rlimits[0].soft: soft limit 2048 is above the hard limit 1024",
     setp("process.rlimits", [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 2048}]))
case("rlimit-duplicate", "process.rlimits[1].type: duplicate rlimit type \"RLIMIT_NOFILE\" (also rlimits[0])",
     setp("process.rlimits", [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 1},
                              {"type": "RLIMIT_NOFILE", "hard": 2, "soft": 2}]))
case("rlimit-type-missing", "process.rlimits[0].type: missing required field",
     setp("process.rlimits", [{"hard": 1, "soft": 1}]))
case("oom-score-range", "process.oomScoreAdj: 1001 out of range (-1000 to 1000)",
     setp("process.oomScoreAdj", 1001))
case("scheduler-policy-unknown", "process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\" (expected one of: SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE)",
     setp("process.scheduler", {"policy": "SCHED_FAST"}))
case("scheduler-policy-missing", "process.scheduler.policy: missing required field",
     setp("process.scheduler", {"nice": 1}))
case("scheduler-flag-unknown", "process.scheduler.flags[0]: unknown scheduler flag \"SCHED_FLAG_X\" (expected one of: SCHED_FLAG_RESET_ON_FORK, SCHED_FLAG_RECLAIM, SCHED_FLAG_DL_OVERRUN, SCHED_FLAG_KEEP_POLICY, SCHED_FLAG_KEEP_PARAMS, SCHED_FLAG_UTIL_CLAMP_MIN, SCHED_FLAG_UTIL_CLAMP_MAX)",
     setp("process.scheduler", {"policy": "SCHED_OTHER", "flags": ["SCHED_FLAG_X"]}))
case("scheduler-nice-range", "process.scheduler.nice: -21 out of range (-20 to 19)",
     setp("process.scheduler", {"policy": "SCHED_OTHER", "nice": -21}))
case("ioprio-class-unknown", "process.ioPriority.class: unknown io priority class \"IOPRIO_CLASS_NONE\" (expected one of: IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)",
     setp("process.ioPriority", {"class": "IOPRIO_CLASS_NONE", "priority": 0}))
case("ioprio-priority-range", "process.ioPriority.priority: 8 out of range (0 to 7)",
     setp("process.ioPriority", {"class": "IOPRIO_CLASS_BE", "priority": 8}))
case("ioprio-priority-missing", "process.ioPriority.priority: missing required field",
     setp("process.ioPriority", {"class": "IOPRIO_CLASS_BE"}))
case("cpu-affinity-bad", "process.execCPUAffinity.final: invalid cpu list \"3-1\" (expected a list like \"0-3,7\")",
     setp("process.execCPUAffinity", {"initial": "0", "final": "3-1"}))

# ---- hooks ----------------------------------------------------------------------------
case("hooks-not-array", "hooks.createRuntime: expected an array, got an object",
     setp("hooks.createRuntime", {"path": "/bin/true"}))
case("hook-path-missing", "hooks.prestart[0].path: missing required field",
     setp("hooks.prestart", [{"args": ["x"]}]))
case("hook-path-relative", "hooks.startContainer[0].path: expected an absolute path, got \"hook.sh\"",
     setp("hooks.startContainer", [{"path": "hook.sh"}]))
case("hook-args-string", "hooks.poststop[0].args: expected an array, got \"--x\"",
     setp("hooks.poststop.0.args", "--x"))
case("hook-timeout-zero", "hooks.poststop[1].timeout: must be greater than zero, got 0",
     setp("hooks.poststop.1.timeout", 0))
case("hook-timeout-string", "hooks.poststop[0].timeout: expected an integer, got \"5s\"",
     setp("hooks.poststop.0.timeout", "5s"))

# ---- linux --------------------------------------------------------------------------------
case("linux-not-object", "linux: expected an object, got an array", setp("linux", []))
case("namespace-unknown", "linux.namespaces[2].type: unknown namespace type \"pidd\" (expected one of: pid, network, mount, ipc, uts, user, cgroup, time)",
     setp("linux.namespaces.2", {"type": "pidd"}))
case("namespace-type-number", "linux.namespaces[0].type: expected a string, got 1",
     setp("linux.namespaces.0", {"type": 1}))
case("namespace-duplicate", "linux.namespaces[2].type: duplicate namespace type \"pid\" (also namespaces[0])",
     setp("linux.namespaces.2", {"type": "pid"}))
case("namespace-type-missing", "linux.namespaces[1].type: missing required field",
     setp("linux.namespaces.1", {"path": "/proc/1/ns/mnt"}))
case("namespace-path-relative", "linux.namespaces[0].path: expected an absolute path, got \"proc/1/ns/pid\"",
     setp("linux.namespaces.0", {"type": "pid", "path": "proc/1/ns/pid"}))
case("uidmapping-size-zero", "linux.uidMappings[0].size: must be greater than zero",
     setp("linux.uidMappings", [{"containerID": 0, "hostID": 1000, "size": 0}]))
case("gidmapping-hostid-string", "linux.gidMappings[0].hostID: expected a non-negative integer, got \"1000\"",
     setp("linux.gidMappings", [{"containerID": 0, "hostID": "1000", "size": 1}]))
case("timeoffset-unknown-clock", "linux.timeOffsets.realtime: unknown clock (expected monotonic or boottime)",
     setp("linux.timeOffsets", {"realtime": {"secs": 1}}))
case("timeoffset-nanosecs", "linux.timeOffsets.boottime.nanosecs: must be below 1000000000, got 1000000000",
     setp("linux.timeOffsets", {"boottime": {"secs": 1, "nanosecs": 1000000000}}))
case("device-type-unknown", "linux.devices[0].type: unknown device type \"x\" (expected one of: c, b, u, p)",
     setp("linux.devices", [{"path": "/dev/x", "type": "x", "major": 1, "minor": 1}]))
case("device-major-missing", "linux.devices[0].major: missing required field",
     setp("linux.devices", [{"path": "/dev/null", "type": "c", "minor": 3}]))
case("device-path-relative", "linux.devices[0].path: expected an absolute path, got \"dev/null\"",
     setp("linux.devices", [{"path": "dev/null", "type": "c", "major": 1, "minor": 3}]))
case("device-minor-negative", "linux.devices[0].minor: must not be negative",
     setp("linux.devices", [{"path": "/dev/null", "type": "c", "major": 1, "minor": -3}]))
case("rootfs-propagation-unknown", "linux.rootfsPropagation: unknown mount propagation \"shard\" (expected one of: shared, slave, private, unbindable, rshared, rslave, rprivate, runbindable)",
     setp("linux.rootfsPropagation", "shard"))
case("maskedpaths-relative", "linux.maskedPaths[1]: expected an absolute path, got \"proc/kcore\"",
     setp("linux.maskedPaths", ["/proc/acpi", "proc/kcore"]))
case("readonlypaths-not-array", "linux.readonlyPaths: expected an array, got \"/proc/sys\"",
     setp("linux.readonlyPaths", "/proc/sys"))
case("personality-domain-unknown", "linux.personality.domain: unknown personality domain \"LINUX64\" (expected one of: LINUX, LINUX32)",
     setp("linux.personality", {"domain": "LINUX64"}))
case("personality-domain-missing", "linux.personality.domain: missing required field",
     setp("linux.personality", {"flags": []}))
case("netdevice-bad-name", "linux.netDevices[\"eth0\"].name: invalid interface name \"a/b\"",
     setp("linux.netDevices", {"eth0": {"name": "a/b"}}))
case("netdevice-bad-host-name", "linux.netDevices[\"averyveryverylongname\"]: invalid interface name",
     setp("linux.netDevices", {"averyveryverylongname": {}}))
case("sysctl-value-number", "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got 1",
     setp("linux.sysctl", {"net.ipv4.ip_forward": 1}))
case("cgroupspath-array", "linux.cgroupsPath: expected a string, got an array",
     setp("linux.cgroupsPath", ["a"]))

# ---- linux.resources --------------------------------------------------------------------
case("memory-limit-string", "linux.resources.memory.limit: expected an integer, got \"x\"",
     setp("linux.resources.memory.limit", "x"))
case("memory-limit-overflow", "linux.resources.memory.limit: 9223372036854775808 out of range (-9223372036854775808 to 9223372036854775807)",
     setp("linux.resources.memory.limit", 9223372036854775808))
case("memory-swap-underflow", "linux.resources.memory.swap: -9223372036854775809 out of range (-9223372036854775808 to 9223372036854775807)",
     setp("linux.resources.memory.swap", -9223372036854775809))
case("memory-oomkiller-string", "linux.resources.memory.disableOOMKiller: expected a boolean, got \"true\"",
     setp("linux.resources.memory.disableOOMKiller", "true"))
case("cpu-shares-negative", "linux.resources.cpu.shares: expected a non-negative integer, got -2",
     setp("linux.resources.cpu", {"shares": -2}))
case("cpu-cpus-bad", "linux.resources.cpu.cpus: invalid cpu list \"0-\" (expected a list like \"0-3,7\")",
     setp("linux.resources.cpu", {"cpus": "0-"}))
case("blkio-weight-range", "linux.resources.blockIO.weight: 65536 out of range (0 to 65535)",
     setp("linux.resources.blockIO", {"weight": 65536}))
case("blkio-throttle-rate-missing", "linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing required field",
     setp("linux.resources.blockIO", {"throttleReadBpsDevice": [{"major": 8, "minor": 0}]}))
case("device-rule-access", "linux.resources.devices[0].access: no access in \"ax\" (expected letters of \"rwm\")",
     setp("linux.resources.devices", [{"allow": False, "access": "ax"}]))
case("device-rule-allow-missing", "linux.resources.devices[1].allow: missing required field",
     setp("linux.resources.devices", [{"allow": False}, {"type": "c"}]))
case("device-rule-allow-null", "linux.resources.devices[0].allow: expected a boolean, got null",
     setp("linux.resources.devices", [{"allow": None}]))
case("resources-not-object", "linux.resources: expected an object, got true",
     setp("linux.resources", True))
case("device-rule-type", "linux.resources.devices[0].type: unknown device type \"p\" (expected one of: a, c, b)",
     setp("linux.resources.devices", [{"allow": True, "type": "p"}]))
case("hugepage-size-bad", "linux.resources.hugepageLimits[0].pageSize: invalid page size \"2M\" (expected e.g. \"2MB\")",
     setp("linux.resources.hugepageLimits", [{"pageSize": "2M", "limit": 1}]))
case("pids-limit-missing", "linux.resources.pids.limit: missing required field",
     setp("linux.resources.pids", {}))
case("network-classid-negative", "linux.resources.network.classID: expected a non-negative integer, got -1",
     setp("linux.resources.network", {"classID": -1}))
case("rdma-not-object", "linux.resources.rdma[\"mlx5_1\"]: expected an object, got 5",
     setp("linux.resources.rdma", {"mlx5_1": 5}))
case("unified-bad-key", "linux.resources.unified[\"../memory.max\"]: invalid cgroup file name (expected \"<controller>.<file>\")",
     setp("linux.resources.unified", {"../memory.max": "1"}))

# ---- linux.seccomp ----------------------------------------------------------------------
case("seccomp-not-object", "linux.seccomp: expected an object, got \"unconfined\"",
     setp("linux.seccomp", "unconfined"))
case("seccomp-defaultaction-missing", "linux.seccomp.defaultAction: missing required field",
     delp("linux.seccomp.defaultAction"))
case("seccomp-defaultaction-unknown", "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_DENY\" (expected one of: SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)",
     setp("linux.seccomp.defaultAction", "SCMP_ACT_DENY"))
case("seccomp-default-notify", "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
     setp("linux.seccomp", {"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/l.sock"}))
case("seccomp-notify-no-listener", "linux.seccomp.syscalls[1].action: SCMP_ACT_NOTIFY requires linux.seccomp.listenerPath",
     setp("linux.seccomp.syscalls", [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                                     {"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]))
case("seccomp-listener-relative", "linux.seccomp.listenerPath: expected an absolute path, got \"agent.sock\"",
     setp("linux.seccomp.listenerPath", "agent.sock"))
case("seccomp-action-missing", "linux.seccomp.syscalls[0].action: missing required field",
     delp("linux.seccomp.syscalls.0.action"))
case("seccomp-names-missing", "linux.seccomp.syscalls[0].names: missing required field",
     delp("linux.seccomp.syscalls.0.names"))
case("seccomp-names-empty", "linux.seccomp.syscalls[0].names: must contain at least one syscall name",
     setp("linux.seccomp.syscalls.0.names", []))
case("seccomp-arch-unknown", "linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_Z80\"",
     setp("linux.seccomp.architectures", ["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]))
case("seccomp-flag-unknown", "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\" (expected one of: SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)",
     setp("linux.seccomp.flags", ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]))
case("seccomp-op-unknown", "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XOR\" (expected one of: SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ)",
     setp("linux.seccomp.syscalls.0.args", [{"index": 0, "value": 1, "op": "SCMP_CMP_XOR"}]))
case("seccomp-arg-index", "linux.seccomp.syscalls[0].args[0].index: 6 out of range (0 to 5)",
     setp("linux.seccomp.syscalls.0.args", [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]))
case("seccomp-arg-value-overflow", "linux.seccomp.syscalls[0].args[1].value: 18446744073709551616 out of range (0 to 18446744073709551615)",
     setp("linux.seccomp.syscalls.0.args", [{"index": 0, "value": 18446744073709551615, "op": "SCMP_CMP_EQ"},
                                            {"index": 1, "value": 18446744073709551616, "op": "SCMP_CMP_EQ"}]))
case("seccomp-arg-value-fraction", "linux.seccomp.syscalls[0].args[0].value: expected a non-negative integer, got 0.5",
     setp("linux.seccomp.syscalls.0.args", [{"index": 0, "value": 0.5, "op": "SCMP_CMP_EQ"}]))
case("seccomp-errnoret-negative", "linux.seccomp.syscalls[0].errnoRet: expected a non-negative integer, got -1",
     setp("linux.seccomp.syscalls.0.errnoRet", -1))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.unlink(os.path.join(OUT, f))
    for name, expected, mutate, raw in CASES:
        if raw is None:
            d = copy.deepcopy(BASE)
            mutate(d)
            raw = json.dumps(d, indent="\t") + "\n"
        if isinstance(raw, str):
            raw = raw.encode()
        with open(os.path.join(OUT, name + ".json"), "wb") as f:
            f.write(raw)
        with open(os.path.join(OUT, name + ".err"), "w") as f:
            f.write(expected + "\n")
    print(f"{len(CASES)} cases written to {OUT}")


main()
