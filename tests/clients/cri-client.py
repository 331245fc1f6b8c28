#!/usr/bin/python3
"""cri-client.py: a small crictl-like client of the Kubernetes CRI (runtime.v1).

Debian 12 has no crictl and no CRI stubs, but containerd embeds the API:
its binary holds the gzipped FileDescriptorProto of api.proto (package
runtime.v1), which is loaded at run time to build the message classes; the
RPCs are grpc generic unary calls.  Requests are JSON (the proto3 JSON
mapping, camelCase or the proto names); responses print as JSON.

usage: cri-client.py [--socket PATH] [--containerd BIN] [--api-cache FILE]
                     [--timeout S] CMD ARGS
  version                         RuntimeService/Version
  runp [--runtime H] POD          RunPodSandbox; POD is a PodSandboxConfig
  create POD-ID CONTAINER POD     CreateContainer (ContainerConfig, and the
                                  pod's PodSandboxConfig)
  start ID | status ID | stats ID | rm ID | stopp ID | rmp ID
  stop [-t S] ID                  StopContainer (S: grace seconds, default 0)
  exec-sync [-t S] ID CMD...      ExecSync: prints the command's stdout and
                                  stderr, exits with its exit code
  update ID RESOURCES             UpdateContainerResources (LinuxContainerResources)
  call SERVICE/METHOD REQUEST     any RPC, e.g. RuntimeService/ListContainers '{}'
  serve LISTEN                    answer calls forwarded by CRI_SERVER=LISTEN
                                  cri-client.py ... (a cheap start per call)
A JSON argument is inline when it starts with "{", else a file ("-": stdin).
An RPC that fails prints "cri-client: METHOD: CODE: message" and exits 1.

env: CRI_SOCKET (default /run/containerd/containerd.sock), CRI_CONTAINERD
     (the binary holding the API, default containerd from PATH),
     CRI_API_CACHE (--api-cache: the descriptor, saved on first use),
     CRI_SERVER (forward every call to a `serve` process at that socket; its
     own --socket and environment apply).
"""

import base64
import io
import json
import os
import socket
import sys


def forward(server, argv):
    """Run argv in a `serve` process: a call then costs a bare python start
    instead of importing grpc (~0.4 s here, 10+ s in the TCG VM)."""
    stdin = sys.stdin.read() if "-" in argv else None
    req = json.dumps({"argv": argv, "cwd": os.getcwd(), "stdin": stdin}).encode()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(server)
            s.sendall(req)
            s.shutdown(socket.SHUT_WR)
            resp = json.loads(b"".join(iter(lambda: s.recv(65536), b"")))
    except (OSError, ValueError) as e:
        print(f"cri-client: server {server}: {e}", file=sys.stderr)
        return 1
    # stdout first, as the call itself prints it (stdout is block-buffered
    # unless PYTHONUNBUFFERED is set: the order would depend on the env)
    sys.stdout.buffer.write(base64.b64decode(resp["stdout"]))
    sys.stdout.flush()
    sys.stderr.buffer.write(base64.b64decode(resp["stderr"]))
    return resp["rc"]


# Before the heavy imports, which a forwarded call does not need.
if __name__ == "__main__" and os.environ.get("CRI_SERVER") and sys.argv[1:2] != ["serve"]:
    sys.exit(forward(os.environ["CRI_SERVER"], sys.argv[1:]))

import argparse  # noqa: E402
import shutil  # noqa: E402
import zlib  # noqa: E402

import grpc  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, json_format  # noqa: E402
from google.protobuf import message_factory  # noqa: E402

PACKAGE = "runtime.v1"
GZIP_MAGIC = b"\x1f\x8b\x08\x00"
# gzip's header is 10 bytes; the FileDescriptorProto starts with field 1
# (name "api.proto") then field 2 (the package).
API_PREFIX = b"\n\tapi.proto\x12" + bytes([len(PACKAGE)]) + PACKAGE.encode()


class CriError(Exception):
    pass


def find_api_descriptor(binary):
    """The serialized FileDescriptorProto of runtime.v1's api.proto."""
    with open(binary, "rb") as f:
        data = f.read()
    view = memoryview(data)
    at = data.find(GZIP_MAGIC)
    while at >= 0:
        # a member is followed by unrelated bytes: decompressobj stops at
        # the member's end instead of failing like gzip.decompress; a few
        # KB tell whether it is the descriptor (most members are not)
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(view[at:at + 4096])
            if head.startswith(API_PREFIX):
                return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(view[at:at + (4 << 20)])
        except zlib.error:
            pass
        at = data.find(GZIP_MAGIC, at + 1)
    raise CriError(f"no {PACKAGE} api.proto descriptor in {binary}")


