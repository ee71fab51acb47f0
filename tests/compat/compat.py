#!/usr/bin/python3
"""Proves: every tap command line of tests/compat/cases.tsv that works on the
unpatched base keeps working with the patched QEMU (or is refused, with the
row's message, where the row names a deliberate change). Each row runs with
both binaries, side by side: QEMU starts (-S), QMP "info network" shows the
netdev, the row's interfaces exist in the namespace, scripts ran, and after
"quit" nothing QEMU created is left. Writes build/reports/compat.md.
Env: QEMU (patched), BASE_QEMU (the base), CASES (another table)."""

import ctypes
import fcntl
import hashlib
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.environ.get("BASE", "master")  # bases/BASE.conf: the base under test
sys.path.insert(0, os.path.join(TOP, "build", BASE, "baseline", "qemu", "python"))
sys.path.insert(0, os.path.join(TOP, "build", BASE, "qemu", "python"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
from qemu.qmp.legacy import QEMUMonitorProtocol  # noqa: E402
from qemu_proc import fds_from_3, parse_tap_opts  # noqa: E402

QEMU = os.environ.get("QEMU", os.path.join(TOP, "build", BASE, "bin", "qemu-system-x86_64"))
BASE_QEMU = os.environ.get("BASE_QEMU",
                           os.path.join(TOP, "build", BASE, "baseline", "bin", "qemu-system-x86_64"))
CASES = os.environ.get("CASES", os.path.join(TOP, "tests", "compat", "cases.tsv"))
REPORT = os.path.join(TOP, "build", "reports", "compat.md")
FIRMWARE = os.path.join(TOP, "build", "firmware")
NS, NS_PEER, NS_BUMP = (f"cmpt{os.getpid()}{s}" for s in "hpb")
MVT = "mvt0"
# linux/if_tun.h
TUNSETIFF, TUNSETPERSIST, TUNSETIFINDEX = 0x400454ca, 0x400454cb, 0x400454da
IFF_TAP, IFF_NO_PI, IFF_VNET_HDR, IFF_MULTI_QUEUE = 0x0002, 0x1000, 0x4000, 0x0100
CLONE_NEWNET = 0x40000000
AUTO_RANGE = 400   # interface indexes the namespace may hand out during a run
procs = []         # every QEMU this test started


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def links():
    """name -> ifindex of every interface in NS"""
    out = {}
    for line in run("ip", "-n", NS, "-o", "link", "show").splitlines():
        idx, name = line.split(":")[:2]
        out[name.strip().split("@")[0]] = int(idx)
    return out


def free_index(taken):
    """A random high ifindex whose /dev/tapN does not exist (nodes are global)."""
    while True:
        n = random.randint(3000, 60000)
        if n not in taken and not os.path.exists(f"/dev/tap{n}"):
            taken.add(n)
            return n


class InNetns:
    """Run the body in NS (tun fds are created in their opener's namespace)."""

    def __enter__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{NS}", os.O_RDONLY)
        try:
            if self.libc.setns(target, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns")
        finally:
            os.close(target)

    def __exit__(self, *exc):
        if self.libc.setns(self.home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
        os.close(self.home)


def tun_open(name, flags, index=None, persist=False):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    try:
        if index:
            fcntl.ioctl(fd, TUNSETIFINDEX, struct.pack("I", index))
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode(), flags))
        if persist:
            fcntl.ioctl(fd, TUNSETPERSIST, 1)
    except BaseException:
        os.close(fd)
        raise
    return fd


class Topology:
    """NS: veth v0 (peer v1 in NS_PEER) and the macvtap MVT on v0; every
    index explicit, and NS's automatic indexes moved up to a random range
    without /dev/tapN nodes (QEMU's own taps get those)."""

    def __init__(self):
        self.taken = set()
        run("ip", "netns", "add", NS)
        run("ip", "netns", "add", NS_PEER)
        self.bump()
        run("ip", "-n", NS, "link", "add", "v0", "index", str(free_index(self.taken)),
            "type", "veth", "peer", "name", "v1", "index", str(free_index(self.taken)),
            "netns", NS_PEER)
        self.mvt_index = free_index(self.taken)
        run("ip", "-n", NS, "link", "add", "link", "v0", "name", MVT, "index",
            str(self.mvt_index), "type", "macvtap", "mode", "bridge")
        for dev in ("lo", "v0", MVT):
            run("ip", "-n", NS, "link", "set", dev, "up")
        self.node = f"/dev/tap{self.mvt_index}"
        for _ in range(50):
            if os.path.exists(self.node):
                break
            time.sleep(0.1)

    def bump(self):
        """Veths made in NS take one automatic index each (their peers go with
        NS_BUMP); repeat until the next AUTO_RANGE indexes have no /dev/tapN."""
        n = random.randint(1000, 2500)
        while True:
            run("ip", "netns", "add", NS_BUMP)
            batch = "".join(f"link add b{i} type veth peer name c{i} netns {NS_BUMP}\n"
                            for i in range(n))
            run("ip", "-n", NS, "-batch", "-", input=batch)
            self.next = 1 + max(i for name, i in links().items() if re.fullmatch(r"b\d+", name))
            run("ip", "netns", "del", NS_BUMP)
            for _ in range(100):   # the veths go with NS_BUMP, asynchronously
                if not any(re.fullmatch(r"b\d+", name) for name in links()):
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError("the helper veths did not go away")
            if not any(os.path.exists(f"/dev/tap{i}")
                       for i in range(self.next, self.next + AUTO_RANGE)):
                return
            n = random.randint(100, 500)

    def setup(self, kind):
        """Do a row's setup; returns (fds for QEMU, undo function). A tap
        made for fd= lives as long as an fd of it: it goes with QEMU."""
        what, _, name = kind.partition("=")
        vnet = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR
        if what == "-":
            return [], lambda: None
        if what in ("mvt", "mvt2"):
            return [os.open(self.node, os.O_RDWR) for _ in range(2 if what == "mvt2" else 1)], \
                lambda: None
        with InNetns():
            if what == "tap":
                return [tun_open(name, vnet, free_index(self.taken))], lambda: None
            if what == "mqtap":
                first = tun_open(name, vnet | IFF_MULTI_QUEUE, free_index(self.taken))
                return [first, tun_open(name, vnet | IFF_MULTI_QUEUE)], lambda: None
            if what in ("persist", "persist-mq"):
                mq = IFF_MULTI_QUEUE if what == "persist-mq" else 0
                os.close(tun_open(name, IFF_TAP | IFF_NO_PI | mq, free_index(self.taken), True))
                return [], lambda: run("ip", "-n", NS, "link", "del", name)
        raise ValueError(f"unknown setup {kind}")


def frontend_args(frontend, opts):
    """(machine, QEMU arguments) of a row."""
    if frontend == "netdev":
        return "none", ["-netdev", f"tap,id=n0,{opts}"]
    if frontend == "json":
        return "none", ["-netdev", json.dumps(dict(parse_tap_opts(opts), id="n0"), ensure_ascii=False)]
    if frontend == "net":
        return "pc", ["-net", "nic", "-net", f"tap,{opts}"]
    if frontend == "nic":
        return "pc", ["-nic", f"tap,{opts}"]
    if frontend == "qmp":
        return "none", []
    raise ValueError(frontend)


def shown(frontend, opts, setup):
    """The row's command line as the report shows it."""
    if frontend == "qmp":
        n = len(re.findall(r"fd\d", opts))
        pre = "".join(f"getfd fd{i}; " for i in range(n))
        text = pre + "netdev_add " + json.dumps(dict(parse_tap_opts(opts), id="n0"), ensure_ascii=False)
    else:
        text = " ".join(a if re.fullmatch(r"[-\w,=:./@é]*", a) else f"'{a}'"
                        for a in frontend_args(frontend, opts)[1])
    if setup != "-":
        text += f" (setup: {setup})"
    return text


def start(qemu, frontend, opts, fds, workdir):
    """Start QEMU in NS and connect to its QMP socket; returns
    (proc, qmp or None if QEMU exited first, stderr file)."""
    machine, args = frontend_args(frontend, opts)
    sock = os.path.join(workdir, "qmp")
    if os.path.exists(sock):
        os.unlink(sock)
    err = tempfile.TemporaryFile(mode="w+", dir=workdir)
    cli_fds = fds if frontend != "qmp" else []
    proc = subprocess.Popen(["ip", "netns", "exec", NS, qemu, "-L", FIRMWARE, "-M", machine,
                             "-nodefaults", "-display", "none", "-S",
                             "-qmp", f"unix:{sock},server=on,wait=off"] + args,
                            stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                            **fds_from_3(cli_fds))
    procs.append(proc)
    end = time.time() + 20
    while time.time() < end and proc.poll() is None:
        if os.path.exists(sock):
            qmp = QEMUMonitorProtocol(sock)
            try:
                qmp.connect()
                return proc, qmp, err
            except Exception:
                pass
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
        err.write("\n(no QMP after 20 s)")
    return proc, None, err


def stderr_text(err):
    err.seek(0)
    lines = [line for line in err.read().splitlines()
             if line.strip() and "has no peer" not in line]
    return " ".join(lines).strip()


def run_row(qemu, topo, row, workdir):
    """One row with one binary: {'ok': started with the netdev, 'text': what
    happened, 'error': QEMU's error if refused, 'leak': what is left}."""
    name, setup, frontend, raw, ifaces = row[:5]
    opts = expand(raw, workdir)
    open(os.path.join(workdir, "ifup.log"), "w").close()   # the scripts' record
    fds, undo = topo.setup(setup)
    before = links()
    res = {"ok": False, "text": "", "error": "", "leak": "", "detail": ""}
    try:
        proc, qmp, err = start(qemu, frontend, opts, fds, workdir)
        for fd in fds if frontend != "qmp" else []:
            os.close(fd)
        if qmp is None:
            res["error"] = stderr_text(err) or f"exit status {proc.returncode}"
            res["text"] = f"refused: {res['error']}"
        else:
            try:
                res.update(check_running(qmp, frontend, opts, fds, ifaces, before))
                qmp.cmd_raw("quit", {})
            except Exception as e:
                res.update(ok=False, text=f"QMP: {e}")
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                res.update(ok=False, text=res["text"] + "; did not quit in 10 s")
            try:
                qmp.close()
            except Exception:
                pass
            if res["ok"] and proc.returncode != 0:
                res.update(ok=False, text=res["text"] + f"; exit status {proc.returncode} after quit")
            if res["error"] and not res["ok"]:
                res["text"] = f"refused: {res['error']}"
        if res["ok"]:
            res["warning"] = stderr_text(err)
            res["text"] += scripts_ran(workdir, raw, res.pop("ifname", ""))
            if "FAIL" in res["text"]:
                res["ok"] = False
        err.close()
    finally:
        for fd in fds if frontend == "qmp" else []:
            os.close(fd)
        left = {}
        for _ in range(20):
            left = {n: i for n, i in links().items() if n not in before}
            if not left:
                break
            time.sleep(0.1)
        for n in left:   # only ever in our own namespace
            subprocess.run(["ip", "-n", NS, "link", "del", n], stderr=subprocess.DEVNULL)
        transient = setup.split("=")[1] if setup.split("=")[0] in ("tap", "mqtap") else None
        missing = [n for n in before if n not in links() and n != transient]
        if left or missing:
            res["leak"] = (f"left behind: {' '.join(left)} " if left else "") + \
                (f"gone: {' '.join(missing)}" if missing else "")
        undo()
    return res


def check_running(qmp, frontend, opts, fds, ifaces, before):
    res = {"ok": False, "text": "", "error": ""}
    if frontend == "qmp":
        for i, fd in enumerate(fds):
            qmp.send_fd_scm(fd)
            r = qmp.cmd_raw("getfd", {"fdname": f"fd{i}"})
            if "error" in r:
                res["text"] = f"getfd: {r['error']['desc']}"
                return res
        r = qmp.cmd_raw("netdev_add", dict(parse_tap_opts(opts), id="n0"))
        if "error" in r:
            res["error"] = r["error"]["desc"]
            return res
    info = qmp.cmd_raw("human-monitor-command", {"command-line": "info network"})
    info = info.get("return", "").replace("\r", "")
    pat = r"^n0: index=0,type=tap" if frontend in ("netdev", "json", "qmp") else r"type=tap\b"
    line = next((ln.strip() for ln in info.splitlines() if re.search(pat, ln.strip())), None)
    now = links()
    new = sorted(n for n in now if n not in before)
    wanted = [] if ifaces == "-" else [topo_expand(i) for i in ifaces.split(",")]
    missing = [i for i in wanted if i not in now]
    if line is None:
        res["text"] = f"no tap netdev in info network: {info.strip()!r}"
    elif missing:
        res["text"] = f"interface {' '.join(missing)} missing (new: {' '.join(new) or 'none'})"
    else:
        res["ok"] = True
        res["text"] = "netdev up, " + ", ".join(
            f"{i} ({'new' if i in new else 'existing'})" for i in wanted)
        res["detail"] = f"indexes {' '.join(f'{i}={now[i]}' for i in wanted)}; {line}"
        auto = [now[n] for n in new]
        if auto and max(auto) >= TOPO.next + AUTO_RANGE:
            res.update(ok=False, text=res["text"] + "; FAIL: ifindex beyond the checked range")
    m = re.search(r"ifname=([^,]*)", line or "")
    res["ifname"] = m.group(1) if m else (wanted[0] if wanted else "")
    return res


def scripts_ran(workdir, opts, ifname):
    """' script: up X, down X' for the scripts the row names; FAIL if one did not run."""
    log = open(os.path.join(workdir, "ifup.log"), errors="replace").read().split("\n")
    out = []
    for token, word in (("@SCRIPT@", "up"), ("@DOWNSCRIPT@", "down")):
        if token in opts:
            want = f"{word} {ifname}"
            out.append(want if want in log else f"FAIL: no '{want}' (log: {log})")
    return f"; scripts: {', '.join(out)}" if out else ""


TOPO = None


def topo_expand(s):
    return s.replace("@MVT@", MVT)


def expand(s, workdir):
    return topo_expand(s).replace("@SCRIPT@", os.path.join(workdir, "ifup")) \
        .replace("@DOWNSCRIPT@", os.path.join(workdir, "ifdown"))


def judge(row, base, patched):
    """(ok, patched verdict text) for a row."""
    expected, want_err = row[5], row[6]
    if not base["ok"] or base["leak"]:
        return False, "base does not work: the table is wrong"
    if patched["leak"]:
        return False, f"patched: {patched['leak']}"
    if expected == "same":
        return patched["ok"], "patched ok" if patched["ok"] else f"patched: {patched['text']}"
    if expected.startswith("warns:"):
        if not patched["ok"]:
            return False, f"patched: {patched['text']}"
        lacks = [t for t in want_err.split(" && ") if t not in patched.get("warning", "")]
        if lacks:
            return False, (f"patched warning lacks {' and '.join(repr(t) for t in lacks)}: "
                           f"{patched.get('warning') or '(no warning)'}")
        return True, "patched ok, with the warning"
    if patched["ok"]:
        return False, f"patched still accepts it ({expected})"
    lacks = [t for t in want_err.split(" && ") if t not in patched["error"]]
    if not patched["error"] or lacks:
        return False, f"patched error lacks {' and '.join(repr(t) for t in lacks)}: {patched['text']}"
    return True, "patched refused as expected"


def identity(qemu):
    """'PATH: QEMU emulator version X, built TIME, sha256 PREFIX' of a binary."""
    real = os.path.realpath(qemu)
    version = run(qemu, "-version").splitlines()[0]
    with open(real, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.stat(real).st_mtime))
    return f"{os.path.relpath(qemu, TOP)}: {version}, built {built}, sha256 {digest}"


def md(s):
    return s.replace("|", "\\|").replace("\n", " ")


def main():
    global TOPO
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    for q in (QEMU, BASE_QEMU):
        if not os.access(q, os.X_OK):
            print(f"FAIL: no QEMU binary at {q} (make build / make baseline)")
            return 1
    rows = []
    with open(CASES, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 7:
                    print(f"FAIL: {CASES}: not 7 columns: {line.strip()}")
                    return 1
                rows.append(cols)
    t0 = time.time()
    ids = (identity(BASE_QEMU), identity(QEMU))
    print(f"base:    {ids[0]}\npatched: {ids[1]}")
    workdir = tempfile.mkdtemp(prefix="cmpt.")
    os.chmod(workdir, 0o755)
    for script, word in (("ifup", "up"), ("ifdown", "down")):
        path = os.path.join(workdir, script)
        with open(path, "w") as f:
            f.write(f'#!/bin/sh\necho "{word} $1" >>{workdir}/ifup.log\n')
        os.chmod(path, 0o755)
    table, good, base_good = [], 0, 0
    try:
        TOPO = Topology()
        print(f"namespace {NS}: macvtap {MVT} index {TOPO.mvt_index}, automatic indexes "
              f"from {TOPO.next} (no /dev/tapN up to {TOPO.next + AUTO_RANGE - 1})")
        for row in rows:
            name = row[0]
            base = run_row(BASE_QEMU, TOPO, row, workdir)
            patched = run_row(QEMU, TOPO, row, workdir)
            ok, verdict = judge(row, base, patched)
            good += ok
            base_good += base["ok"] and not base["leak"]
            base_txt = ("ok" if base["ok"] else "FAIL: " + base["text"]) + \
                (f"; {base['leak']}" if base["leak"] else "")
            if ok:
                print(f"ok: {name}: base ok, {verdict}")
            else:
                print(f"FAIL: {name}: base {base_txt}; {verdict}")
            for who, r in (("base", base), ("patched", patched)):
                print(f"    {who + ':':9}{r['text']}{'; ' + r['leak'] if r['leak'] else ''}"
                      f"{' [' + r['detail'] + ']' if r['detail'] else ''}")
            exp = row[5] + (f" ({'warning' if row[5].startswith('warns:') else 'error'} contains "
                            f"{' and '.join(repr(t) for t in row[6].split(' && '))})"
                            if row[5] != "same" else "")
            cell = lambda r: ("works: " if r["ok"] else "") + r["text"] + \
                (f"; {r['leak']}" if r["leak"] else "")
            table.append(f"| {md(name)}{'' if ok else ' **FAIL**'} | "
                         f"`{md(shown(row[2], expand(row[3], '$T'), row[1]))}` | "
                         f"{md(cell(base))} | {md(cell(patched))} | {md(exp)} |")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for ns in (NS_BUMP, NS, NS_PEER):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)
    summary = (f"{len(rows)} rows: base {base_good} of {len(rows)} work, "
               f"patched {good} of {len(rows)} as expected ({time.time() - t0:.1f} s)")
    try:
        changed = (identity(BASE_QEMU), identity(QEMU)) != ids
    except (OSError, subprocess.CalledProcessError):
        changed = True
    if changed:   # e.g. rebuilt while the test ran: its results mean little
        summary += "; FAIL: a QEMU binary changed while the test ran (a build?)"
    passed = good == len(rows) and not changed
    print(f"{'ok' if passed else 'FAIL'}: {summary}")
    untimed = re.sub(r" \([0-9.]+ s\)", "", summary)
    os.makedirs(os.path.dirname(REPORT), exist_ok=True)
    with open(REPORT, "w", encoding="utf-8") as f:
        f.write("# tap command lines of the base, with the base and the patched QEMU\n\n"
                "Generated by `make compat-report` (tests/compat/compat.py, table "
                "tests/compat/cases.tsv). Each row: QEMU started with `-S`, "
                "`info network` shows the netdev, the interfaces exist in the test's "
                "namespace, scripts ran, nothing left after `quit`. `$T` is the test's "
                "temporary directory.\n\n"
                f"Base: `{os.path.relpath(BASE_QEMU, TOP)}`, patched: "
                f"`{os.path.relpath(QEMU, TOP)}`. "
                f"Summary: {untimed}.\n\n"
                "| row | command line | base 10.0.13 | patched | expected |\n"
                "| --- | --- | --- | --- | --- |\n")
        f.write("\n".join(table) + "\n")
    print(f"wrote {REPORT}")
    return 0 if passed else 1


if __name__ == "__main__":
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, _frame: sys.exit(128 + s))
    sys.exit(main())
