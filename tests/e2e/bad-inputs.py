#!/usr/bin/python3
"""Proves: every tap netdev in tests/errors/cases.tsv that series v5 refuses
is refused, with v5's message naming the culprit, through each way of asking
for a netdev: -netdev, -net, -nic, JSON -netdev and QMP netdev_add (under
-net, multiqueue requests get QEMU's "Multiqueue tap cannot be used with
hubs" instead). On the command line the refusal is exit status 1, not a
crash or an abort (the base aborts on queues=0 and an empty fds=). Afterwards
nothing is left: no new interface in the namespace, the macvtap and its node
unchanged; on the command line QEMU is gone; over QMP QEMU still runs with
the same open fds (less only the fds the refused netdev was given, which a
failed netdev closes), so a multiqueue netdev that fails at a later queue
has rolled back the queues it had set up, and the same netdev id then takes
a good 2-queue macvtap netdev. Ends with "N bad inputs tried, N refused
cleanly, N leaks". (The good netdev passes script=no,downscript=no, as do
the table's cases that must reach the macvtap open code: v5, like QEMU 10.0,
runs the default ifup/ifdown scripts for a macvtap unless told otherwise.)"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.environ.get("BASE", "master")  # bases/BASE.conf: the base under test
sys.path.insert(0, os.path.join(TOP, "build", BASE, "qemu", "python"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
from qemu.qmp.legacy import QEMUMonitorProtocol  # noqa: E402
from qemu_proc import fds_from_3, parse_tap_opts, reap  # noqa: E402

QEMU = os.environ.get("QEMU", os.path.join(TOP, "build", BASE, "bin", "qemu-system-x86_64"))
FIRMWARE = os.path.join(TOP, "build", "firmware")
NS = f"mvtb{os.getpid()}h"
MVT = "mvt0"
FRONTENDS = os.environ.get("FRONTENDS", "netdev net nic json qmp").split()


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def ns_exec(*args):
    return run("ip", "netns", "exec", NS, *args)


def links():
    return sorted(line.split(":")[1].strip() for line in
                  run("ip", "-n", NS, "-o", "link", "show").splitlines())


class Topology:
    """A namespace with veth v0 and a macvtap on it (no peer needed)."""

    def __init__(self, workdir):
        run("ip", "netns", "add", NS)
        run("ip", "-n", NS, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
        run("ip", "-n", NS, "link", "add", "link", "v0", "name", MVT, "index",
            str(random.randint(100000, 999999)), "type", "macvtap", "mode", "bridge")
        run("ip", "-n", NS, "link", "set", MVT, "up")
        self.ifindex = ns_exec("cat", f"/sys/class/net/{MVT}/ifindex").strip()
        self.node = f"/dev/tap{self.ifindex}"
        self.devnum = ns_exec("cat", f"/sys/class/net/{MVT}/macvtap/tap{self.ifindex}/dev").strip()
        self.workdir = workdir
        self.file = os.path.join(workdir, "regular-file")
        self.loop = os.path.join(workdir, "loop")
        self.orphan = os.path.join(workdir, "orphan")
        open(self.file, "w").close()
        os.symlink("loop", self.loop)
        os.mknod(self.orphan, 0o600 | 0o020000, os.makedev(int(self.devnum.split(":")[0]), 999999))

    def expand(self, s):
        for k, v in (("@MVT@", MVT), ("@NODE@", self.node), ("@DEVNUM@", self.devnum),
                     ("@FILE@", self.file), ("@DIR@", self.workdir), ("@LOOP@", self.loop),
                     ("@ORPHAN@", self.orphan)):
            s = s.replace(k, v)
        return s

    def node_state(self):
        try:
            st = os.stat(self.node)
            return (os.major(st.st_rdev), os.minor(st.st_rdev), st.st_mode)
        except FileNotFoundError:
            return None

    def setup(self, kind):
        if kind.endswith(("no-node", "wrong-node")):
            os.rename(self.node, self.node + ".moved")
        if kind.endswith("wrong-node"):
            os.mknod(self.node, 0o600 | 0o020000, os.makedev(1, 3))
        if kind == "bridge":
            run("ip", "-n", NS, "link", "add", "br-bad", "type", "bridge")

    def restore(self, kind):
        if kind.endswith("wrong-node"):
            os.unlink(self.node)
        if kind.endswith(("no-node", "wrong-node")):
            os.rename(self.node + ".moved", self.node)
        if kind == "bridge":
            run("ip", "-n", NS, "link", "del", "br-bad")

    def prefix(self, kind):
        """How QEMU is started for a case of setup KIND."""
        if kind == "nobody":
            return ["ip", "netns", "exec", NS, "setpriv", "--reuid", "nobody",
                    "--regid", "nogroup", "--clear-groups"]
        if kind.startswith("nsenter"):
            return ["nsenter", f"--net=/run/netns/{NS}"]
        return ["ip", "netns", "exec", NS]


def given_fds(opts):
    """The fd numbers the options hand to the netdev (fd=, fds=, vhostfd=,
    vhostfds=): a refused netdev may have taken, and closed, these."""
    nums = set()
    for key, val in parse_tap_opts(opts).items():
        if key in ("fd", "fds", "vhostfd", "vhostfds") and isinstance(val, str):
            nums.update(int(x) for x in val.split(":") if x.isdigit())
    return nums


def multiqueue(opts):
    """Options that ask for several queues, once the queue count is valid."""
    d = parse_tap_opts(opts)
    return "fds" in d or "vhostfds" in d or \
        isinstance(d.get("queues"), int) and 2 <= d["queues"] <= 1024


def cli_args(frontend, opts):
    if frontend == "netdev":
        return ["-netdev", f"tap,id=n0,{opts}"]
    if frontend == "net":
        return ["-net", f"tap,{opts}"]
    if frontend == "nic":
        return ["-nic", f"tap,{opts}"]
    if frontend == "json":
        return ["-netdev", json.dumps(dict(parse_tap_opts(opts), id="n0"))]
    raise ValueError(frontend)


def base_cmd():
    return [QEMU, "-L", FIRMWARE, "-M", "none", "-nodefaults", "-display", "none"]


def open_queue_fds(topo, opts):
    """Fds 3 and 4 of the macvtap's node for cases that pass fd=/fds=."""
    if "fd" not in opts:
        return []
    return [os.open(topo.node, os.O_RDWR), os.open(topo.node, os.O_RDWR)]