def load_api_descriptor(binary, cache):
    """Read from the containerd binary, or from cache (written on first
    use: scanning a 48 MB binary costs seconds in a TCG VM over 9p)."""
    if cache and os.path.exists(cache):
        with open(cache, "rb") as f:
            return f.read()
    if not binary:
        raise CriError("no containerd binary to read the CRI API from (--containerd)")
    raw = find_api_descriptor(binary)
    if cache:
        tmp = f"{cache}.{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(raw)
        os.rename(tmp, cache)
    return raw


def strip_options(msg):
    """Drop options everywhere: they are gogoproto extensions, and without
    gogo.proto in the pool they would be unknown fields at best.  map_entry
    stays: it makes a map<> field a map (a JSON object, not a list of
    key/value pairs)."""
    for field, value in msg.ListFields():
        if field.name == "options":
            map_entry = getattr(value, "map_entry", False)
            msg.ClearField("options")
            if map_entry:
                msg.options.map_entry = True
        elif field.type == field.TYPE_MESSAGE:
            values = value if field.label == field.LABEL_REPEATED else [value]
            for v in values:
                strip_options(v)


class Api:
    def __init__(self, raw):
        fdp = descriptor_pb2.FileDescriptorProto.FromString(raw)
        del fdp.dependency[:]
        strip_options(fdp)
        self.pool = descriptor_pool.DescriptorPool()
        self.pool.Add(fdp)

    def message(self, name):
        desc = self.pool.FindMessageTypeByName(f"{PACKAGE}.{name}")
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(desc)
        return message_factory.MessageFactory(self.pool).GetPrototype(desc)

    def method(self, path):
        service, _, name = path.partition("/")
        try:
            svc = self.pool.FindServiceByName(f"{PACKAGE}.{service}")
        except KeyError:
            raise CriError(f"no service {PACKAGE}.{service}") from None
        m = svc.methods_by_name.get(name)
        if m is None:
            raise CriError(f"no method {name} in {PACKAGE}.{service}")
        return m


class Client:
    def __init__(self, api, socket, timeout):
        self.api = api
        self.channel = grpc.insecure_channel(f"unix://{os.path.abspath(socket)}")
        self.timeout = timeout

    def call(self, path, request):
        """path: "RuntimeService/Version"; request: a dict or a JSON string."""
        m = self.api.method(path)
        req_cls = self.api.message(m.input_type.name)
        resp_cls = self.api.message(m.output_type.name)
        text = request if isinstance(request, str) else json.dumps(request)
        try:
            req = json_format.Parse(text, req_cls())
        except json_format.ParseError as e:
            raise CriError(f"{m.name}: bad {m.input_type.name}: {e}") from None
        rpc = self.channel.unary_unary(f"/{PACKAGE}.{path}",
                                       request_serializer=req_cls.SerializeToString,
                                       response_deserializer=resp_cls.FromString)
        try:
            return rpc(req, timeout=self.timeout)
        except grpc.RpcError as e:
            raise CriError(f"{m.name}: {e.code().name}: {e.details()}") from None


def load_json(arg):
    if arg.lstrip().startswith("{"):
        text = arg
    elif arg == "-":
        text = sys.stdin.read()
    else:
        with open(arg, encoding="utf-8") as f:
            text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise CriError(f"{arg}: not JSON: {e}") from None


def to_json(msg):
    return json_format.MessageToJson(msg, indent=2, sort_keys=True)


def cmd_exec_sync(client, a):
    resp = client.call("RuntimeService/ExecSync",
                       {"containerId": a.id, "cmd": a.cmd, "timeout": a.t})
    sys.stdout.buffer.write(resp.stdout)
    sys.stdout.flush()
    sys.stderr.buffer.write(resp.stderr)
    return resp.exit_code


