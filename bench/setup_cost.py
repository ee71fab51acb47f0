#!/usr/bin/python3
"""Setup cost of a macvtap netdev: system calls per queue and wall time.

Variants (one macvtap in a network namespace of this script's own):
  ifname    patched QEMU, tap,ifname=MVT,queues=N,script=no,downscript=no
  dev       patched QEMU, tap,devname=/dev/tapX,queues=N,script=no,downscript=no
  fds       patched QEMU, tap,fds=3:4:...  (the queue fds opened here)
  baseline  unpatched QEMU 10.0, tap,ifname=MVT,queues=N,script=no,downscript=no
(script=no,downscript=no: both QEMUs run the default ifup/ifdown scripts for
a macvtap unless told otherwise, and the build tree has none.)

1. System calls. QEMU (-M none, QMP on stdio) runs under `strace -f`; the
   script sends query-name, then netdev_add. QEMU's main thread runs each
   command in one main-loop iteration, between two ppoll() calls: the
   netdev's cost is the main thread's system calls in netdev_add's
   iteration minus those in query-name's (the QMP dispatch itself). strace
   does not change which calls QEMU makes, so this count is exact and the
   same every round; it is taken once per variant and queue count.
2. Wall time from exec to QMP ready (the answer to query-status, sent at
   once): the netdev on the command line, no strace; ROUNDS rounds, the
   variants in a new random order each round; the median and the spread.
   "fds+open" adds what a fresh multi-threaded process (like libvirtd)
   takes to open the queue fds: in a process with threads, each growth of
   the fd table (at 64, 128, 256 fds) waits for an RCU grace period,
   which QEMU pays for ifname=/devname= and the caller pays for fds=.

The floor per queue is what the kernel needs to hand a queue to QEMU: the
open() plus the per-fd calls QEMU makes for a queue fd it is given (the
fds variant's slope). Memory management calls (brk, mmap, ...) are the
allocator's, not the netdev's, and are left out. Writes CSV files to OUT (default bench/results).

Usage: setup_cost.py [--quick] [OUT]   (--quick: queues 1, 4; 1 round)
"""

import csv
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "lib"))
from qemu_proc import fds_from_3  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.environ.get("BASE", "master")  # bases/BASE.conf: the base under test
PATCHED = os.path.join(TOP, "build", BASE, "bin", "qemu-system-x86_64")
BASELINE = os.path.join(TOP, "build", BASE, "baseline", "bin", "qemu-system-x86_64")
NS = f"mvtc{os.getpid()}"
MVT = "mvt0"
QUICK = "--quick" in sys.argv
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
OUT = ARGS[0] if ARGS else os.path.join(TOP, "bench", "results")
QUEUES = [1, 4] if QUICK else [1, 2, 4, 16, 64, 256]
ROUNDS = 1 if QUICK else int(os.environ.get("ROUNDS", "9"))
VARIANTS = ["ifname", "dev", "fds", "baseline"]
NOISE = {"brk", "mmap", "munmap", "madvise", "mprotect"}   # allocator, not the netdev


