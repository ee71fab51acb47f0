#!/usr/bin/python3
"""Proves: faults while QEMU (series v5) runs are survived. Every macvtap
netdev here (ifname=) passes script=no,downscript=no: v5, like QEMU 10.0,
runs the default ifup/ifdown scripts for a macvtap unless told otherwise.
- netdev_add/netdev_del of a 4-queue macvtap netdev (ifname=) 100 times:
  open fds and memory stable (printed before/after);
- the macvtap deleted under a running guest: QEMU does not crash or exit,
  stays idle (no busy loop on the dead queue fds), QMP still answers
  query-status with "running", and QMP quit afterwards ends it with exit 0
  (not judged: log lines and the guest NIC's link, which v5 leaves alone);
- SIGTERM and QMP quit at run time, for a tap QEMU creates: the downscript
  runs, no interface that QEMU created is left; for a 4-queue macvtap: exit
  0, the macvtap and its node are untouched;
- SIGTERM while the ifup script runs at startup: nothing is left (QEMU has
  no SIGTERM handler yet, so no downscript either);
- the macvtap deleted between v5's lookup (rtnetlink, sysfs) and the open of
  queue 1 or 2 of /dev/tapN: exit 1 with "could not open /dev/tapN, the
  queue device M:m of mvt0: <strerror>" (ENOENT, or ENODEV/ENXIO if the
  node outlives the interface for a moment), and no interface is left."""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.environ.get("BASE", "master")  # bases/BASE.conf: the base under test
sys.path.insert(0, os.path.join(TOP, "build", BASE, "qemu", "python"))
sys.path.insert(0, os.path.join(TOP, "tests", "lib"))
from qemu.qmp.legacy import QEMUMonitorProtocol  # noqa: E402
from qemu_proc import reap  # noqa: E402

QEMU = os.environ.get("QEMU", os.path.join(TOP, "build", BASE, "bin", "qemu-system-x86_64"))
FIRMWARE = os.path.join(TOP, "build", "firmware")
GUEST = os.path.join(TOP, "build", "guest")
NS = f"mvtf{os.getpid()}h"
MVT = "mvt0"
ROUNDS = int(os.environ.get("FAULT_ROUNDS", "100"))
failures = []


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def links():
    return sorted(line.split(":")[1].strip() for line in
                  run("ip", "-n", NS, "-o", "link", "show").splitlines())


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def macvtap_up():
    run("ip", "-n", NS, "link", "add", "link", "v0", "name", MVT, "index",
        str(random.randint(100000, 999999)), "type", "macvtap", "mode", "bridge")
    run("ip", "-n", NS, "link", "set", MVT, "up")
    ifindex = run("ip", "netns", "exec", NS, "cat", f"/sys/class/net/{MVT}/ifindex").strip()
    mac = run("ip", "netns", "exec", NS, "cat", f"/sys/class/net/{MVT}/address").strip()
    devnum = run("ip", "netns", "exec", NS, "cat",
                 f"/sys/class/net/{MVT}/macvtap/tap{ifindex}/dev").strip()
    return f"/dev/tap{ifindex}", mac, devnum


