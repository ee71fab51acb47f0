#!/usr/bin/python3
"""Check the macvtap section of docs/system/devices/net.rst in
build/$BASE/qemu: it must parse as reST, and every line of QEMU output it
quotes in a literal block (after "::") must have been printed by a test of
this `make check` run (build/check-logs/$BASE/*.log).

Quoted output uses example names, nodes and numbers (macvtap0, /dev/tap7,
240:1); it is matched as a pattern with those generalised."""
import glob
import os
import re
import sys

import docutils.core
import docutils.utils

top = sys.argv[1]
base = os.environ.get("BASE", "master")
rst = open(f"{top}/build/{base}/qemu/docs/system/devices/net.rst").read()
start = rst.index("macvtap and ipvtap interfaces\n")
end = rst.index("\nWindows host\n")
section = rst[start:end]

# 1. reST syntax of the section (QEMU's Sphinx substitution defined here)
text = ".. |qemu_system| replace:: qemu-system-x86_64\n\n" + section
docutils.core.publish_doctree(text, settings_overrides={
    "halt_level": docutils.utils.Reporter.WARNING_LEVEL,
    "report_level": docutils.utils.Reporter.WARNING_LEVEL})
print("reST: the macvtap section parses")

# 2. every line of QEMU output quoted in a literal block was produced by a
#    test (parsed-literal blocks are command lines, not output)
quoted = [line.strip()
          for block in re.findall(r"(?m)^(?!\.\. )[^\n]*[^:\n]::\n\n((?:    .*\n|\n)+)",
                                  section)
          for line in block.splitlines() if line.strip()]
logs = "\n".join(open(f).read() for f in glob.glob(f"{top}/build/check-logs/{base}/*.log"))


TOKENS = [
    (r"\.\.\.", ".*"),                                    # elided text
    (r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}", "[0-9a-f:]{17}"),   # MAC address
    (r"/dev/[\w.-]+", r"/dev/\S+"),                        # device nodes
    (r"macvtap\d+|eth\d+|e1000e|virtio-net-pci\.\d+", r"\S+"),  # names
    (r"\bn0\b", r"\w+"),                                  # netdev ids
    (r"\d+", r"\d+"),                                     # numbers
]
TOKEN_RE = re.compile("|".join(f"({t})" for t, _ in TOKENS))


def pattern(msg):
    out, pos = [], 0
    for m in TOKEN_RE.finditer(msg):
        out.append(re.escape(msg[pos:m.start()]))
        out.append(next(r for (t, r), g in zip(TOKENS, m.groups()) if g))
        pos = m.end()
    out.append(re.escape(msg[pos:]))
    return "".join(out)


missing = [m for m in quoted if not re.search(pattern(m), logs)]
for m in quoted:
    print(("MISSING " if m in missing else "seen    ") + m)
print(f"{len(quoted) - len(missing)} of {len(quoted)} quoted lines of QEMU "
      "output were printed by a test")
sys.exit(1 if missing or not quoted else 0)