def sh(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def topology():
    sh("ip", "netns", "add", NS)
    sh("ip", "-n", NS, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
    sh("ip", "-n", NS, "link", "add", "link", "v0", "name", MVT, "index",
       str(random.randint(100000, 999999)), "type", "macvtap", "mode", "bridge")
    sh("ip", "-n", NS, "link", "set", MVT, "up")
    return "/dev/tap" + sh("ip", "netns", "exec", NS, "cat", f"/sys/class/net/{MVT}/ifindex").strip()


def netdev_opts(variant, n, node):
    """The tap options of a variant, as a QAPI dict."""
    if variant == "ifname":
        return {"ifname": MVT, "queues": n, "script": "no", "downscript": "no"}
    if variant == "dev":
        return {"devname": node, "queues": n, "script": "no", "downscript": "no"}
    if variant == "fds":
        return {"fds": ":".join(str(3 + i) for i in range(n))}
    return {"ifname": MVT, "queues": n, "script": "no", "downscript": "no"}


def cli(opts):
    return "tap,id=n0," + ",".join(f"{k}={v}" for k, v in opts.items())


def open_fds(variant, n, node):
    return [os.open(node, os.O_RDWR) for _ in range(n)] if variant == "fds" else []


def qemu(variant):
    return BASELINE if variant == "baseline" else PATCHED


def main_thread_windows(trace):
    """The main thread's system calls, split at its ppoll() calls."""
    lines = open(trace).read().splitlines()
    main = lines[0].split()[0]
    windows, cur, replies = [], [], []
    for line in lines:
        pid, _, call = line.partition(" ")
        call = call.strip()
        if pid != main or call.startswith("<..."):
            continue
        name = re.match(r"[a-z0-9_]+", call)
        if not name:
            continue
        name = name.group(0)
        if name == "ppoll":
            windows.append(cur)
            cur = []
            continue
        if name == "writev" and '"{\\"return\\"' in call:
            replies.append(len(windows))     # answered after window N-1 ran
        if name not in NOISE:
            cur.append(name if name != "ioctl" else "ioctl:" + call.split(",")[1].strip())
    return windows, replies


def syscalls(variant, n, node):
    """System calls of netdev_add (minus the QMP dispatch), by name."""
    fds = open_fds(variant, n, node)
    handle, trace = tempfile.mkstemp(prefix="setup-cost.", suffix=".strace")
    os.close(handle)
    cmds = ['{"execute":"qmp_capabilities"}', '{"execute":"query-name"}',
            '{"execute":"netdev_add","arguments":%s}' % json.dumps(
                dict(netdev_opts(variant, n, node), type="tap", id="n0")),
            '{"execute":"quit"}']
    try:
        p = subprocess.Popen(["ip", "netns", "exec", NS, "strace", "-f", "-qq", "-s", "24",
                              "-o", trace, qemu(variant), "-M", "none", "-nodefaults",
                              "-display", "none", "-qmp", "stdio"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             **fds_from_3(fds))
        p.stdout.readline()
        answers = []
        for c in cmds:          # one at a time: one main-loop iteration each
            p.stdin.write(c + "\n")
            p.stdin.flush()
            answers.append(p.stdout.readline())
        p.wait(timeout=60)
        if '"error"' in answers[2]:
            raise RuntimeError(f"{variant} queues={n}: {answers[2]}")
        windows, replies = main_thread_windows(trace)
        # replies: caps, query-name, netdev_add, quit; each was prepared in
        # the window before the ppoll() that precedes its writev()
        base = Counter(windows[replies[1] - 1])
        cost = Counter(windows[replies[2] - 1])
        cost.subtract(base)
        return +cost
    finally:
        for fd in fds:
            os.close(fd)
        if os.path.exists(trace):
            os.unlink(trace)


CALLER_OPEN = r"""
import os, sys, threading, time
done = threading.Event()
t = threading.Thread(target=done.wait)
t.start()                 # a caller such as libvirtd has threads
t0 = time.monotonic()
fds = [os.open(sys.argv[1], os.O_RDWR) for _ in range(int(sys.argv[2]))]
print(time.monotonic() - t0)
done.set()
"""


def caller_open_time(n, node):
    """Seconds a fresh multi-threaded process takes to open N queue fds:
    what a management layer pays for fds=. Growing the fd table of a
    process with threads waits for an RCU grace period each time, which
    this script's own (long grown, single-threaded) table never does."""
    return float(sh("ip", "netns", "exec", NS, "/usr/bin/python3", "-c", CALLER_OPEN,
                    node, str(n)).strip())


def ready_time(variant, n, node):
    """Seconds from exec to the answer to query-status."""
    fds = open_fds(variant, n, node)
    try:
        t0 = time.monotonic()
        p = subprocess.Popen(["ip", "netns", "exec", NS, qemu(variant), "-M", "none",
                              "-nodefaults", "-display", "none", "-qmp", "stdio",
                              "-netdev", cli(netdev_opts(variant, n, node))],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             **fds_from_3(fds))
        p.stdin.write('{"execute":"qmp_capabilities"}\n{"execute":"query-status"}\n')
        p.stdin.flush()
        for line in p.stdout:
            if '"status"' in line:
                break
        elapsed = time.monotonic() - t0
        p.stdin.write('{"execute":"quit"}\n')
        p.stdin.flush()
        p.communicate(timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"{variant} queues={n}: exit {p.returncode}")
        return elapsed
    finally:
        for fd in fds:
            os.close(fd)


def fit(points):
    """Least-squares line through (queues, calls): (per queue, fixed)."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x in xs)
    return slope, my - slope * mx


def main():
    if os.geteuid() != 0:
        print("setup_cost: needs root (network namespaces)")
        return 1
    variants = [v for v in VARIANTS if v != "baseline" or os.path.exists(BASELINE)]
    if "baseline" not in variants:
        print(f"setup_cost: {BASELINE} not built ('make baseline'): baseline left out")
    os.makedirs(OUT, exist_ok=True)
    try:
        node = topology()
        print(f"setup_cost: macvtap {MVT} ({node}), queues {QUEUES}, "
              f"variants {variants}, {ROUNDS} round(s) of wall times")
        rows = []
        for v in variants:
            for n in QUEUES:
                c = syscalls(v, n, node)
                rows.append((v, n, sum(c.values()), c))
                print(f"  syscalls {v:8} queues={n:<3} {sum(c.values()):5}", flush=True)
        with open(os.path.join(OUT, "setup-syscalls.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["variant", "queues", "syscalls", "by_call"])
            for v, n, total, c in rows:
                w.writerow([v, n, total, " ".join(f"{k}={c[k]}" for k in sorted(c))])

        # "fds+open": the fds variant plus what a multi-threaded caller
        # (libvirt) pays to open the queue fds it passes
        timed = variants + ["fds+open"]
        times = {(v, n): [] for v in timed for n in QUEUES}
        for r in range(ROUNDS):
            order = [(v, n) for v in variants for n in QUEUES]
            random.shuffle(order)
            for v, n in order:
                t = ready_time(v, n, node)
                times[(v, n)].append(t)
                if v == "fds":
                    times[("fds+open", n)].append(t + caller_open_time(n, node))
            print(f"  wall-time round {r + 1}/{ROUNDS} done", flush=True)
        with open(os.path.join(OUT, "setup-time.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["variant", "queues", "median_ms", "min_ms", "max_ms", "runs"])
            for (v, n), ts in times.items():
                w.writerow([v, n, f"{statistics.median(ts) * 1000:.2f}",
                            f"{min(ts) * 1000:.2f}", f"{max(ts) * 1000:.2f}", len(ts)])

        # summary
        fits = {v: fit([(n, t) for vv, n, t, _ in rows if vv == v]) for v in variants}
        floor = fits["fds"][0] + 1
        with open(os.path.join(OUT, "setup-summary.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["variant", "per_queue", "fixed", "floor_per_queue"])
            for v in variants:
                w.writerow([v, f"{fits[v][0]:.2f}", f"{fits[v][1]:.1f}", f"{floor:.2f}"])
        print()
        print(f"{'variant':10} {'syscalls/queue':>14} {'fixed':>6}   "
              + "  ".join(f"q={n:<3}" for n in QUEUES))
        for v in variants:
            print(f"{v:10} {fits[v][0]:14.2f} {fits[v][1]:6.1f}   "
                  + "  ".join(f"{t:5}" for vv, n, t, _ in rows if vv == v))
        print(f"{'floor':10} {floor:14.2f}          (open() + the fds variant's per-fd calls)")
        print()
        big = max(QUEUES)
        print(f"wall time to QMP ready, median of {ROUNDS} (ms)")
        print(f"{'variant':10} " + "  ".join(f"q={n:<6}" for n in QUEUES))
        for v in timed:
            print(f"{v:10} " + "  ".join(f"{statistics.median(times[(v, n)]) * 1000:8.1f}"
                                         for n in QUEUES))
        for ref in ("fds", "fds+open"):
            ratio = statistics.median(times[("ifname", big)]) / statistics.median(times[(ref, big)])
            print(f"ifname / {ref} at {big} queues: {ratio:.3f}")
        print(f"setup_cost: wrote {OUT}/setup-syscalls.csv, setup-time.csv, setup-summary.csv")
    finally:
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
