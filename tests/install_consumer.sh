#!/usr/bin/env bash
# Install the build tree into a temporary prefix, then build and run a
# consumer with find_package(skua) and with pkg-config.
# Usage: install_consumer.sh <build dir> <consumer source dir>
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -f "$tmp/prefix/lib/libskua.a" || test -f "$tmp/prefix/lib64/libskua.a"
test -f "$tmp/prefix/include/skua.h"

# 1. CMake package.
cmake -S "$src" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cm" >/dev/null
out=$("$tmp/cm/consumer")
echo "cmake: $out"
grep -q "fib(30) = 832040, future = 42" <<<"$out"

# 2. pkg-config, static.
pc=$(dirname "$(find "$tmp/prefix" -name skua.pc | head -1)")
flags=$(PKG_CONFIG_PATH=$pc pkg-config --cflags --libs --static skua)
cc -std=c11 -O2 "$src/main.c" -o "$tmp/pc-consumer" $flags
# With -DSKUA_BUILD_SHARED=ON, -lskua picks the shared library.
out=$(LD_LIBRARY_PATH="$pc/..${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/pc-consumer")
echo "pkg-config: $out"
grep -q "fib(30) = 832040, future = 42" <<<"$out"
echo "install ok"
