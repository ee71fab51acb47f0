#!/usr/bin/python3
"""Setup cost of a macvtap netdev, per way of attaching and per queue count.

First cut for the benchmarks issue: syscall counts come from `strace -f -c`
of the whole QEMU run minus a run without a netdev, so other threads add
noise; no floor, plots or data-path numbers yet.

For queues in QUEUES and each variant
  ifname    patched QEMU, -netdev tap,ifname=MVT,queues=N
  dev       patched QEMU, -netdev tap,dev=/dev/tapN,queues=N
  fds       patched QEMU, -netdev tap,fds=3:4:...  (fds opened here)
  baseline  unpatched QEMU, -netdev tap,ifname=MVT,queues=N,script=no,...
it runs QEMU (-M none) until QMP is ready and quits, under `strace -f -c`,
and once more without strace for the wall time from exec to the QMP
greeting. Variants alternate inside each round; ROUNDS rounds. The netdev's
syscalls are the run's total minus that of the same QEMU without a netdev
(median of the rounds). Writes bench/results/setup-cost.csv.

Usage: setup_cost.py [--quick]   (--quick: queues 1 and 4, 1 round)
"""

import csv
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATCHED = os.path.join(TOP, "build", "bin", "qemu-system-x86_64")
BASELINE = os.path.join(TOP, "build", "baseline", "bin", "qemu-system-x86_64")
NS = f"mvtb{os.getpid()}"
MVT = "mvt0"
QUICK = "--quick" in sys.argv
QUEUES = [1, 4] if QUICK else [1, 2, 4, 16, 64, 256]
ROUNDS = 1 if QUICK else 7
QMP_IN = b'{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n'


def sh(*args):
    subprocess.run(args, check=True)


def qemu_cmd(binary, netdev):
    cmd = ["ip", "netns", "exec", NS, binary, "-M", "none", "-nodefaults",
           "-display", "none", "-qmp", "stdio"]
    return cmd + (["-netdev", netdev] if netdev else [])


def run(cmd, fds=(), strace=False):
    """Run QEMU until it quits; return (syscall count or None, seconds to
    the QMP greeting)."""
    out = None
    if strace:
        out = tempfile.mktemp(prefix="strace.")
        cmd = ["strace", "-f", "-c", "-o", out] + cmd
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, pass_fds=fds)
    p.stdout.readline()                      # the QMP greeting
    ready = time.monotonic() - t0
    _, err = p.communicate(QMP_IN, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {err.decode()[-300:]}")
    calls = None
    if strace:
        text = open(out).read()
        os.unlink(out)
        m = re.search(r"^-+ -+ -+ -+ -+ -+\s*\n100\.00\s+\S+\s+\S+\s+(\d+)", text, re.M) \
            or re.search(r"\s(\d+)\s+(\d+\s+)?total$", text, re.M)
        calls = int(m.group(1))
    return calls, ready


def variants(node, n):
    return {
        "ifname": (PATCHED, f"tap,id=n0,ifname={MVT},queues={n}", 0),
        "dev": (PATCHED, f"tap,id=n0,dev={node},queues={n}", 0),
        "fds": (PATCHED, None, n),  # fds= is filled in with the fds opened
        "baseline": (BASELINE, f"tap,id=n0,ifname={MVT},queues={n},script=no,downscript=no", 0),
    }


def open_fds(node, n):
    """n queue fds of the node, as libvirt opens them; pass_fds hands them
    to QEMU under the same numbers."""
    return [os.open(node, os.O_RDWR) for _ in range(n)]


def main():
    os.makedirs(os.path.join(TOP, "bench", "results"), exist_ok=True)
    sh("ip", "netns", "add", NS)
    try:
        sh("ip", "-n", NS, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
        sh("ip", "-n", NS, "link", "add", "link", "v0", "name", MVT, "index",
           str(random.randint(100000, 999999)), "type", "macvtap", "mode", "bridge")
        idx = subprocess.run(["ip", "netns", "exec", NS, "cat", f"/sys/class/net/{MVT}/ifindex"],
                             check=True, capture_output=True, text=True).stdout.strip()
        node = f"/dev/tap{idx}"
        rows = []
        base_calls = {b: [] for b in (PATCHED, BASELINE)}
        results = {}
        for r in range(ROUNDS):
            for b in (PATCHED, BASELINE):
                base_calls[b].append(run(qemu_cmd(b, None), strace=True)[0])
            for n in QUEUES:
                for name, (binary, netdev, nfds) in variants(node, n).items():
                    fds = []
                    if nfds:
                        fds = open_fds(node, nfds)
                        netdev = "tap,id=n0,fds=" + ":".join(str(f) for f in fds)
                    calls, _ = run(qemu_cmd(binary, netdev), fds, strace=True)
                    _, ready = run(qemu_cmd(binary, netdev), fds)
                    for f in fds:
                        os.close(f)
                    results.setdefault((name, n), []).append((calls, ready))
            print(f"setup-cost: round {r + 1}/{ROUNDS} done", file=sys.stderr)
        for (name, n), vals in sorted(results.items()):
            b = PATCHED if name != "baseline" else BASELINE
            base = statistics.median(base_calls[b])
            calls = statistics.median(v[0] for v in vals) - base
            ready = statistics.median(v[1] for v in vals)
            rows.append({"variant": name, "queues": n, "netdev_syscalls": round(calls),
                         "ready_ms": round(ready * 1000, 1)})
        path = os.path.join(TOP, "bench", "results", "setup-cost.csv")
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"{'variant':10} {'queues':>6} {'syscalls':>9} {'per queue':>9} {'ready ms':>9}")
        for row in rows:
            print(f"{row['variant']:10} {row['queues']:>6} {row['netdev_syscalls']:>9} "
                  f"{row['netdev_syscalls'] / row['queues']:>9.1f} {row['ready_ms']:>9}")
        print(f"setup-cost: wrote {path}")
    finally:
        subprocess.run(["ip", "netns", "del", NS])


if __name__ == "__main__":
    main()
