#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run the trace workload with SKUA_TRACE set; check the Chrome trace JSON."""
import json, os, subprocess, sys, tempfile

exe = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "trace.json")
    env = dict(os.environ, SKUA_TRACE=path)
    r = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"workload failed: {r.returncode} {r.stderr}"
    assert "total 354220" in r.stdout, r.stdout
    with open(path) as f:
        doc = json.load(f)  # a parser, not a regexp: the file must be valid JSON

evs = doc["traceEvents"]
assert doc["otherData"]["workers"] == 2, doc["otherData"]
assert doc["otherData"]["dropped_events"] == 0, doc["otherData"]
names = {e["args"]["name"] for e in evs if e.get("ph") == "M" and e["name"] == "thread_name"}
assert names == {"worker 0", "worker 1"}, names
tasks = [e for e in evs if e.get("name") == "task" and e["ph"] == "X"]
# 20 pool_run entries and 20 futures at least, plus stolen forks.
assert len(tasks) >= 40, len(tasks)
for e in tasks:
    assert e["dur"] >= 0 and e["ts"] >= 0 and e["tid"] in (0, 1), e
steals = [e for e in evs if e.get("name") == "steal"]
assert all(e["ph"] == "i" and e["args"]["victim"] in (0, 1) for e in steals)
tids = {e["tid"] for e in tasks}
print(f"trace ok: {len(evs)} events, {len(tasks)} task spans on workers {sorted(tids)}, "
      f"{len(steals)} steals")
