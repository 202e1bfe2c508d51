#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tools/dev.sh installs packages quietly: with a fake apt-get and dpkg-query
# first on PATH, `tools/dev.sh deps` prints one line per step (update,
# install), puts apt's whole output in $DEV_LOG, asks for libtbb-dev (the
# skua-bench TBB peer) among the rest, prints nothing when all is
# installed, and on a failing install exits non-zero naming the log.
# Usage: dev_sh_deps.sh <source dir>
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "dev_sh_deps: FAIL: $*" >&2; exit 1; }

mkdir "$tmp/bin"
# dpkg-query: installed only when FAKE_INSTALLED=1.
cat >"$tmp/bin/dpkg-query" <<'FAKE'
#!/bin/sh
[ "${FAKE_INSTALLED:-0}" = 1 ] && printf 'install ok installed'
exit 0
FAKE
# apt-get: as chatty as the real one, on both streams; records its calls.
cat >"$tmp/bin/apt-get" <<'FAKE'
#!/bin/sh
echo "apt-get $*" >>"$FAKE_CALLS"
i=0
while [ $i -lt 300 ]; do
	echo "Selecting previously unselected package fake$i."
	echo "dpkg: fake warning $i" >&2
	i=$((i + 1))
done
case " $* " in *" install "*) exit "${FAKE_INSTALL_RC:-0}" ;; esac
exit 0
FAKE
# sudo, when the test does not run as root: run the command.
printf '#!/bin/sh\nexec "$@"\n' >"$tmp/bin/sudo"
chmod +x "$tmp/bin"/*
export PATH="$tmp/bin:$PATH" FAKE_CALLS="$tmp/calls" DEV_LOG="$tmp/logs/apt.log"

# 1. Everything missing: two lines, the log holds apt's output.
: >"$FAKE_CALLS"
out=$("$src/tools/dev.sh" deps 2>&1) || fail "deps exited $?: $out"
echo "$out"
[ "$(wc -l <<<"$out")" -eq 2 ] || fail "expected 2 lines, got:
$out"
grep -q "^== apt-get update (log: $DEV_LOG) ... done" <<<"$out" || fail "no update line"
grep -q "^== installing .* ... done" <<<"$out" || fail "no install line"
[ "$(grep -c 'fake warning' "$DEV_LOG")" -eq 600 ] || fail "$DEV_LOG lacks apt's output"
grep -q "^apt-get .*install .*libtbb-dev" "$FAKE_CALLS" || fail "libtbb-dev not installed: $(cat "$FAKE_CALLS")"
grep -q "^apt-get .*install .*libjemalloc-dev" "$FAKE_CALLS" || fail "libjemalloc-dev not asked for"

# 2. All installed: silent, no apt-get.
: >"$FAKE_CALLS"
out=$(FAKE_INSTALLED=1 "$src/tools/dev.sh" deps 2>&1) || fail "deps (installed) exited $?"
[ -z "$out" ] || fail "all installed, yet: $out"
[ ! -s "$FAKE_CALLS" ] || fail "all installed, yet apt-get ran: $(cat "$FAKE_CALLS")"

# 3. A failing install: non-zero, the log named, a short tail, not 600 lines.
set +e
out=$(FAKE_INSTALL_RC=100 "$src/tools/dev.sh" deps 2>&1)
rc=$?
set -e
echo "$out"
[ $rc -ne 0 ] || fail "a failed apt-get install exited 0"
grep -q "the whole log is $DEV_LOG" <<<"$out" || fail "the error does not name $DEV_LOG"
[ "$(wc -l <<<"$out")" -le 20 ] || fail "a failure printed $(wc -l <<<"$out") lines"
echo "dev.sh deps: quiet"
