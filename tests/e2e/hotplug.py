#!/usr/bin/python3
"""Proves: libvirt-style hotplug (queue fds sent over the QMP socket with
getfd, netdev_add fds=, device_add) and netdev_add ifname=MVT,queues=2,
script=no,downscript=no (v5 opens the macvtap's verified queue device; like
QEMU 10.0 it runs the default ifup/ifdown scripts for a macvtap unless told
otherwise) each give a running guest a 2-queue NIC that reaches the
peer namespace, and the guest sees the NIC go again after device_del +
netdev_del."""

import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.environ.get("BASE", "master")  # bases/BASE.conf: the base under test
sys.path.insert(0, os.path.join(TOP, "build", BASE, "qemu", "python"))
from qemu.qmp.legacy import QEMUMonitorProtocol  # noqa: E402

QEMU = os.environ.get("QEMU", os.path.join(TOP, "build", BASE, "bin", "qemu-system-x86_64"))
NS_HOST, NS_PEER = f"mvtq{os.getpid()}h", f"mvtq{os.getpid()}p"
PEER_IP, GUEST_IP, MVT = "198.18.0.1", "198.18.0.2", "mvt0"


def sh(*args):
    subprocess.run(args, check=True)


def topology_up():
    sh("ip", "netns", "add", NS_HOST)
    sh("ip", "netns", "add", NS_PEER)
    sh("ip", "-n", NS_HOST, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", NS_PEER)
    # a random high ifindex: /dev/tapN lives in the host's global devtmpfs
    sh("ip", "-n", NS_HOST, "link", "add", "link", "v0", "name", MVT,
       "index", str(random.randint(100000, 999999)), "type", "macvtap", "mode", "bridge")
    sh("ip", "-n", NS_HOST, "link", "set", "v0", "up")
    sh("ip", "-n", NS_HOST, "link", "set", MVT, "up")
    sh("ip", "-n", NS_PEER, "link", "set", "v1", "up")
    sh("ip", "-n", NS_PEER, "addr", "add", f"{PEER_IP}/24", "dev", "v1")

    def attr(name):
        return subprocess.run(["ip", "netns", "exec", NS_HOST, "cat", f"/sys/class/net/{MVT}/{name}"],
                              check=True, capture_output=True, text=True).stdout.strip()
    return attr("address"), attr("ifindex")


def topology_down():
    for ns in (NS_HOST, NS_PEER):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


class Guest:
    """QEMU with the test guest and no NIC, driven over QMP."""

    def __init__(self, workdir, name):
        self.console = os.path.join(workdir, f"{name}.log")
        sock = os.path.join(workdir, f"{name}.qmp")
        self.qmp = QEMUMonitorProtocol(sock, server=True)
        accel = open(os.path.join(TOP, "build", "accel")).read().strip() \
            if os.path.exists(os.path.join(TOP, "build", "accel")) else "tcg"
        cmd = ["timeout", "120", "ip", "netns", "exec", NS_HOST, QEMU,
               "-L", os.path.join(TOP, "build", "firmware"), "-accel", accel, "-M", "pc",
               "-smp", "2", "-m", "256", "-nodefaults", "-display", "none", "-no-reboot",
               "-serial", f"file:{self.console}", "-qmp", f"unix:{sock}",
               "-kernel", os.path.join(TOP, "build", "guest", "vmlinuz"),
               "-initrd", os.path.join(TOP, "build", "guest", "initrd.gz"),
               "-append", f"console=ttyS0 quiet panic=-1 guest.ip={GUEST_IP}/24 "
                          f"guest.peer={PEER_IP} guest.wait=90 guest.unplug=60 guest.linger=5"]
        self.stderr = open(os.path.join(workdir, f"{name}.stderr"), "w+")
        self.proc = subprocess.Popen(cmd, stderr=self.stderr, stdout=self.stderr)
        self.qmp.accept(timeout=30)

    def cmd(self, name, **args):
        resp = self.qmp.cmd_raw(name, args)
        if "error" in resp:
            raise AssertionError(f"{name} {args}: {resp['error']['desc']}")
        return resp["return"]

    def wait_for(self, regex, timeout=90):
        end = time.time() + timeout
        while time.time() < end:
            text = open(self.console, errors="replace").read() if os.path.exists(self.console) else ""
            m = re.search(regex, text)
            if m:
                return m
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"guest never printed /{regex}/")

    def evidence(self):
        self.stderr.seek(0)
        tail = open(self.console, errors="replace").read().splitlines()[-15:] \
            if os.path.exists(self.console) else []
        return "QEMU stderr:\n" + self.stderr.read() + "guest console tail:\n" + "\n".join(tail)

    def finish(self):
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        self.stop()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        try:
            self.qmp.close()
        except OSError:
            pass  # QEMU is gone already


def hotplug_case(workdir, name, mac, netdev_args, fds=()):
    g = Guest(workdir, name)
    try:
        g.wait_for(r"GUEST-RESULT boot")
        for i, fd in enumerate(fds):
            g.qmp.send_fd_scm(fd)
            g.cmd("getfd", fdname=f"fd{i}")
            os.close(fd)
        g.cmd("netdev_add", type="tap", id="hostnet0", **netdev_args)
        g.cmd("device_add", driver="virtio-net-pci", netdev="hostnet0", id="net0",
              mq=True, vectors=6, mac=mac, romfile="")
        queues = g.wait_for(r"GUEST-RESULT eth0 .*rx_queues=(\d+)").group(1)
        replies = int(g.wait_for(r"GUEST-RESULT ping .*received=(\d+)").group(1))
        g.cmd("device_del", id="net0")
        unplug = g.wait_for(r"GUEST-RESULT unplug status=(\w+)").group(1)
        g.cmd("netdev_del", id="hostnet0")
        status = g.wait_for(r"GUEST-RESULT done status=(\w+)").group(1)
        g.finish()
        if queues != "2" or replies == 0 or unplug != "ok" or status != "ok":
            raise AssertionError(f"queues={queues} replies={replies} unplug={unplug} status={status}")
        print(f"ok: {name}: hotplugged NIC has {queues} queue pairs, {replies} ping replies, "
              "unplugged again")
    except BaseException as e:
        if isinstance(e, Exception):
            print(f"FAIL: {name}: {e}\n{g.evidence()}", file=sys.stderr)
        g.stop()
        raise


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = tempfile.mkdtemp(prefix="mvtq.")
    try:
        mac, ifindex = topology_up()
        node = f"/dev/tap{ifindex}"
        hotplug_case(workdir, "hotplug-fds", mac, {"fds": "fd0:fd1"},
                     fds=[os.open(node, os.O_RDWR), os.open(node, os.O_RDWR)])
        hotplug_case(workdir, "hotplug-ifname", mac, {"ifname": MVT, "queues": 2,
                                                       "script": "no", "downscript": "no"})
    finally:
        topology_down()
        subprocess.run(["rm", "-rf", workdir])


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, subprocess.CalledProcessError):
        sys.exit(1)
