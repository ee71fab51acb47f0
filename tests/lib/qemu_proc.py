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