def run_cli(topo, frontend, setup, opts):
    fds = open_queue_fds(topo, opts)
    try:
        p = subprocess.run(topo.prefix(setup) + base_cmd() + cli_args(frontend, opts),
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=10, **fds_from_3(fds))
        return p.returncode, p.stdout + p.stderr, None
    except subprocess.TimeoutExpired:
        return 124, "(still running after 10 s)", None
    finally:
        for fd in fds:
            os.close(fd)


class QmpQemu:
    """A QEMU with -M none and a QMP socket, started the way SETUP says."""

    def __init__(self, topo, setup, fds):
        self.sockdir = tempfile.mkdtemp(prefix="mvtb-qmp.")
        os.chmod(self.sockdir, 0o755)
        sock = os.path.join(self.sockdir, "qmp")
        self.qmp = QEMUMonitorProtocol(sock, server=True)
        os.chmod(sock, 0o777)
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(topo.prefix(setup) + base_cmd() + ["-qmp", f"unix:{sock}"],
                                     stdin=subprocess.DEVNULL, stdout=self.stderr,
                                     stderr=self.stderr, **fds_from_3(fds))
        self.qmp.accept(timeout=20)

    def fds(self):
        """QEMU's open fds: {number: what it points to}"""
        fds = {}
        for f in os.listdir(f"/proc/{self.proc.pid}/fd"):
            try:
                fds[int(f)] = os.readlink(f"/proc/{self.proc.pid}/fd/{f}")
            except FileNotFoundError:
                pass    # closed meanwhile
        return fds

    def cmd(self, name, args):
        return self.qmp.cmd_raw(name, args)

    def close(self):
        try:
            self.qmp.cmd_raw("quit", {})
        except Exception:
            pass
        reap(self.proc, self.qmp, 10)
        shutil.rmtree(self.sockdir, ignore_errors=True)


