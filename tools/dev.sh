#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tools/dev.sh - the two commands of the README's quick start.
#
#   tools/dev.sh bench   install what is missing, build, run skua-bench's quick profile
#   tools/dev.sh test    install what is missing, build and run the whole test
#                        suite: normal, ThreadSanitizer and ASan+UBSan builds
#   tools/dev.sh deps    only install what is missing
#   tools/dev.sh coverage  a gcov build (build/cov), the test suite, then each
#                        lib/ file's executed lines, the least covered first:
#                        where a test is missing (not part of CI)
#
# Works on a fresh Debian 12 as root (or with sudo).  Build trees go to
# build/release, build/tsan and build/asan (test) and build/bench (bench).
# Packages are installed quietly: one line per step, apt's whole output in
# build/apt.log (or $DEV_LOG), which a failure names.  libtbb-dev and gcc's
# OpenMP are skua-bench's --compare peers; the release and bench builds
# require both (SKUA_BENCH_REQUIRE_PEERS).  libopenmpi-dev and openmpi-bin
# (mpicc, mpirun) build and run the MPI examples' tests (SKUA_WITH_MPI,
# tests/mpi.cmake); libskua itself never links MPI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=$(nproc 2>/dev/null || echo 2)
APT_LOG=${DEV_LOG:-$ROOT/build/apt.log}

PACKAGES="build-essential cmake pkg-config libck-dev libjemalloc-dev libbenchmark-dev libtbb-dev python3 clang libclang-rt-14-dev spin libopenmpi-dev openmpi-bin"

SUDO=""
apt_step() { # what, apt-get arguments...
	local what=$1 t0=$SECONDS
	shift
	printf '== %s ... ' "$what"
	if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0 "$@" \
		>>"$APT_LOG" 2>&1 </dev/null; then
		echo "done ($((SECONDS - t0)) s)"
	else
		echo "FAILED"
		echo "dev.sh: apt-get $1 failed; the whole log is $APT_LOG. Its last lines:" >&2
		tail -n 12 "$APT_LOG" | sed 's/^/  /' >&2
		exit 1
	fi
}

install_deps() {
	local missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	mkdir -p "$(dirname "$APT_LOG")"
	: >"$APT_LOG"
	apt_step "apt-get update (log: $APT_LOG)" update
	# shellcheck disable=SC2086
	apt_step "installing$missing" install -y --no-install-recommends $missing
}

build() { # dir, cmake args...
	local dir=$1
	shift
	cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; return 1; }
	cmake --build "$dir" -j "$JOBS" 2>&1 | grep -E "warning|error|Error" || true
	cmake --build "$dir" -j "$JOBS" >/dev/null
}

TOTAL_PASS=0
TOTAL_FAIL=0
TOTAL_SKIP=0
run_ctest() { # dir, label
	local dir=$1 label=$2 log
	log="$dir/ctest.log"
	echo "== $label: ctest"
	set +e
	(cd "$dir" && ctest --output-on-failure -j "$JOBS" --timeout 600) 2>&1 | tee "$log"
	set -e
	local total failed
	total=$(sed -n 's/.*tests passed, [0-9]* tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
	failed=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
	if [ -z "$total" ] || [ "$total" -eq 0 ]; then
		echo "== $label: ctest ran no test"
		TOTAL_FAIL=$((TOTAL_FAIL + 1))
		return
	fi
	local skipped
	skipped=$(grep -c '^[[:space:]]*[0-9]* - .*(Skipped)' "$log" || true)
	TOTAL_PASS=$((TOTAL_PASS + total - failed - skipped))
	TOTAL_FAIL=$((TOTAL_FAIL + failed))
	TOTAL_SKIP=$((TOTAL_SKIP + skipped))
}

case "${1:-}" in
bench)
	install_deps
	mkdir -p build
	build build/bench -DCMAKE_BUILD_TYPE=Release -DSKUA_BUILD_TESTS=OFF -DSKUA_BENCH_REQUIRE_PEERS=ON
	shift
	exec build/bench/tools/skua-bench/skua-bench "$@"
	;;
test)
	install_deps
	mkdir -p build
	build build/release -DSKUA_BUILD_TESTS=ON -DSKUA_BENCH_REQUIRE_PEERS=ON
	run_ctest build/release "release (jemalloc)"
	build build/tsan -DSKUA_SANITIZE=thread -DSKUA_DEBUG=ON -DSKUA_BUILD_TESTS=ON
	# die_after_fork=0: test_fork's children start threads (a new pool),
	# which TSan refuses by default after a multi-threaded fork.
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 die_after_fork=0 suppressions=$ROOT/tests/tsan.supp" \
		run_ctest build/tsan "ThreadSanitizer"
	build build/asan -DSKUA_SANITIZE=address -DSKUA_DEBUG=ON -DSKUA_BUILD_TESTS=ON
	ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
		run_ctest build/asan "AddressSanitizer+UndefinedBehaviorSanitizer"
	echo
	echo "$TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
	[ "$TOTAL_FAIL" -eq 0 ]
	;;
deps)
	install_deps
	;;
coverage)
	install_deps
	mkdir -p build
	rm -f build/cov/CMakeFiles/skua.dir/lib/*.gcda
	build build/cov -DCMAKE_BUILD_TYPE=Debug -DSKUA_BUILD_TESTS=ON \
		-DCMAKE_C_FLAGS="--coverage -O0" -DCMAKE_EXE_LINKER_FLAGS=--coverage
	# The consumer builds and clang's C++ checks link without gcc's gcov.
	(cd build/cov && ctest -j "$JOBS" -E 'install_consumer|doc_snippets|_clang' >ctest.log 2>&1) ||
		echo "== coverage: some tests failed (build/cov/ctest.log)"
	# A child that exits through _exit or a signal writes no counts: the
	# atfork and crash paths read as unrun.
	(cd build/cov/CMakeFiles/skua.dir/lib && gcov -n ./*.gcda 2>/dev/null) | python3 -c '
import re, sys
rows, f = {}, None
for line in sys.stdin:
    m = re.match(r"File .(.*).$", line.strip())
    if m:
        f = m.group(1)
        continue
    m = re.match(r"Lines executed:([0-9.]+)% of ([0-9]+)", line)
    if m and f and "/lib/" in f and f.endswith(".c"):
        rows[f[f.index("/lib/") + 1:]] = (float(m.group(1)), int(m.group(2)))
        f = None
for name, (pct, n) in sorted(rows.items(), key=lambda r: r[1][0]):
    print("%6.1f%% of %4d lines  %s" % (pct, n, name))
'
	;;
*)
	echo "usage: tools/dev.sh bench [skua-bench flags] | tools/dev.sh test | tools/dev.sh deps | tools/dev.sh coverage" >&2
	exit 2
	;;
esac
