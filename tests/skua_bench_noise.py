#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""skua-bench's progress and noise marks (issue 17), deterministic through
SKUA_BENCH_FAULT (tools/skua-bench/noise.c).

    skua_bench_noise.py compare TOOL WORKDIR
        --compare on small sizes: stderr shows "[phase i/n ...]" for every
        phase, with the time left once one has finished; --quiet prints
        none; the JSON still parses.  With SKUA_BENCH_FAULT=noisy-spread
        every skua row, and every compare row, says "noisy: rerun
        (spread ..)"; with noisy-busy (one run, so no spread) "(busy: ..)".
    skua_bench_noise.py report TOOL WORKDIR
        --report with SKUA_BENCH_FAULT=noisy-busy: every kernel's T1/Ts
        and T2/Ts verdict is "noisy: rerun", never met or MISSED.
"""
import json
import os
import re
import subprocess
import sys

SMALL = "fib=18,primes=20000"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def run(tool, args, fault=None):
    env = dict(os.environ)
    env.pop("SKUA_BENCH_FAULT", None)
    if fault:
        env["SKUA_BENCH_FAULT"] = fault
    p = subprocess.run([tool] + args, capture_output=True, text=True,
                       env=env, timeout=600)
    check(p.returncode == 0, "%s: exit %d; stderr:\n%s" %
          (" ".join(args), p.returncode, p.stderr))
    return p.stdout, p.stderr


def rows(out, runner):
    """The main table's rows of one runner."""
    return [l for l in out.splitlines()
            if re.match(r"^\S+\s+\d+\s+%s\s" % runner, l)]


def compare(tool, work):
    js = os.path.join(work, "noise.json")
    args = ["--compare", "--workload", "fib,primes", "--size", SMALL,
            "--workers", "1,2", "--repeat", "3", "--json", js]
    out, err = run(tool, args, "noisy-spread")
    print(out)
    doc = json.load(open(js))
    peers = sum(1 for k in ("openmp", "tbb") if doc["peers"][k])
    want = 2 * (1 + 2 + 2 * peers)  # serial, skua 1 and 2, each peer 1 and 2
    phases = [(int(a), int(b)) for a, b in
              re.findall(r"^\[phase (\d+)/(\d+)", err, re.M)]
    check([n for _, n in phases] == [want] * want and
          [i for i, _ in phases] == list(range(1, want + 1)),
          "progress phases %r, want 1..%d of %d:\n%s" %
          (phases, want, want, err))
    check(re.search(r"^\[phase 1/%d\] fib 18: serial" % want, err, re.M),
          "first progress line:\n%s" % err)
    check(len(re.findall(r"^\[phase \d+/\d+, ~\d+ (s|min) left\]", err,
                         re.M)) == want - 1,
          "no time left after the first phase:\n%s" % err)
    sk = rows(out, "skua")
    check(len(sk) == 4 and all(re.search(r"noisy: rerun \(spread \d+%", l)
                               for l in sk),
          "skua rows without the spread mark:\n%s" % "\n".join(sk))
    m = re.search(r"^noisy: rerun = (\d+) figures? not to trust", out, re.M)
    check(m and int(m.group(1)) >= 4, "no footnote")
    for x in doc["results"]:
        check("noisy" in x and "spread" in x and "busy_share" in x,
              "JSON row lacks the noise fields: %r" % x)
        if x["runner"] == "skua":
            check(x["noisy"] is True and x["spread"] >= 0.5, "JSON %r" % x)
    if peers:
        cmp_rows = re.findall(r"^(?:fib|primes)\s+\d\s+.*x.*$", out, re.M)
        check(len(cmp_rows) == 4 and
              all("noisy: rerun (spread" in l and l.endswith("(skua)")
                  for l in cmp_rows),
              "compare rows:\n%s" % "\n".join(cmp_rows))

    out, err = run(tool, args + ["--quiet"], "noisy-spread")
    check("[phase" not in err, "--quiet printed progress:\n%s" % err)
    json.load(open(js))

    out, err = run(tool, ["--workload", "fib", "--size", "fib=18",
                          "--workers", "1,2", "--repeat", "1", "--quiet"],
                   "noisy-busy")
    sk = rows(out, "skua")
    check(len(sk) == 2 and all("noisy: rerun (" in l and
                               "busy: waited 50%)" in l for l in sk),
          "skua rows without the busy mark:\n%s" % out)
    print("compare ok")


def report(tool, work):
    out, err = run(tool, ["--report", "--repeat", "1", "--warmup", "0",
                          "--quiet"], "noisy-busy")
    print(out)
    kern = [l for l in out.splitlines()
            if re.match(r"^(fib 35|utree|nqueens 13)", l)]
    check(len(kern) == 6, "kernel rows:\n%s" % out)
    for l in kern:
        check("met" not in l and "MISSED" not in l and
              l.count("noisy: rerun") == (2 if "(1 CPU)" not in l else 1),
              "a verdict on a noisy figure: %s" % l)
    check("noisy: rerun = no verdict" in out, "no footnote")
    print("report ok")


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    mode, tool, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    {"compare": compare, "report": report}[mode](tool, work)


if __name__ == "__main__":
    main()
