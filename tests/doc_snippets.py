#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/doc_snippets.py - the C snippets of the documentation compile.

Usage: doc_snippets.py --build BUILD --source SRC --cc CC [--libs "-l..."]
                       [--prefix DIR] [FILE.md ...]

Installs BUILD into a temporary prefix (`cmake --install BUILD --prefix`,
as tests/install_consumer.sh does; --prefix uses an existing one instead),
then extracts every fenced block of README.md and docs/*.md (or of the
files given) whose info string is

    ```c compile        compiled: CC -std=c11 -Wall -Werror -c
    ```c compile run    compiled, linked with PREFIX/lib*/libskua.a and
                        LIBS, and run: it must exit 0

against -I PREFIX/include only (never the source tree).  Fails listing
each failing snippet as FILE:LINE (the line of its opening fence) with the
compiler's output, and fails when no snippet is found at all.

Also checks that every `SKUA_*` variable the library reads (each string
literal "SKUA_..." in lib/*.c) has a row in README.md's environment table;
a literal that ends in "_" ("SKUA_CHUNK_SIZE_" + site) needs a template row
such as `SKUA_CHUNK_SIZE_<SITE>`; NOT_READ lists the literals that name no
variable.  (tests/env_readme.py checks the other direction, README against
lib/env.c's table.)
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*(\S.*)?$")


def snippets(path):
    """Yield (line, words, code) for each fenced block of path."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), (m.group(3) or "")
        start = i + 1
        body = []
        i += 1
        while i < len(lines):
            close = lines[i].strip()
            if close.startswith(fence[0] * len(fence)) and \
                    close.strip(fence[0]) == "":
                break
            body.append(lines[i][len(indent):] if
                        lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        yield start, info.split(), "\n".join(body) + "\n"


# Literals in lib/*.c that name no variable the library reads: the prefix
# that lib/env.c's unknown-name check scans for, and skua-bench's own
# variables, which that check skips.
NOT_READ = {"SKUA_", "SKUA_BENCH_"}


def env_check(source):
    """Problems: SKUA_* literals of lib/*.c missing from README's table."""
    rows = set()
    with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*\|\s*`(SKUA_[A-Z0-9_<>]+)`\s*\|", line)
            if m:
                rows.add(m.group(1))
    bad = []
    for path in sorted(glob.glob(os.path.join(source, "lib", "*.c"))):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for name in sorted(set(re.findall(r'"(SKUA_[A-Z0-9_]*)"', text))):
            if name in NOT_READ:
                continue
            if name.endswith("_"):
                ok = any(r.startswith(name + "<") for r in rows)
            else:
                ok = name in rows
            if not ok:
                bad.append("%s reads %s%s, which README.md's environment "
                           "table does not list"
                           % (os.path.relpath(path, source), name,
                              "<...>" if name.endswith("_") else ""))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--libs", default="-lpthread")
    ap.add_argument("--prefix")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()

    files = a.files or ([os.path.join(a.source, "README.md")] +
                        sorted(glob.glob(os.path.join(a.source, "docs",
                                                      "*.md"))))
    tmp = tempfile.mkdtemp(prefix="skua-doc-snippets-")
    try:
        prefix = a.prefix
        if prefix is None:
            prefix = os.path.join(tmp, "prefix")
            r = subprocess.run(["cmake", "--install", a.build, "--prefix",
                                prefix], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT,
                               universal_newlines=True)
            if r.returncode != 0:
                print("doc_snippets: cmake --install failed:\n" + r.stdout)
                return 1
        inc = os.path.join(prefix, "include")
        libs = glob.glob(os.path.join(prefix, "lib*", "libskua.a"))
        if not os.path.exists(os.path.join(inc, "skua.h")) or not libs:
            print("doc_snippets: %s has no include/skua.h or libskua.a"
                  % prefix)
            return 1

        found, bad = 0, env_check(a.source)
        for path in files:
            rel = os.path.relpath(path, a.source)
            for line, words, code in snippets(path):
                if len(words) < 2 or words[0] != "c" or \
                        words[1] != "compile":
                    continue
                run = "run" in words[2:]
                found += 1
                base = os.path.join(tmp, "s%d" % found)
                with open(base + ".c", "w", encoding="utf-8") as f:
                    # Compiler messages then name the Markdown file's lines.
                    f.write('#line %d "%s"\n' % (line + 1, rel))
                    f.write(code)
                cmd = [a.cc, "-std=c11", "-Wall", "-Werror", "-I", inc,
                       "-c", base + ".c", "-o", base + ".o"]
                r = subprocess.run(cmd, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT,
                                   universal_newlines=True)
                if r.returncode != 0:
                    bad.append("%s:%d: does not compile:\n%s"
                               % (rel, line, r.stdout))
                    continue
                if not run:
                    continue
                cmd = [a.cc, base + ".o", libs[0]] + a.libs.split() + \
                    ["-lm", "-o", base]
                r = subprocess.run(cmd, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT,
                                   universal_newlines=True)
                if r.returncode != 0:
                    bad.append("%s:%d: does not link:\n%s"
                               % (rel, line, r.stdout))
                    continue
                try:
                    r = subprocess.run([base], stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT,
                                       universal_newlines=True,
                                       timeout=120)
                    if r.returncode != 0:
                        bad.append("%s:%d: exits with status %d:\n%s"
                                   % (rel, line, r.returncode, r.stdout))
                except subprocess.TimeoutExpired:
                    bad.append("%s:%d: did not finish in 120 s"
                               % (rel, line))
        if found == 0:
            print("doc_snippets: no ```c compile snippet in %s"
                  % ", ".join(os.path.relpath(p, a.source) for p in files))
            return 1
        for b in bad:
            print("doc_snippets: " + b)
        if bad:
            print("doc_snippets: %d of %d snippets failed" % (len(bad), found))
            return 1
        print("doc_snippets: %d snippets compile against %s" % (found, inc))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
