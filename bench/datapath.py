#!/usr/bin/python3
"""Data path through a macvtap: the series changes how the queues are
opened, not how packets move; this shows that nothing regressed.

The test guest (2 vCPUs) sends, from both vCPUs at once, a TCP stream and
then 64-byte UDP datagrams to a peer network namespace for SECONDS each;
receivers in the peer count what arrives. Variants:
  ifname    patched QEMU, tap,ifname=MVT,queues=Q,script=no,downscript=no
  fds       patched QEMU, tap,fds=3:4 (fd=3 for one queue), fds opened here
  baseline  unpatched QEMU 10.0, tap,ifname=MVT,queues=Q,script=no,downscript=no
  tap       patched QEMU, a tap QEMU creates on a bridge (reference; another
            veth pair to the same peer namespace)
for Q in QUEUES; ROUNDS rounds, all variants in a new random order each
round; median, min and max per variant, and the ratio ifname/fds.
Under TCG the emulated guest is the bottleneck, not the backend: the ratio
is what matters. KVM is used where a guest really runs under it.

Usage: datapath.py [--quick] [OUT]   (--quick: Q=1, ifname and fds, 1 round, 2 s)
"""

import csv
import gzip
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "lib"))
from qemu_proc import fds_from_3  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.environ.get("BASE", "master")  # bases/BASE.conf: the base under test
PATCHED = os.path.join(TOP, "build", BASE, "bin", "qemu-system-x86_64")
BASELINE = os.path.join(TOP, "build", BASE, "baseline", "bin", "qemu-system-x86_64")
FIRMWARE = os.path.join(TOP, "build", "firmware")
GUEST = os.path.join(TOP, "build", "guest")
WORK = os.path.join(TOP, "build", "bench")
QUICK = "--quick" in sys.argv
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
OUT = ARGS[0] if ARGS else os.path.join(TOP, "bench", "results")
QUEUES = [1] if QUICK else [1, 2]
ROUNDS = 1 if QUICK else int(os.environ.get("ROUNDS", "5"))
SECONDS = 2 if QUICK else int(os.environ.get("SECONDS_PER_TEST", "5"))
VARIANTS = ["ifname", "fds"] if QUICK else ["ifname", "fds", "baseline", "tap"]
NS_HOST, NS_PEER = f"mvtd{os.getpid()}h", f"mvtd{os.getpid()}p"
MVT = "mvt0"


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def accel():
    return sh("bash", "-c", f". '{TOP}/tests/lib/common.sh'; accel").strip()


def build_initrd():
    """The test guest's initramfs plus a static nettool."""
    os.makedirs(WORK, exist_ok=True)
    tool = os.path.join(WORK, "nettool")
    sh("gcc", "-static", "-O2", "-Wall", "-o", tool, os.path.join(TOP, "bench", "nettool.c"))
    root = tempfile.mkdtemp(prefix="bench-initrd.")
    os.makedirs(os.path.join(root, "bin"))
    shutil.copy(tool, os.path.join(root, "bin", "nettool"))
    archive = subprocess.run("find . | cpio -o -H newc --quiet", shell=True, cwd=root,
                             check=True, capture_output=True).stdout
    shutil.rmtree(root)
    initrd = os.path.join(WORK, "initrd-bench.gz")
    with open(initrd, "wb") as f:     # concatenated archives: the kernel unpacks both
        f.write(open(os.path.join(GUEST, "initrd.gz"), "rb").read())
        f.write(gzip.compress(archive))
    return tool, initrd


