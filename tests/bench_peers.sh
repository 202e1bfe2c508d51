#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# skua-bench --compare runs every peer that the build found (OpenMP, oneTBB)
# on every workload, at small sizes, and each answer is right (skua-bench
# checks them and exits 1 on a wrong one); the peers it reports are the ones
# CMake found.  One worker count above the CPU count, so that the oneTBB
# peer's raised thread limit (global_control) and kept arenas are used too.
# Usage: bench_peers.sh <skua-bench> <OpenMP ON|OFF> <oneTBB ON|OFF>
set -euo pipefail
bench=$1
omp=$2
tbb=$3
fail() { echo "bench_peers: FAIL: $*" >&2; exit 1; }
yn() { case "$1" in ON | on | TRUE | true | 1) echo yes ;; *) echo no ;; esac; }

want="peers built: openmp $(yn "$omp"), tbb $(yn "$tbb")"
"$bench" --list | grep -qx "$want" ||
	fail "skua-bench --list does not say '$want': $("$bench" --list | tail -1)"
echo "$want"

over=$(($(nproc 2>/dev/null || echo 2) + 1))
out=$("$bench" --compare --workers "1,2,$over" --repeat 1 --warmup 1 --quiet \
	--size fib=18,nqueens=6,nqueens-array=6,utree=150000,primes=20000,map=20000,matmul=64 2>&1) ||
	fail "skua-bench --compare exited $?:
$out"
peers=""
[ "$(yn "$omp")" = yes ] && peers="$peers openmp"
[ "$(yn "$tbb")" = yes ] && peers="$peers tbb"
for p in $peers; do
	for w in fib nqueens nqueens-array utree primes map matmul; do
		for t in 1 2 "$over"; do
			grep -Eq "^$w +[0-9]+ $p +$t " <<<"$out" ||
				fail "no $w row for $p on $t threads:
$out"
		done
	done
	grep -q "skua/${p/openmp/omp}" <<<"$out" || fail "no skua/$p ratio column:
$out"
	echo "$p: every workload ran and was checked on 1, 2 and $over threads"
done
if [ -z "$peers" ]; then
	grep -q "nothing to compare with" <<<"$out" ||
		fail "no peer built, and --compare does not say so:
$out"
	echo "no peer built; --compare says so"
fi
