#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tools/scaling_run.sh - the prepared scaling run of issue 12, part 3 (and
# docs/scaling.md), for a lent many-core machine: fork/join beside Lace and
# serial (bench/forkjoin_peers: fib 35, nqueens 12 array, utree; task.h and
# autotask.h forms) and skua-bench's kernels, at each worker count, into
# OUT (default ./scaling-out).  Build here, stage the shared libraries the
# other machine may lack (jemalloc, TBB, libgomp) into the build dir, then
# carry the build dir (about 10 MB with them):
#
#   cmake -S . -B build/scale -DCMAKE_BUILD_TYPE=Release -DSKUA_LACE_DIR=<lace>
#   cmake --build build/scale --target forkjoin_peers skua-bench
#   tools/scaling_run.sh --stage build/scale
#   (there) tools/scaling_run.sh build/scale "1 2 4 8 16" "$OUT"
#
# About 2 minutes on 16 cores.  Record the files in docs/data.
set -eu
bins="bench/forkjoin_peers tools/skua-bench/skua-bench"
if [ "${1:-}" = "--stage" ]; then
	build=${2:?usage: tools/scaling_run.sh --stage BUILD_DIR}
	mkdir -p "$build/runlibs"
	for b in $bins; do ldd "$build/$b"; done |
	    awk '/=> \// { print $3 }' |
	    grep -v -e '/libc\.so' -e '/libm\.so' -e '/ld-linux' -e '/libpthread' |
	    sort -u | while read -r lib; do cp -L "$lib" "$build/runlibs/"; done
	ls "$build/runlibs"
	exit 0
fi
build=${1:?usage: tools/scaling_run.sh BUILD_DIR [WORKERS] [OUT]}
workers=${2:-"1 2 4 8 16"}
out=${3:-scaling-out}
LD_LIBRARY_PATH="$build/runlibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
mkdir -p "$out"
{
	echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -r), $(nproc) CPUs:" \
	    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
	echo "# FJ_ROUNDS=5 $build/bench/forkjoin_peers $workers"
	# shellcheck disable=SC2086 # the worker counts are separate words
	FJ_ROUNDS=5 "$build/bench/forkjoin_peers" $workers
} > "$out/forkjoin-peers.txt" 2>&1
list=$(echo "$workers" | tr ' ' ',')
"$build/tools/skua-bench/skua-bench" --quiet --workers "$list" \
    --workload fib,nqueens,utree,primes --repeat 5 \
    --json "$out/skua-bench.json" > "$out/skua-bench.txt" 2>&1
cat "$out/forkjoin-peers.txt" "$out/skua-bench.txt"
