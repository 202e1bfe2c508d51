#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The installed package works for a consumer, static and shared:
#   - the files: libraries, headers, and README.md, LICENSE and every file
#     of docs/ in share/doc/skua;
#   - the CMake package, from a prefix that was moved after the install,
#     found through CMAKE_PREFIX_PATH: skua::skua, and skua::skua_shared
#     when libskua.so is there; its files name no path to libjemalloc;
#   - libskua.so, when installed, exports only the SKUA_API names;
#   - pkg-config, both spellings: `--cflags --libs skua` and the same with
#     --static; -ljemalloc in Libs for a static-only install, only in
#     Libs.private when libskua.so is installed.
# The build tree under test is installed first; then a second, library-only
# tree is configured from the source with the other SKUA_BUILD_SHARED, so
# that both kinds of install are checked whichever the build is.
# Usage: install_consumer.sh <build dir> <consumer source dir> <source dir>
set -euo pipefail
build=$1
consumer=$2
src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "install_consumer: FAIL: $*" >&2; exit 1; }
cache() { sed -n "s/^$1:[A-Z]*=//p" "$2/CMakeCache.txt"; }

want="fib(30) = 832040, future = 42, version"

# run <label> <binary> <prefix>: runs it with the prefix's lib directory
# on LD_LIBRARY_PATH and checks its line.
run() {
	local out libdir
	libdir=$(dirname "$(find "$3" -name 'libskua.a' | head -1)")
	out=$(LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$2") ||
		fail "$1: the consumer exited $?: $out"
	grep -q "^$want [0-9.]*\$" <<<"$out" || fail "$1: printed '$out'"
	echo "  $1: $out"
}

# linked <label> <binary> <yes|no>: whether the binary needs libskua.so.
linked() {
	if readelf -d "$2" | grep -q 'NEEDED.*libskua\.so'; then
		[ "$3" = yes ] || fail "$1: linked to libskua.so, expected libskua.a"
	else
		[ "$3" = no ] || fail "$1: not linked to libskua.so"
	fi
}

# check <prefix> <jemalloc ON|OFF> <label>
check() {
	local prefix=$1 jemalloc=$2 label=$3 shared=no
	echo "== $label"
	local libdir
	libdir=$(dirname "$(find "$prefix" -name 'libskua.a' | head -1)")
	[ -f "$libdir/libskua.a" ] || fail "$label: no libskua.a"
	[ -e "$libdir/libskua.so" ] && shared=yes
	for h in skua.h skua/version.h skua/pool.h; do
		[ -f "$prefix/include/$h" ] || fail "$label: no include/$h"
	done

	# Licence and documentation.
	local doc=$prefix/share/doc/skua
	for f in README.md LICENSE; do
		cmp -s "$src/$f" "$doc/$f" || fail "$label: share/doc/skua/$f missing or not $f"
	done
	grep -q "BSD 2-Clause License" "$doc/LICENSE" || fail "$label: LICENSE is not BSD-2-Clause"
	cmp -s "$src/tests/tsan.supp" "$prefix/share/skua/tsan.supp" ||
		fail "$label: share/skua/tsan.supp missing or not tests/tsan.supp"
	(cd "$src/docs" && find . -type f | sort) >"$tmp/docs.want"
	(cd "$doc/docs" 2>/dev/null && find . -type f | sort) >"$tmp/docs.got" || true
	diff -u "$tmp/docs.want" "$tmp/docs.got" >&2 ||
		fail "$label: share/doc/skua/docs is not docs/"

	# libskua.so exports the SKUA_API names only (tests/symbols_check.sh).
	if [ $shared = yes ]; then
		"$src/tests/symbols_check.sh" "$prefix/include" "$libdir/libskua.so" ||
			fail "$label: the installed libskua.so's symbols"
	fi

	# The CMake package names no machine's jemalloc path (a file name
	# that find_library looks for, libjemalloc.so.2, is not a path).
	if grep -n '/[^ "]*libjemalloc\.\(so\|a\)' "$libdir"/cmake/skua/*.cmake; then
		fail "$label: the CMake package hard-codes a path to libjemalloc"
	fi

	# 1. CMake, skua::skua (and skua::skua_shared).
	local targets="skua::skua"
	[ $shared = yes ] && targets="$targets skua::skua_shared"
	if [ $shared = no ] && grep -q skua_shared "$libdir"/cmake/skua/skuaTargets.cmake; then
		fail "$label: skua::skua_shared exported without libskua.so"
	fi
	for t in $targets; do
		local dir=$tmp/cm-$label-${t#skua::}
		cmake -S "$consumer" -B "$dir" -DCMAKE_PREFIX_PATH="$prefix" \
			-DSKUA_TARGET="$t" >"$dir.log" 2>&1 || { cat "$dir.log"; fail "$label: cmake $t"; }
		cmake --build "$dir" >>"$dir.log" 2>&1 || { cat "$dir.log"; fail "$label: build with $t"; }
		run "cmake $t" "$dir/consumer" "$prefix"
		if [ "$t" = skua::skua ]; then linked "cmake $t" "$dir/consumer" no
		else linked "cmake $t" "$dir/consumer" yes; fi
	done

	# 2. pkg-config, both spellings.  -lskua is libskua.so when there is one.
	local pcdir
	pcdir=$(dirname "$(find "$prefix" -name skua.pc | head -1)")
	local plain static
	plain=$(PKG_CONFIG_PATH=$pcdir pkg-config --libs skua)
	static=$(PKG_CONFIG_PATH=$pcdir pkg-config --libs --static skua)
	if [ "$jemalloc" = ON ]; then
		grep -q -- -ljemalloc <<<"$static" || fail "$label: --static lacks -ljemalloc: $static"
		if [ $shared = yes ]; then
			grep -q -- -ljemalloc <<<"$plain" &&
				fail "$label: -ljemalloc in Libs, with libskua.so installed: $plain"
		else
			grep -q -- -ljemalloc <<<"$plain" ||
				fail "$label: libskua.a's -ljemalloc is not in Libs: $plain"
		fi
	fi
	for spelling in "" "--static"; do
		local bin=$tmp/pc-$label${spelling:+-static} flags
		flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs $spelling skua)
		# shellcheck disable=SC2086
		cc -std=c11 -O2 "$consumer/main.c" -o "$bin" $flags ||
			fail "$label: cc main.c \$(pkg-config --cflags --libs $spelling skua) ($flags)"
		run "pkg-config --cflags --libs${spelling:+ $spelling}" "$bin" "$prefix"
		linked "pkg-config $spelling" "$bin" $shared
	done
}

jemalloc=$(cache SKUA_WITH_JEMALLOC "$build")
[ -n "$jemalloc" ] || fail "no SKUA_WITH_JEMALLOC in $build/CMakeCache.txt"
shared=$(cache SKUA_BUILD_SHARED "$build")
case "$shared" in ON | on | TRUE | true | 1) shared=ON ;; *) shared=OFF ;; esac

# The build under test, installed, then moved: the package and skua.pc
# find their prefix relative to themselves.
cmake --install "$build" --prefix "$tmp/inst" >/dev/null
mv "$tmp/inst" "$tmp/prefix"
check "$tmp/prefix" "$jemalloc" "$( [ $shared = ON ] && echo shared || echo static)"

# The other kind, from the same source.
other=$([ $shared = ON ] && echo OFF || echo ON)
echo "== configuring a library-only build with SKUA_BUILD_SHARED=$other"
cmake -S "$src" -B "$tmp/other" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_C_COMPILER="$(cache CMAKE_C_COMPILER "$build")" \
	-DSKUA_BUILD_SHARED=$other -DSKUA_WITH_JEMALLOC="$jemalloc" \
	-DSKUA_BUILD_TESTS=OFF -DSKUA_BUILD_TOOLS=OFF -DSKUA_BUILD_EXAMPLES=OFF \
	-DSKUA_BUILD_BENCH=OFF -DBUILD_TESTING=OFF >"$tmp/other.log" 2>&1 ||
	{ cat "$tmp/other.log"; fail "configure SKUA_BUILD_SHARED=$other"; }
cmake --build "$tmp/other" -j "$(nproc 2>/dev/null || echo 2)" >>"$tmp/other.log" 2>&1 ||
	{ cat "$tmp/other.log"; fail "build SKUA_BUILD_SHARED=$other"; }
cmake --install "$tmp/other" --prefix "$tmp/prefix2" >/dev/null
check "$tmp/prefix2" "$jemalloc" "$( [ $other = ON ] && echo shared || echo static)"
echo "install ok"
