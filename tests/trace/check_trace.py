#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Run the trace workload with SKUA_TRACE set; check the Chrome trace JSON.

The workload (trace_workload.c) runs fork/join, futures, a named loop with
a nested named loop, a blocking job and a future spawned inside a task on
a 2-worker pool, and a second 1-worker pool created (and destroyed) while
the first lives: its trace goes to trace.2.json (lib/trace.c's naming).
Checked with a JSON parser, not regexps; then what Perfetto needs: every
"X" has ts/dur >= 0, every flow start ("s") has one end ("f") with the same
id and a later or equal ts, and every flow event lies inside a slice of
its own thread (else Perfetto drops the arrow).  Then, where unshare(1)
can make a PID namespace (a container's view: the main thread is tid 1),
once more there: no thread that is not a worker may share a worker's tid.
"""
import json, os, subprocess, sys, tempfile

exe = sys.argv[1]
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "trace.json")
    env = dict(os.environ, SKUA_TRACE=path)
    r = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"workload failed: {r.returncode} {r.stderr}"
    assert "total 354220" in r.stdout, r.stdout
    with open(path) as f:
        doc = json.load(f)
    second = os.path.join(d, "trace.2.json")
    assert os.path.exists(second), sorted(os.listdir(d))
    with open(second) as f:
        doc2 = json.load(f)
    # %p and %n placeholders.
    path3 = os.path.join(d, "t-%p-%n.json")
    env = dict(os.environ, SKUA_TRACE=path3)
    r = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    files = sorted(x for x in os.listdir(d) if x.startswith("t-"))
    assert len(files) == 2 and files[0].endswith("-1.json") and \
        files[1].endswith("-2.json"), files
    for x in files:
        json.load(open(os.path.join(d, x)))

evs = doc["traceEvents"]
assert doc["otherData"]["workers"] == 2, doc["otherData"]
assert doc["otherData"]["dropped_events"] == 0, doc["otherData"]
names = {e["args"]["name"] for e in evs if e.get("ph") == "M" and e["name"] == "thread_name"}
assert {"worker 0", "worker 1"} <= names, names
others = names - {"worker 0", "worker 1"}
assert any(n.startswith("blocking thread ") for n in others), names
assert any(n.startswith("thread ") for n in others), names  # main spawns
tasks = [e for e in evs if e.get("name") == "task" and e["ph"] == "X"]
# 20 pool_run entries and 20 futures at least, plus stolen forks.
assert len(tasks) >= 40, len(tasks)
for e in evs:
    if e.get("ph") == "X":
        assert e["dur"] >= 0 and e["ts"] >= 0, e
for e in tasks:
    assert e["tid"] in (0, 1), e
steals = [e for e in evs if e.get("name") == "steal"]
assert all(e["ph"] == "i" and e["args"]["victim"] in (0, 1) for e in steals)

# Chunk slices carry their site's name; the elements add up per site.
chunks = [e for e in evs if e.get("cat") == "chunk"]
per_site = {}
for e in chunks:
    assert e["name"] == e["args"]["site"], e
    per_site[e["name"]] = per_site.get(e["name"], 0) + e["args"]["elements"]
assert per_site.get("outer") == 64, per_site
assert per_site.get("inner") == 64 * 100, per_site

# Futures: 20 from main + 1 from a task + 1 blocking job, each a flow.
starts = {e["id"]: e for e in evs if e.get("ph") == "s"}
ends = {}
for e in evs:
    if e.get("ph") == "f":
        assert e["id"] not in ends or True
        ends.setdefault(e["id"], []).append(e)
assert len([e for e in evs if e.get("ph") == "s"]) >= 22, len(starts)
slices = {}
for e in evs:
    if e.get("ph") == "X":
        slices.setdefault(e["tid"], []).append((e["ts"], e["ts"] + e["dur"]))
def inside(e):
    return any(a <= e["ts"] <= b for a, b in slices.get(e["tid"], []))
flows = 0
for e in evs:
    if e.get("ph") == "s":
        f = [x for x in ends.get(e["id"], []) if x["ts"] >= e["ts"]]
        assert f, f"flow {e['id']} has no end"
        assert inside(e) and inside(f[0]), (e, f[0])
        flows += 1
blocking = [e for e in evs if e.get("name") == "blocking job"]
assert len(blocking) == 1 and blocking[0]["dur"] >= 1500, blocking
assert doc2["otherData"]["workers"] == 1 and doc2["otherData"]["pool"] == 2, doc2["otherData"]
tids = {e["tid"] for e in tasks}
print(f"trace ok: {len(evs)} events, {len(tasks)} task spans on workers {sorted(tids)}, "
      f"{len(steals)} steals, {len(chunks)} chunks over {sorted(per_site)}, {flows} flows")

# In a PID namespace the main thread's kernel id is 1: worker 1's tid.
with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "ns.json")
    env = dict(os.environ, SKUA_TRACE=path)
    try:
        r = subprocess.run(["unshare", "--pid", "--fork", "--map-root-user", exe],
                           env=env, capture_output=True, text=True, timeout=120)
    except OSError:
        r = None
    if r is None or r.returncode != 0 or not os.path.exists(path):
        print("no PID namespace here (unshare): tid check skipped")
    else:
        ns = json.load(open(path))["traceEvents"]
        named = {}
        for e in ns:
            if e.get("ph") == "M" and e["name"] == "thread_name":
                named.setdefault(e["tid"], []).append(e["args"]["name"])
        assert all(len(v) == 1 for v in named.values()), named
        workers = {t for t, v in named.items() if v[0].startswith("worker ")}
        assert workers == {0, 1}, named
        assert any(v[0] == "thread 1" for v in named.values()), named
        for e in ns:
            if e.get("name") in ("spawn",) or e.get("ph") == "s":
                assert e["tid"] in named, e
        print(f"PID namespace: thread names {named}")