class Qemu:
    """QEMU in the namespace with a QMP socket; PID is QEMU's own."""

    def __init__(self, workdir, name, args, accept=True):
        self.sock = os.path.join(workdir, f"{name}.qmp")
        self.log = os.path.join(workdir, f"{name}.log")
        self.qmp = QEMUMonitorProtocol(self.sock, server=True)
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", NS, QEMU, "-L", FIRMWARE, "-nodefaults",
             "-display", "none", "-qmp", f"unix:{self.sock}"] + args,
            stdin=subprocess.DEVNULL, stdout=open(self.log, "w"), stderr=subprocess.STDOUT)
        if accept:
            self.qmp.accept(timeout=60)

    def cmd(self, name, **args):
        resp = self.qmp.cmd_raw(name, args)
        if "error" in resp:
            raise AssertionError(f"{name} {args}: {resp['error']['desc']}")
        return resp["return"]

    def fds(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def output(self):
        with open(self.log) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        reap(self.proc, self.qmp, 20)


def churn(workdir):
    """netdev_add/netdev_del of a 4-queue macvtap netdev, ROUNDS times."""
    q = Qemu(workdir, "churn", ["-M", "none"])
    try:
        def cycle():
            q.cmd("netdev_add", type="tap", id="n0", ifname=MVT, queues=4,
                  script="no", downscript="no")
            q.cmd("netdev_del", id="n0")
        for _ in range(10):   # let the allocator settle first
            cycle()
        fds0, rss0 = q.fds(), q.rss_kib()
        for _ in range(ROUNDS):
            cycle()
        fds1, rss1 = q.fds(), q.rss_kib()
        print(f"     {ROUNDS} x netdev_add/netdev_del ifname={MVT},queues=4: "
              f"open fds {fds0} -> {fds1}, VmRSS {rss0} -> {rss1} KiB")
        check(fds1 == fds0, f"churn: open fds stable ({fds0} -> {fds1})")
        if os.environ.get("FAULT_NO_RSS"):
            print("     (memory not judged: ASan's quarantine holds freed memory; "
                  "LeakSanitizer checks for leaks instead)")
        else:
            check(rss1 - rss0 < 1024, f"churn: memory stable (VmRSS +{rss1 - rss0} KiB, "
                  "limit 1024)")
    finally:
        q.stop()


def deleted_under_guest(workdir, mac):
    """Delete the macvtap while a guest uses it. guest.carrier=120 only
    keeps the guest busy (it waits up to 120 s for a carrier change)."""
    accel = open(os.path.join(TOP, "build", "accel")).read().strip() \
        if os.path.exists(os.path.join(TOP, "build", "accel")) else "tcg"
    q = Qemu(workdir, "guest", [
        "-accel", accel, "-M", "pc", "-smp", "2", "-m", "256", "-no-reboot",
        "-serial", f"file:{workdir}/console.log",
        "-kernel", os.path.join(GUEST, "vmlinuz"), "-initrd", os.path.join(GUEST, "initrd.gz"),
        "-append", "console=ttyS0 quiet panic=-1 guest.ip=198.18.0.2/24 "
                   "guest.carrier=120 guest.linger=30",
        "-netdev", f"tap,id=hostnet0,ifname={MVT},queues=2,script=no,downscript=no",
        "-device", f"virtio-net-pci,netdev=hostnet0,mq=on,vectors=6,mac={mac},romfile="])
    try:
        console = os.path.join(workdir, "console.log")

        def guest_said(text, timeout):
            end = time.time() + timeout
            while time.time() < end:
                if text in open(console).read():
                    return True
                time.sleep(0.2)
            return False
        check(guest_said("GUEST-RESULT carrier state=1", 120),
              "deleted: guest up, its NIC has carrier")
        time.sleep(2)
        c0 = q.cpu_seconds()
        time.sleep(5)
        idle = q.cpu_seconds() - c0
        run("ip", "-n", NS, "link", "del", MVT)
        time.sleep(1)
        c0 = q.cpu_seconds()
        time.sleep(5)
        after = q.cpu_seconds() - c0
        print(f"     QEMU CPU over 5 s: {idle:.2f} s before the deletion, {after:.2f} s after")
        check(q.proc.poll() is None, "deleted: QEMU still running")
        check(after <= idle * 1.5 + 0.25, f"deleted: QEMU stays idle ({after:.2f} s CPU in 5 s, "
              f"{idle:.2f} s before)")
        try:
            status = q.cmd("query-status")["status"]
        except Exception as e:   # QEMU gone, or QMP dead
            status = f"no answer: {type(e).__name__}: {e}"
        check(status == "running", f"deleted: QMP answers query-status: {status}")
        # the guest was still running (it waits for a carrier change) when
        # quit ends QEMU: its teardown of the dead queues must not crash
        try:
            q.cmd("quit")
        except Exception:
            pass    # QEMU may close the connection before its answer
        try:
            q.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        check(q.proc.returncode == 0,
              f"deleted: QMP quit afterwards: exit {q.proc.returncode}"
              + "".join(f"; QEMU said: {line}" for line in q.output().splitlines()
                        if "qemu-system" in line or "Assertion" in line)[:600])
    finally:
        q.stop()


def plain_tap_signals(workdir):
    """SIGTERM / quit at run time and SIGTERM during the ifup script."""
    record = os.path.join(workdir, "scripts.log")
    ifup = os.path.join(workdir, "ifup.sh")
    ifdown = os.path.join(workdir, "ifdown.sh")
    with open(ifup, "w") as f:
        f.write(f"#!/bin/sh\necho \"up $1\" >>{record}\n"
                f"[ ! -e {workdir}/slow ] || sleep 3\n")
    with open(ifdown, "w") as f:
        f.write(f"#!/bin/sh\necho \"down $1\" >>{record}\n")
    os.chmod(ifup, 0o755)
    os.chmod(ifdown, 0o755)
    before = links()

    def scripts_ran():
        with open(record) if os.path.exists(record) else open(os.devnull) as f:
            return f.read().split()

    for how in ("sigterm", "quit"):
        open(record, "w").close()
        q = Qemu(workdir, f"tap-{how}", ["-M", "none", "-netdev",
                 f"tap,id=n0,ifname=qtap0,script={ifup},downscript={ifdown}"])
        had = "qtap0" in links()
        if how == "quit":
            q.cmd("quit")
        q.stop()
        check(had and q.proc.returncode == 0 and links() == before and
              scripts_ran() == ["up", "qtap0", "down", "qtap0"],
              f"{how} at run time: tap existed ({had}), exit {q.proc.returncode}, "
              f"interfaces back to {before}, scripts: {' '.join(scripts_ran())}")

    open(record, "w").close()
    open(os.path.join(workdir, "slow"), "w").close()
    q = Qemu(workdir, "tap-startup", ["-M", "none", "-netdev",
             f"tap,id=n0,ifname=qtap0,script={ifup},downscript={ifdown}"], accept=False)
    end = time.time() + 20
    while time.time() < end and "up" not in scripts_ran():
        time.sleep(0.05)
    q.proc.send_signal(signal.SIGTERM)
    q.proc.wait(timeout=30)
    q.stop()   # closes its never-accepted QMP listener (else a later GC complains)
    time.sleep(3.5)   # the ifup script's sleep has ended
    ran = scripts_ran()
    # QEMU installs its SIGTERM handler only after it has created the
    # backends (system/vl.c, qemu_init_displays()): until then SIGTERM
    # ends it at once, the downscript cannot run, and the kernel deletes
    # the tap as its last fd closes. What must hold: nothing is left.
    check(links() == before and ran[:2] == ["up", "qtap0"],
          f"SIGTERM during ifup: exit {q.proc.returncode}, interfaces back to {before}, "
          f"scripts: {' '.join(ran)}")
    if ran == ["up", "qtap0"]:
        print("     (QEMU was ended before it handles SIGTERM: no downscript, "
              "and the kernel removed qtap0 with its fd)")
    os.unlink(os.path.join(workdir, "slow"))


def vanish(node, devnum, when):
    """The macvtap deleted between lookup and open of queue WHEN: strace
    holds that open() of the node for 3 s, and the test deletes the macvtap
    in that window (a real deletion, only the window is widened)."""
    before = [link for link in links() if not link.startswith(MVT + "@")]
    p = subprocess.Popen(
        ["ip", "netns", "exec", NS, "strace", "-f", "-qq", "-o", "/dev/null", "-P", node,
         "-e", "trace=openat", "-e", f"inject=openat:delay_enter=3000000:when={when}",
         QEMU, "-M", "none", "-nodefaults", "-display", "none",
         "-netdev", f"tap,id=n0,ifname={MVT},queues=2,script=no,downscript=no"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # LeakSanitizer cannot run under ptrace (ASan builds only)
        env=dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0"))
    # wait until QEMU (strace's child) sits in that held openat() (257):
    # the same openat for 0.5 s, as no other open takes that long
    end, held, seen, since = time.time() + 30, False, None, 0.0
    while time.time() < end and not held and p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/task/{p.pid}/children") as f:
                qemu = f.read().split()
            with open(f"/proc/{qemu[0]}/syscall") as f:
                now = f.read()
        except (OSError, IndexError):
            now = None
        if now is None or not now.startswith("257 ") or now != seen:
            seen, since = now, time.time()
        held = seen is not None and seen.startswith("257 ") and time.time() - since >= 0.5
        time.sleep(0.02)
    run("ip", "-n", NS, "link", "del", MVT)
    out = p.communicate(timeout=30)[0].strip()
    # the node goes with the macvtap (ENOENT); should devtmpfs still have
    # it at the open, the kernel answers ENODEV or ENXIO
    said = [x for x in out.splitlines() if "qemu-system" in x][-1:]
    want = f"could not open {node}, the queue device {devnum} of {MVT}: "
    why = [w for w in ("No such file or directory", "No such device",
                       "No such device or address") if said and said[0].endswith(want + w)]
    check(held and p.returncode == 1 and why and links() == before,
          f"vanish at open {when} of 2: exit {p.returncode}, said: {said}")


def macvtap_signals(workdir, node):
    before, st0 = links(), os.stat(node)
    for how in ("sigterm", "quit"):
        q = Qemu(workdir, f"mvt-{how}", ["-M", "none", "-netdev",
                 f"tap,id=n0,ifname={MVT},queues=4,script=no,downscript=no"])
        if how == "quit":
            q.cmd("quit")
        q.stop()
        st = os.stat(node)
        check(q.proc.returncode == 0 and links() == before and
              (st.st_rdev, st.st_mode, st.st_uid) == (st0.st_rdev, st0.st_mode, st0.st_uid),
              f"macvtap {how}: exit {q.proc.returncode}, interfaces unchanged, {node} unchanged")


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    workdir = tempfile.mkdtemp(prefix="mvtf.")
    try:
        run("ip", "netns", "add", NS)
        run("ip", "-n", NS, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
        run("ip", "-n", NS, "link", "set", "v0", "up")
        node, mac, devnum = macvtap_up()
        churn(workdir)
        macvtap_signals(workdir, node)
        plain_tap_signals(workdir)
        for when in (1, 2):
            vanish(node, devnum, when)
            node, mac, devnum = macvtap_up()
        deleted_under_guest(workdir, mac)
    finally:
        subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(failures)} fault check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
