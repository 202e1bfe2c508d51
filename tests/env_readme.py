#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/env_readme.py - README.md's environment table against lib/env.c's.

Usage: env_readme.py README.md TEST_ENV_BINARY

The table side comes from `test_env --dump-table` (NAME<TAB>DEFAULT per
skua__env_table entry).  The README side is every Markdown table row whose
first cell is a `SKUA_*` name in backticks; `NAME_<SITE>` rows are per-site
forms of NAME and need NAME in the table.  Checked: the same names both
ways, and the same default (README's second column, the table's
default_doc).  Exit 0: they agree; 1: they do not; 77: README.md or its
environment table does not exist yet (CTest SKIP).
"""
import os
import re
import subprocess
import sys


def main():
    readme, dump = sys.argv[1], sys.argv[2]
    if not os.path.exists(readme):
        print("env_readme: %s does not exist yet; skipped" % readme)
        return 77
    rows = {}
    templates = []
    with open(readme, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*\|\s*`(SKUA_[A-Z0-9_<>]+)`\s*\|([^|]*)\|", line)
            if not m:
                continue
            name, default = m.group(1), m.group(2).strip().strip("`")
            if "<" in name:
                templates.append(name)
            else:
                rows[name] = default
    if not rows:
        print("env_readme: %s has no environment table yet; skipped" % readme)
        return 77

    out = subprocess.run([dump, "--dump-table"], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True)
    table = {}
    for line in out.stdout.splitlines():
        name, default = line.split("\t", 1)
        table[name] = default

    bad = []
    for name in sorted(set(table) - set(rows)):
        bad.append("%s is in lib/env.c's table, not in README.md" % name)
    for name in sorted(set(rows) - set(table)):
        bad.append("%s is in README.md, not in lib/env.c's table" % name)
    for name in sorted(set(rows) & set(table)):
        if rows[name] != table[name]:
            bad.append("%s: README.md's default is %r, lib/env.c's %r"
                       % (name, rows[name], table[name]))
    for t in templates:
        base = t.split("_<", 1)[0]
        if base not in table:
            bad.append("%s: %s is not in lib/env.c's table" % (t, base))
    for b in bad:
        print("env_readme: " + b)
    if bad:
        return 1
    print("env_readme: %d variables agree (%s)" %
          (len(table), ", ".join(sorted(table))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