def run_qmp(topo, setup, opts):
    """netdev_add the bad netdev; returns (rc, message, leak text or None)."""
    fds = open_queue_fds(topo, opts)
    q = QmpQemu(topo, setup, fds)
    try:
        before = q.fds()
        try:
            resp = q.cmd("netdev_add", dict(parse_tap_opts(opts), id="n0"))
        except Exception as e:  # QEMU died: the QMP connection went with it
            q.proc.wait(timeout=10)
            q.stderr.seek(0)
            return 2, f"QEMU died ({type(e).__name__}, exit {q.proc.returncode}): " \
                f"{q.stderr.read().strip()}", "QEMU exited"
        after = q.fds()
        alive = q.proc.poll() is None
        if "error" not in resp:
            return 0, f"netdev_add succeeded: {resp}", None
        leak = None
        new = {n: t for n, t in after.items() if before.get(n) != t}
        gone = set(before) - set(after) - given_fds(opts)
        if not alive:
            leak = "QEMU exited"
        elif new or gone:
            leak = f"open fds changed: {len(before)} -> {len(after)}" + \
                "".join(f", new {n} -> {t}" for n, t in sorted(new.items())) + \
                "".join(f", closed {n} ({before[n]})" for n in sorted(gone))
        elif setup in ("-", "bridge"):
            # the id is free again (no queue of the refused netdev is left)
            # and a good netdev works in the same QEMU
            good = q.cmd("netdev_add", {"type": "tap", "id": "n0", "ifname": MVT,
                                        "queues": 2, "script": "no", "downscript": "no"})
            if "error" in good:
                leak = f"a good netdev_add n0 then failed: {good['error']['desc']}"
            else:
                q.cmd("netdev_del", {"id": "n0"})
                if q.fds() != after:
                    leak = "fds not back to the start after a good netdev_add/netdev_del"
        return 1, resp["error"]["desc"], leak
    except Exception as e:  # QEMU died in the good netdev_add/netdev_del
        return 1, resp["error"]["desc"], f"QEMU died afterwards ({type(e).__name__})"
    finally:
        q.close()
        for fd in fds:
            os.close(fd)


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    workdir = tempfile.mkdtemp(prefix="mvtb.")
    cases = []
    with open(os.path.join(TOP, "tests", "errors", "cases.tsv")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                cases.append(line.rstrip("\n").split("\t")[:4])   # the hint column is for the command line
    tried = refused = leaks = 0
    try:
        topo = Topology(workdir)
        links0, node0 = links(), topo.node_state()
        for frontend in FRONTENDS:
            t0, n_ok = time.time(), 0
            for name, setup, opts, expected in cases:
                opts, expected = topo.expand(opts), topo.expand(expected)
                if frontend == "net" and multiqueue(opts):
                    # -net puts the tap on a hub, which has one queue
                    expected = "Multiqueue tap cannot be used with hubs"
                tried += 1
                topo.setup(setup)
                try:
                    if frontend == "qmp":
                        rc, out, leak = run_qmp(topo, setup, opts)
                    else:
                        rc, out, leak = run_cli(topo, frontend, setup, opts)
                finally:
                    topo.restore(setup)
                why = None
                if rc in (0, 124):
                    why = f"not refused: {out.strip()}"
                elif rc != 1:
                    why = f"exit status {rc}: QEMU crashed or aborted instead of refusing: " \
                        f"{out.strip()[-200:]}"
                elif expected not in out:
                    why = f"message lacks: {expected}\n     QEMU said: {out.strip()}"
                if links() != links0:
                    leak = (leak or "") + f" interfaces now: {' '.join(links())}"
                if topo.node_state() != node0:
                    leak = (leak or "") + f" {topo.node} changed"
                if leak:
                    leaks += 1
                    why = (why + "; " if why else "") + f"LEAK: {leak.strip()}"
                if why:
                    print(f"FAIL {frontend} {name}: {why}")
                else:
                    refused += 1
                    n_ok += 1
                    msg = out.strip().splitlines()[0] if out.strip() else ""
                    print(f"  case {frontend} {name}: {msg[-110:]}")
            print(f"{'ok: ' if n_ok == len(cases) else 'FAIL: '}{frontend}: "
                  f"{n_ok} of {len(cases)} refused cleanly "
                  f"({time.time() - t0:.1f} s)")
    finally:
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)
    good = tried and refused == tried and leaks == 0
    print(f"{'ok: ' if good else 'FAIL: '}{tried} bad inputs tried, {refused} refused cleanly, "
          f"{leaks} leaks")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
