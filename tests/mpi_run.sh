#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs an MPI example under mpirun and checks what it printed (tests/mpi.cmake).
#
#   mpi_run.sh MPIRUN NP EXPECT PROGRAM [ARGS...]
#
# Passes when mpirun exits 0 AND the output has a line matching EXPECT (an
# extended regular expression: the answer, e.g. "664579") AND a line "OK"
# (printed by rank 0 after its own checks).  Exits 77, which CTest shows as
# skipped, only when no mpirun can be found: MPIRUN (found at configure
# time) or mpirun/mpiexec on PATH.  With Open MPI it adds --oversubscribe
# (CI has 2 cores; -np 3 x 2 workers must still run) and, as root (CI is),
# --allow-run-as-root, without which Open MPI refuses to start.
# Open MPI's mpirun names itself "Open MPI", its mpiexec "OpenRTE".
# MPI_RUN_TIMEOUT (seconds, default 100) bounds the run, below the CTest
# TIMEOUT, so that a hung job is killed through mpirun, ranks included.
# MPI_RUN_NO_LEAK_CHECK=1 (ASan builds) adds detect_leaks=0 to ASAN_OPTIONS:
# the leaks are Open MPI's (tests/mpi.cmake).
set -u
[ $# -ge 4 ] || { echo "usage: mpi_run.sh MPIRUN NP EXPECT PROGRAM [ARGS...]" >&2; exit 2; }
mpirun=$1 np=$2 expect=$3
shift 3

if [ -z "$mpirun" ] || [ ! -x "$mpirun" ]; then
	mpirun=$(command -v mpirun || command -v mpiexec || true)
fi
if [ -z "$mpirun" ]; then
	echo "mpi_run: skipped: no mpirun or mpiexec (Debian: openmpi-bin; tools/dev.sh deps installs it)"
	exit 77
fi

set -- -np "$np" "$@"
if "$mpirun" --version 2>&1 | grep -Eq "Open MPI|OpenRTE"; then
	set -- --oversubscribe "$@"
	[ "$(id -u)" -eq 0 ] && set -- --allow-run-as-root "$@"
fi

if [ "${MPI_RUN_NO_LEAK_CHECK:-0}" = 1 ]; then
	# The last detect_leaks wins.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export ASAN_OPTIONS
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "+ $mpirun $*"
timeout -k 10 "${MPI_RUN_TIMEOUT:-100}" "$mpirun" "$@" >"$out" 2>&1
rc=$?
cat "$out"
if [ $rc -ne 0 ]; then
	[ $rc -eq 124 ] && echo "mpi_run: FAIL: killed after ${MPI_RUN_TIMEOUT:-100} s"
	echo "mpi_run: FAIL: mpirun exited $rc"
	exit 1
fi
grep -Eq -- "$expect" "$out" || { echo "mpi_run: FAIL: no line matches '$expect'"; exit 1; }
grep -q '^OK$' "$out" || { echo "mpi_run: FAIL: no OK line"; exit 1; }
echo "mpi_run: pass"
