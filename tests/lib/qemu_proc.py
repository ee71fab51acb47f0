"""Helpers for the Python tests that run QEMU themselves."""

import os
import subprocess


def reap(proc, qmp, timeout):
    """Wait up to TIMEOUT seconds for QEMU to exit (kill it after that),
    then close the QMP connection, which QEMU may have closed first."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    try:
        qmp.close()
    except Exception:
        pass


def fds_from_3(fds):
    """Popen arguments that give the child FDS as its fds 3, 4, ...:
    a preexec_fn that moves them there (via copies above, so that no fd is
    overwritten before it is moved) and the matching pass_fds."""
    def pre():
        high = [os.dup(fd) for fd in fds]
        for i, fd in enumerate(high):
            os.dup2(fd, 3 + i)
    return {"preexec_fn": pre, "pass_fds": tuple(range(3, 3 + len(fds)))}


INT_OPTS = {"queues", "poll-us", "sndbuf"}
BOOL_OPTS = {"vhost", "vhostforce", "vnet_hdr"}


def parse_tap_opts(opts):
    """-netdev tap option text -> QAPI dict with "type": "tap" (values may
    not contain ','): numbers for the integer options, booleans for on/off
    of the boolean ones, strings for the rest."""
    d = {"type": "tap"}
    for item in opts.split(","):
        key, _, val = item.partition("=")
        if key in INT_OPTS and val.lstrip("-").isdigit():
            d[key] = int(val)
        elif key in BOOL_OPTS and val in ("on", "off"):
            d[key] = val == "on"
        else:
            d[key] = val
    return d
