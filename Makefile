# The single entry point. `make demo` and `make check` are all a newcomer
# needs (as root on Debian 12 or 13); see README.md.
SHELL := /bin/bash
S := scripts
# The system emulators `make build` and `make baseline` build; `make check`
# and `make e2e-report` build x86_64 and aarch64 (the per-patch builds stay
# x86_64 only). PREFIX and DESTDIR are for `make install`/`make uninstall`.
TARGETS ?= x86_64-softmmu
PREFIX ?= /usr/local
# The base to work on (bases/$(BASE).conf): master, with the series posted
# upstream in patches/, or 10.0, with its stable backport in patches/10.0/.
# Each has its own build/$(BASE)/. `make check` tests both.
BASE ?= master
export TARGETS PREFIX DESTDIR BASE

.PHONY: help deps tree build firmware guest check demo export baseline error-report e2e-report compat-report cover-letter fuzz check-asan bench libvirt-demo install uninstall debian-patches clean

help:
	@echo "make demo      boot a guest through a macvtap with queues=4 (installs and builds first)"
	@echo "make check     every test, ending in 'N passed, N failed, N skipped'"
	@echo "make deps      install build and test dependencies (apt, root)"
	@echo "BASE=master (default: patches/ on upstream master) or BASE=10.0 (patches/10.0/ on 10.0.13)"
	@echo "make tree      build/BASE/qemu: pinned base + its series as git commits"
	@echo "make build     build build/BASE/bin/qemu-system-x86_64 (TARGETS='x86_64-softmmu aarch64-softmmu' for more)"
	@echo "make install   install the built emulators, firmware, bridge helper (PREFIX=/usr/local, DESTDIR)"
	@echo "make uninstall remove exactly what make install installed"
	@echo "make debian-patches  the series as a quilt series with DEP-3 headers: build/debian-patches/"
	@echo "make export    rewrite the series of BASE from build/BASE/qemu (base..HEAD)"
	@echo "make baseline  build the unpatched base into build/BASE/baseline/bin"
	@echo "make error-report  bad command lines, baseline vs patched: build/reports/errors.md"
	@echo "make e2e-report    end-to-end tests, baseline vs patched: build/reports/e2e.md"
	@echo "make compat-report tap command lines of the base, baseline vs patched: docs/compat-BASE.md"
	@echo "make cover-letter  refresh docs/errors-before-after.* and patches/0000-cover-letter.patch"
	@echo "make fuzz      run the libFuzzer harness (FUZZ_SECONDS, default 60)"
	@echo "make check-asan    the series' tests on an ASan/UBSan build"
	@echo "make bench     benchmarks: bench/results/*.csv and *.png (about 20 minutes)"
	@echo "make libvirt-demo  libvirt handing QEMU another namespace's macvtap: docs/libvirt-same-ifindex.txt"
	@echo "make clean     remove build outputs (keeps downloads)"

deps:
	@$(S)/deps.sh

tree: deps
	@$(S)/tree.sh

build: tree
	@$(S)/build.sh

firmware: tree
	@$(S)/firmware.sh

guest: deps
	@$(S)/guest.sh
	@if [[ " $(TARGETS) " == *" aarch64-softmmu "* ]]; then $(S)/guest.sh arm64; fi

# Both bases, each with its series, its patched build and its unpatched
# baseline (x86_64; compat table, libvirt capability probe). The aarch64 test
# runs on 10.0 (scripts/check-all.sh says what runs where).
check: TARGETS = x86_64-softmmu aarch64-softmmu
check: deps firmware guest
	@BASE=master TARGETS=x86_64-softmmu $(S)/prepare-base.sh
	@BASE=10.0 TARGETS='x86_64-softmmu aarch64-softmmu' $(S)/prepare-base.sh
	@$(S)/check-all.sh

# The demo runs the 10.0 backport: what distributions carry, and the quicker
# build on a new machine.
demo: BASE = 10.0
demo: build firmware guest
	@$(S)/demo.sh

export:
	@$(S)/export.sh

baseline: deps
	@$(S)/baseline.sh

error-report: build firmware baseline
	@$(S)/error-report.sh

e2e-report: TARGETS = x86_64-softmmu aarch64-softmmu
e2e-report: build firmware guest baseline
	@$(S)/e2e-report.sh
	@cp build/reports/e2e.md docs/e2e-before-after.md

# tests/compat/cases.tsv: tap command lines that work on the base must keep
# working (or change as the table says); run with both binaries.
compat-report: build firmware baseline
	@/usr/bin/python3 tests/compat/compat.py
	@cp build/reports/compat.md docs/compat-$(BASE).md

cover-letter: error-report
	@cp build/reports/errors.md docs/errors-before-after.md
	@cp build/reports/errors.txt docs/errors-before-after.txt
	@$(S)/cover-letter.sh

fuzz: build
	@$(S)/fuzz.sh

check-asan: build firmware guest
	@$(S)/check-asan.sh

bench: build firmware guest baseline
	@$(S)/bench.sh

libvirt-demo: build firmware guest baseline
	@set -o pipefail; bash tests/demo/libvirt-same-ifindex.sh | tee docs/libvirt-same-ifindex.txt

install: build firmware
	@$(S)/install.sh

uninstall:
	@$(S)/uninstall.sh

debian-patches: deps
	@$(S)/debian-patches.sh

clean:
	@$(S)/clean.sh
