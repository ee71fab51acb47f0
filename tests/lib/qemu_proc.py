"""Helpers for the Python tests that run QEMU themselves."""

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