def topology():
    sh("ip", "netns", "add", NS_HOST)
    sh("ip", "netns", "add", NS_PEER)
    for a, b, net in (("v0", "v1", 0), ("v2", "v3", 1)):
        sh("ip", "-n", NS_HOST, "link", "add", a, "type", "veth", "peer", "name", b,
           "netns", NS_PEER)
        sh("ip", "-n", NS_HOST, "link", "set", a, "up")
        sh("ip", "-n", NS_PEER, "link", "set", b, "up")
        sh("ip", "-n", NS_PEER, "addr", "add", f"198.18.{net}.1/24", "dev", b)
    sh("ip", "-n", NS_PEER, "link", "set", "lo", "up")
    sh("ip", "-n", NS_HOST, "link", "add", "link", "v0", "name", MVT, "index",
       str(random.randint(100000, 999999)), "type", "macvtap", "mode", "bridge")
    sh("ip", "-n", NS_HOST, "link", "set", MVT, "up")
    sh("ip", "-n", NS_HOST, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", NS_HOST, "link", "set", "v2", "master", "br0")
    sh("ip", "-n", NS_HOST, "link", "set", "br0", "up")
    ifindex = sh("ip", "netns", "exec", NS_HOST, "cat", f"/sys/class/net/{MVT}/ifindex").strip()
    mac = sh("ip", "netns", "exec", NS_HOST, "cat", f"/sys/class/net/{MVT}/address").strip()
    return f"/dev/tap{ifindex}", mac


def one_run(variant, q, node, mac, initrd, script, accel_name):
    """Boot, stream, return (TCP Mbit/s, UDP kpackets/s) seen by the peer."""
    net = 1 if variant == "tap" else 0
    fds = [os.open(node, os.O_RDWR) for _ in range(q)] if variant == "fds" else []
    if variant == "ifname":
        netdev = f"tap,id=n0,ifname={MVT},queues={q},script=no,downscript=no"
    elif variant == "fds":
        netdev = "tap,id=n0," + (f"fds={':'.join(str(3 + i) for i in range(q))}" if q > 1
                                 else "fd=3")
    elif variant == "baseline":
        netdev = f"tap,id=n0,ifname={MVT},queues={q},script=no,downscript=no"
    else:
        netdev = f"tap,id=n0,ifname=qtap0,queues={q},script={script},downscript=no"
    nic = "virtio-net-pci,netdev=n0,romfile=,mac=" + (mac if net == 0 else "52:54:00:12:34:56")
    if q > 1:
        nic += f",mq=on,vectors={2 * q + 2}"
    cmd = ["ip", "netns", "exec", NS_HOST, BASELINE if variant == "baseline" else PATCHED,
           "-L", FIRMWARE, "-accel", accel_name, "-M", "pc", "-smp", "2", "-m", "256",
           "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
           "-kernel", os.path.join(GUEST, "vmlinuz"), "-initrd", initrd,
           "-append", f"console=ttyS0 quiet panic=-1 guest.ip=198.18.{net}.2/24 "
                      f"guest.peer=198.18.{net}.1 guest.ping=1 guest.bench={SECONDS}",
           "-netdev", netdev, "-device", nic]
    tool = os.path.join(WORK, "nettool")
    tcp = subprocess.Popen(["ip", "netns", "exec", NS_PEER, tool, "tcp-recv", "5001",
                            str(SECONDS), "2"], stdout=subprocess.PIPE, text=True)
    udp = subprocess.Popen(["ip", "netns", "exec", NS_PEER, tool, "udp-recv", "5002",
                            str(SECONDS)], stdout=subprocess.PIPE, text=True)
    try:
        g = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=240, **fds_from_3(fds))
        t_out = tcp.communicate(timeout=60)[0]
        u_out = udp.communicate(timeout=180)[0]
    finally:
        for p in (tcp, udp):
            if p.poll() is None:
                p.kill()
                p.wait()
        for fd in fds:
            os.close(fd)
    if "GUEST-RESULT bench udp" not in g.stdout:
        raise RuntimeError(f"{variant} q={q}: guest did not finish:\n{g.stdout[-1500:]}\n{g.stderr[-500:]}")

    def field(text, key):
        return float(text.split(f"{key}=")[1].split()[0])
    mbps = field(t_out, "bytes") * 8 / field(t_out, "seconds") / 1e6
    kpps = field(u_out, "packets") / field(u_out, "seconds") / 1e3
    return mbps, kpps


def main():
    if os.geteuid() != 0:
        print("datapath: needs root (network namespaces)")
        return 1
    variants = [v for v in VARIANTS if v != "baseline" or os.path.exists(BASELINE)]
    if "baseline" not in variants and "baseline" in VARIANTS:
        print(f"datapath: {BASELINE} not built ('make baseline'): baseline left out")
    os.makedirs(OUT, exist_ok=True)
    _, initrd = build_initrd()
    acc = accel()
    script = os.path.join(WORK, "bridge-ifup.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\nip link set \"$1\" master br0 && ip link set \"$1\" up\n")
    os.chmod(script, 0o755)
    rows = []
    try:
        node, mac = topology()
        print(f"datapath: accel={acc}, queues {QUEUES}, variants {variants}, {ROUNDS} round(s), "
              f"{SECONDS} s per stream", flush=True)
        for r in range(ROUNDS):
            order = [(v, q) for v in variants for q in QUEUES]
            random.shuffle(order)
            for v, q in order:
                t0 = time.monotonic()
                mbps, kpps = one_run(v, q, node, mac, initrd, script, acc)
                rows.append((v, q, r + 1, mbps, kpps))
                print(f"  round {r + 1} {v:8} queues={q}: TCP {mbps:8.1f} Mbit/s, "
                      f"UDP {kpps:7.1f} kpps ({time.monotonic() - t0:.0f} s)", flush=True)
    finally:
        for ns in (NS_HOST, NS_PEER):
            subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
    with open(os.path.join(OUT, "datapath.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["variant", "queues", "round", "tcp_mbps", "udp_kpps", "accel"])
        for v, q, r, mbps, kpps in rows:
            w.writerow([v, q, r, f"{mbps:.1f}", f"{kpps:.2f}", acc])
    print()
    print(f"median [min-max] of {ROUNDS} round(s), accel={acc}"
          + (" (TCG: the emulated guest is the bottleneck)" if acc == "tcg" else ""))
    summary = {}
    for q in QUEUES:
        for v in variants:
            ts = [m for vv, qq, _, m, _ in rows if vv == v and qq == q]
            us = [k for vv, qq, _, _, k in rows if vv == v and qq == q]
            summary[(v, q)] = (statistics.median(ts), statistics.median(us))
            print(f"  queues={q} {v:8} TCP {statistics.median(ts):8.1f} Mbit/s "
                  f"[{min(ts):.1f}-{max(ts):.1f}]   UDP {statistics.median(us):7.2f} kpps "
                  f"[{min(us):.2f}-{max(us):.2f}]")
        tr = summary[("ifname", q)][0] / summary[("fds", q)][0]
        ur = summary[("ifname", q)][1] / summary[("fds", q)][1]
        print(f"  queues={q} ratio ifname/fds: TCP {tr:.3f}, UDP {ur:.3f}")
    with open(os.path.join(OUT, "datapath-summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["variant", "queues", "tcp_mbps_median", "udp_kpps_median",
                    "tcp_ratio_to_fds", "udp_ratio_to_fds", "rounds", "accel"])
        for (v, q), (t, u) in summary.items():
            w.writerow([v, q, f"{t:.1f}", f"{u:.2f}", f"{t / summary[('fds', q)][0]:.3f}",
                        f"{u / summary[('fds', q)][1]:.3f}", ROUNDS, acc])
    print(f"datapath: wrote {OUT}/datapath.csv, datapath-summary.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
