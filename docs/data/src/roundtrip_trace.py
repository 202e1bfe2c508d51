#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Split parked round trips into their steps (docs/data/src/roundtrip_trace.c).

usage: roundtrip_trace.py TRACE.json PROGRAM_OUTPUT.txt

For each trip: submit (the program's clock before skua_spawn) -> the end of
the parked span of the worker that ran the future (its futex_wait returned)
-> the future's slice start (the worker found the task) -> the task's end
-> the waiter back from skua_future_get.  All on CLOCK_MONOTONIC: the trace's
otherData.origin_ns is its ts 0.  Prints the median and p90 of each step in
microseconds, and of the whole trip.
"""
import json, sys

doc = json.load(open(sys.argv[1]))
origin = doc["otherData"]["origin_ns"]
ev = doc["traceEvents"]
us = lambda e: origin + e["ts"] * 1000.0  # ns
runs = sorted((us(e), e["tid"]) for e in ev
              if e.get("name") in ("future", "blocking job") and e["ph"] == "X")
parks = {}
for e in ev:
    if e.get("name") == "parked":
        parks.setdefault(e["tid"], []).append(us(e) + e["dur"] * 1000.0)
trips = []
for line in open(sys.argv[2]):
    if line.startswith("#"):
        continue
    _, t0, tend, t1 = (int(x) for x in line.split())
    start, tid = min(((s, t) for s, t in runs if s >= t0), default=(None, None))
    if start is None:
        continue
    woke = max((w for w in parks.get(tid, []) if t0 - 1000 <= w <= start),
               default=None)
    trips.append((t0, woke, start, tend, t1))
steps = {"submit -> worker awake": [], "awake -> task start": [],
         "task start -> end": [], "task end -> waiter back": [],
         "whole trip": []}
for t0, woke, start, tend, t1 in trips:
    if woke is not None:
        steps["submit -> worker awake"].append((woke - t0) / 1e3)
        steps["awake -> task start"].append((start - woke) / 1e3)
    steps["task start -> end"].append((tend - start) / 1e3)
    steps["task end -> waiter back"].append((t1 - tend) / 1e3)
    steps["whole trip"].append((t1 - t0) / 1e3)
def q(v, f):
    v = sorted(v)
    return v[min(len(v) - 1, int(f * len(v)))] if v else float("nan")
print(f"{len(trips)} trips ({len(steps['submit -> worker awake'])} "
      "with the worker's parked span found)")
print(f"{'step':28s} {'median us':>10s} {'p90 us':>10s}")
for k, v in steps.items():
    print(f"{k:28s} {q(v, 0.5):10.1f} {q(v, 0.9):10.1f}")