# name -> (RPC, argument names, request builder)
SIMPLE = {
    "version": ("Version", [], lambda a: {}),
    "runp": ("RunPodSandbox", ["pod"],
             lambda a: {"config": load_json(a.pod), "runtimeHandler": a.runtime}),
    "create": ("CreateContainer", ["pod_id", "container", "pod"],
               lambda a: {"podSandboxId": a.pod_id, "config": load_json(a.container),
                          "sandboxConfig": load_json(a.pod)}),
    "start": ("StartContainer", ["id"], lambda a: {"containerId": a.id}),
    "status": ("ContainerStatus", ["id"], lambda a: {"containerId": a.id, "verbose": a.verbose}),
    "stats": ("ContainerStats", ["id"], lambda a: {"containerId": a.id}),
    "stop": ("StopContainer", ["id"], lambda a: {"containerId": a.id, "timeout": a.t}),
    "rm": ("RemoveContainer", ["id"], lambda a: {"containerId": a.id}),
    "stopp": ("StopPodSandbox", ["id"], lambda a: {"podSandboxId": a.id}),
    "rmp": ("RemovePodSandbox", ["id"], lambda a: {"podSandboxId": a.id}),
    "podstatus": ("PodSandboxStatus", ["id"], lambda a: {"podSandboxId": a.id}),
    "update": ("UpdateContainerResources", ["id", "resources"],
               lambda a: {"containerId": a.id, "linux": load_json(a.resources)}),
}


def parse_args(argv):
    p = argparse.ArgumentParser(prog="cri-client.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--socket", default=os.environ.get("CRI_SOCKET", "/run/containerd/containerd.sock"))
    p.add_argument("--containerd", default=os.environ.get("CRI_CONTAINERD") or shutil.which("containerd"))
    p.add_argument("--api-cache", default=os.environ.get("CRI_API_CACHE"),
                   help="file keeping the API descriptor read from --containerd")
    p.add_argument("--timeout", type=float, default=60, help="seconds per RPC")
    sub = p.add_subparsers(dest="command", required=True)
    for name, (_, args, _) in SIMPLE.items():
        s = sub.add_parser(name)
        for arg in args:
            s.add_argument(arg)
        if name == "runp":
            s.add_argument("--runtime", default="", help="runtime handler")
        if name == "status":
            s.add_argument("--verbose", action="store_true")
        if name == "stop":
            s.add_argument("-t", type=int, default=0)
    s = sub.add_parser("exec-sync")
    s.add_argument("-t", type=int, default=0, help="timeout in seconds (0: none)")
    s.add_argument("id")
    s.add_argument("cmd", nargs=argparse.REMAINDER)
    s = sub.add_parser("call")
    s.add_argument("method", help="SERVICE/METHOD")
    s.add_argument("request", help="JSON request")
    s = sub.add_parser("serve")
    s.add_argument("listen", help="unix socket to create")
    return p.parse_args(argv)


def run_captured(argv, cwd, stdin):
    """main(argv) as a forwarded call: its cwd, stdin and output."""
    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = io.TextIOWrapper(io.BytesIO()), io.TextIOWrapper(io.BytesIO())
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin or ""), out, err
    try:
        os.chdir(cwd)
        rc = main(argv)
    except SystemExit as e:  # argparse: usage errors, --help
        rc = e.code if isinstance(e.code, int) else 1
    except OSError as e:
        print(f"cri-client: {e}", file=sys.stderr)
        rc = 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    out.flush()
    err.flush()
    return {"rc": rc, "stdout": base64.b64encode(out.buffer.getvalue()).decode(),
            "stderr": base64.b64encode(err.buffer.getvalue()).decode()}


def serve(listen):
    """Answer forwarded calls (CRI_SERVER=listen cri-client.py ...), one at
    a time, until killed."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as srv:
        srv.bind(listen)
        srv.listen(8)
        while True:
            conn, _ = srv.accept()
            with conn:
                req = json.loads(b"".join(iter(lambda: conn.recv(65536), b"")))
                resp = run_captured(req["argv"], req["cwd"], req["stdin"])
                conn.sendall(json.dumps(resp).encode())


APIS = {}


def main(argv):
    a = parse_args(argv)
    if a.command == "serve":
        serve(a.listen)
    try:
        key = (a.containerd, a.api_cache)
        if key not in APIS:  # a `serve` process builds it once
            APIS[key] = Api(load_api_descriptor(a.containerd, a.api_cache))
        api = APIS[key]
        client = Client(api, a.socket, a.timeout)
        if a.command == "exec-sync":
            if not a.cmd:
                raise CriError("exec-sync: no command")
            return cmd_exec_sync(client, a)
        if a.command == "call":
            print(to_json(client.call(a.method, load_json(a.request))))
            return 0
        rpc, _, build = SIMPLE[a.command]
        print(to_json(client.call(f"RuntimeService/{rpc}", build(a))))
        return 0
    except (CriError, OSError) as e:
        print(f"cri-client: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
