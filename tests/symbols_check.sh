#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Shared library hygiene (issue 17).
#   symbols_check.sh <include dir> [<libskua.so>]
# 1. Every function or object that a public header declares outside an
#    inline body carries SKUA_API (skua/bits/export.h): an unmarked one
#    would be missing from libskua.so, which is built -fvisibility=hidden.
# 2. With a libskua.so: `nm -D --defined-only` lists exactly the SKUA_API
#    names, all skua_* and none skua__* (internals) or *test* (hooks);
#    and every skua_abi_* entry point is named in docs/design.md, which
#    says why each is exported (when the docs are beside the headers).
set -euo pipefail
inc=$1
so=${2:-}
fail() { echo "symbols_check: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Declarations at the start of a line that name a skua_ function, and
# are not static inline, typedefs or preprocessor lines, need SKUA_API.
grep -nE '^[A-Za-z_].*\bskua_[a-z0-9_]+ *\(' "$inc"/skua.h "$inc"/skua/*.h "$inc"/skua/bits/*.h |
	grep -vE ':(static|typedef|#|SKUA_API )' >"$tmp/unmarked" || true
if [ -s "$tmp/unmarked" ]; then
	cat "$tmp/unmarked" >&2
	fail "public declarations without SKUA_API"
fi
# The names SKUA_API declares: the identifier before the first ( or ;.
grep -hE '^SKUA_API ' "$inc"/skua/*.h "$inc"/skua/bits/*.h |
	sed -E 's/^([^(;]*[^a-z0-9_])?(skua_[a-z0-9_]+) *[(;].*/\2/' | sort -u >"$tmp/declared"
grep -qvE '^skua_[a-z0-9_]+$' "$tmp/declared" &&
	fail "SKUA_API on something that is not skua_*: $(grep -vE '^skua_' "$tmp/declared" | head -3)"
grep -E '^skua__|test' "$tmp/declared" && fail "SKUA_API on an internal name or a test hook"
echo "headers: $(wc -l <"$tmp/declared") SKUA_API declarations, every public one marked"
[ -n "$so" ] || exit 0

# 2. The library's dynamic symbol table.
[ -f "$so" ] || fail "no $so"
nm -D --defined-only "$so" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/exported"
[ -s "$tmp/exported" ] || fail "nm -D lists nothing in $so"
if grep -E '^skua__|test' "$tmp/exported" >"$tmp/bad"; then
	head -20 "$tmp/bad" >&2
	fail "$so exports $(wc -l <"$tmp/bad") internal names or test hooks"
fi
if grep -vE '^skua_' "$tmp/exported" >"$tmp/bad"; then
	head -20 "$tmp/bad" >&2
	fail "$so exports names outside skua_*"
fi
diff -u "$tmp/declared" "$tmp/exported" >&2 ||
	fail "exported (+) and SKUA_API-declared (-) names differ"
design=$inc/../docs/design.md
if [ -f "$design" ]; then
	for s in $(grep '^skua_abi_' "$tmp/exported"); do
		grep -q "\`$s\`" "$design" || fail "$s is not named in docs/design.md"
	done
fi
echo "$so: $(wc -l <"$tmp/exported") symbols, all public skua_* (of which $(grep -c '^skua_abi_' "$tmp/exported") skua_abi_*)"
