#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/park_model.sh - check lib/park.pml with spin.
#
# Usage: park_model.sh SPIN CC PML pass [-DOPT ...]
#        park_model.sh SPIN CC PML fail [-DOPT ...]
#        park_model.sh SPIN CC PML mutants
#
#   pass     the model (with the given -D options) must verify: no
#            assertion violation, no invalid end state, search complete.
#   fail     spin must report an error (an assertion violation or an
#            invalid end state); the test passes when it does.
#   mutants  every mutation listed in lib/park.pml's header must fail.
#
# Exit 0: as expected; 1: not; 77: spin or the compiler is missing (CTest
# SKIP_RETURN_CODE).  Everything runs in a temporary directory.
set -u

SPIN=$1 CC=$2 PML=$3 MODE=$4
shift 4

if ! command -v "$SPIN" >/dev/null 2>&1; then
	echo "park_model: spin not found ($SPIN); skipped"
	exit 77
fi
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "park_model: C compiler not found ($CC); skipped"
	exit 77
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/park_model.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
cp "$PML" "$TMP/park.pml" || exit 1

# run_pan OPTS...: verify once; prints a summary line; sets RESULT to
# "ok", "error" (spin found a violation) or "broken" (no verdict).
run_pan() {
	(cd "$TMP" && rm -f pan pan.* park.pml.trail &&
	    "$SPIN" "$@" -a park.pml >spin.log 2>&1) || {
		cat "$TMP/spin.log"
		RESULT=broken
		return
	}
	# -DSAFETY: safety only (assertions, end states); -DCOLLAPSE compresses
	# the stored states; -DMEMLIM caps them at 2 GiB so that a state
	# explosion fails instead of swapping.  PAN_CFLAGS adds more.
	(cd "$TMP" && "$CC" -w -O2 -DSAFETY -DCOLLAPSE -DMEMLIM=2048 \
	    ${PAN_CFLAGS:-} -o pan pan.c >cc.log 2>&1) || {
		cat "$TMP/cc.log"
		RESULT=broken
		return
	}
	(cd "$TMP" && ./pan -m200000 >pan.log 2>&1)
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$TMP/pan.log")
	states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$TMP/pan.log")
	secs=$(sed -n 's/^pan: elapsed time \([0-9.e+]*\).*/\1/p' "$TMP/pan.log")
	what=$(grep -E '^pan:[0-9]+: |^pan: ' "$TMP/pan.log" |
	    grep -v 'elapsed time\|rate \|wrote ' | head -1)
	echo "  spin $*: errors=${errors:-?} states=${states:-?} time=${secs:-?}s ${what}"
	if grep -q 'max search depth too small\|out of memory\|Search not completed' \
	    "$TMP/pan.log" && [ "${errors:-0}" = 0 ]; then
		tail -20 "$TMP/pan.log"
		RESULT=broken
	elif [ -z "$errors" ]; then
		cat "$TMP/pan.log"
		RESULT=broken
	elif [ "$errors" = 0 ]; then
		RESULT=ok
	elif grep -q 'assertion violated\|invalid end state' "$TMP/pan.log"; then
		# Replay the counterexample's last steps for the log.
		(cd "$TMP" && "$SPIN" -t "$@" park.pml 2>&1 | grep -v '^\s*$' |
		    tail -30 | sed 's/^/    /')
		RESULT=error
	else
		cat "$TMP/pan.log"
		RESULT=broken
	fi
}

case $MODE in
pass)
	echo "park_model: expect the model to verify"
	run_pan "$@"
	[ "$RESULT" = ok ] && exit 0
	echo "park_model: FAIL (expected no error, got $RESULT)"
	exit 1
	;;
fail)
	echo "park_model: expect spin to find an error"
	run_pan "$@"
	[ "$RESULT" = error ] && exit 0
	echo "park_model: FAIL (expected an error, got $RESULT)"
	exit 1
	;;
mutants)
	rc=0
	for m in NO_RECHECK NO_WAKE NO_STORELOAD LATE_SEQ NO_WAIT_RECHECK; do
		echo "park_model: mutant -D$m must fail"
		run_pan "-D$m" "$@"
		if [ "$RESULT" != error ]; then
			echo "park_model: FAIL: mutant $m was not caught ($RESULT)"
			rc=1
		fi
	done
	exit $rc
	;;
*)
	echo "usage: $0 SPIN CC PML pass|fail|mutants [-DOPT ...]" >&2
	exit 2
	;;
esac
