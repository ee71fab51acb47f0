#!/usr/bin/python3
"""Plots of the CSV files setup_cost.py and datapath.py wrote in DIR
(default bench/results): setup-syscalls.png, setup-time.png, datapath.png.

Usage: plot.py [DIR]"""

import csv
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, "bench", "results")
LABELS = {"ifname": "patched ifname=", "dev": "patched devname=", "fds": "fds= (libvirt style)",
          "fds+open": "fds= + a threaded caller's open()",
          "baseline": "QEMU 10.0 ifname=", "tap": "tap + bridge (reference)"}


def rows(name):
    path = os.path.join(DIR, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def finish_per_queue(fig, ax, ylabel, title, name):
    """Axes over the queue count (log 2), labels, legend; save as NAME."""
    ax.set_xscale("log", base=2)
    ax.set_xlabel("queues")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(DIR, name), dpi=100)


def setup_syscalls():
    data, floor = defaultdict(list), None
    for r in rows("setup-syscalls.csv"):
        data[r["variant"]].append((int(r["queues"]), int(r["syscalls"])))
    for r in rows("setup-summary.csv"):
        floor = float(r["floor_per_queue"])
    if not data:
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for v, pts in data.items():
        pts.sort()
        ax.plot([q for q, _ in pts], [c / q for q, c in pts], marker="o", label=LABELS.get(v, v))
    if floor:
        ax.axhline(floor, color="grey", linestyle="--", label=f"floor ({floor:.1f}/queue)")
    finish_per_queue(fig, ax, "system calls per queue (netdev_add)",
                     "Setup cost: system calls per queue, fixed cost included",
                     "setup-syscalls.png")


def setup_time():
    data = defaultdict(list)
    for r in rows("setup-time.csv"):
        data[r["variant"]].append((int(r["queues"]), float(r["median_ms"]),
                                   float(r["min_ms"]), float(r["max_ms"])))
    if not data:
        return
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for v, pts in data.items():
        pts.sort()
        qs = [p[0] for p in pts]
        med = [p[1] for p in pts]
        err = [[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]]
        ax.errorbar(qs, med, yerr=err, marker="o", capsize=3, label=LABELS.get(v, v))
    finish_per_queue(fig, ax, "ms from exec to QMP ready (median, min-max)",
                     "Setup cost: wall time", "setup-time.png")


def datapath():
    data = defaultdict(list)
    accel = ""
    for r in rows("datapath.csv"):
        data[(r["variant"], int(r["queues"]))].append((float(r["tcp_mbps"]), float(r["udp_kpps"])))
        accel = r["accel"]
    if not data:
        return
    variants = [v for v in LABELS if any(k[0] == v for k in data)]
    queues = sorted({q for _, q in data})
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, idx, unit in ((axes[0], 0, "TCP Mbit/s"), (axes[1], 1, "UDP 64 B kpackets/s")):
        width = 0.8 / len(variants)
        for i, v in enumerate(variants):
            xs, meds, lo, hi = [], [], [], []
            for j, q in enumerate(queues):
                vals = sorted(x[idx] for x in data.get((v, q), []))
                if not vals:
                    continue
                m = vals[len(vals) // 2] if len(vals) % 2 else \
                    (vals[len(vals) // 2 - 1] + vals[len(vals) // 2]) / 2
                xs.append(j + i * width)
                meds.append(m)
                lo.append(m - vals[0])
                hi.append(vals[-1] - m)
            ax.bar(xs, meds, width, yerr=[lo, hi], capsize=3, label=LABELS.get(v, v))
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(queues))])
        ax.set_xticklabels([f"queues={q}" for q in queues])
        ax.set_ylabel(unit + " (median, min-max)")
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Data path, guest -> peer namespace through the macvtap (accel={accel})")
    fig.tight_layout()
    fig.savefig(os.path.join(DIR, "datapath.png"), dpi=100)


setup_syscalls()
setup_time()
datapath()
print(f"plot: wrote the PNG files in {DIR}")
