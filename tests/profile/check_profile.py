#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""skua-bench profile and tune, end to end (issue 16).

Usage: check_profile.py SKUA_BENCH PRIMES PROFILE_APP [CASE...]

Each case runs the real tool on a real program and checks what it says:
the figures (from --json, parsed), the chunk size's source, the exit
status, the messages, the paste line and the SVG (xml.etree).  With CASE
names, only those run; without, every case but those of SEPARATE, which
CTest runs as tests of their own (tests/profile.cmake).
"""
import json, os, re, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

bench, primes, app = sys.argv[1:4]
only = set(sys.argv[4:])
SEPARATE = {"tune_plot"}
tmp = tempfile.mkdtemp()
failures = []
ran = []


def run(args, env=None, timeout=300):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("SKUA_CHUNK_SIZE") or k == "SKUA_PROFILE":
            del e[k]
    e.update(env or {})
    return subprocess.run([bench] + args, env=e, capture_output=True,
                          text=True, timeout=timeout)


def case(fn):
    if (fn.__name__ not in only) if only else (fn.__name__ in SEPARATE):
        return fn
    ran.append(fn.__name__)
    try:
        fn()
        print(f"ok   {fn.__name__}")
    except AssertionError as ex:
        print(f"FAIL {fn.__name__}: {ex}")
        failures.append(fn.__name__)
    return fn


def site(doc, name):
    for s in doc["sites"]:
        if s["site"] == name:
            return s
    raise AssertionError(f"no site {name} in {[s['site'] for s in doc['sites']]}")


@case
def primes_auto():
    j = os.path.join(tmp, "primes.json")
    r = run(["profile", "--json", j, "--", primes, "1000000"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "primes below 1000000: 78498" in r.stdout, r.stdout  # passed through
    doc = json.load(open(j))
    s = site(doc, "primes")
    assert s["elements"] == 1000000 and s["calls"] == 1, s
    assert s["chunk_source"] == "auto" and s["fixed_chunk_max"] == 0, s
    assert s["chunks"] > 10 and s["elems_per_chunk_min"] >= 1, s
    assert 0 < s["chunk_ns_median"] <= s["chunk_ns_p90"], s
    assert len(doc["pools"]) == 1 and doc["pools"][0]["workers"] >= 1
    assert re.search(r"^  primes +1 +1000000 ", r.stdout, re.M), r.stdout
    assert "Pool 1 of pid" in r.stdout and "idle_max_ms" in r.stdout


@case
def primes_site_env():
    j = os.path.join(tmp, "primes_env.json")
    r = run(["profile", "--json", j, primes, "1000000"],
            {"SKUA_CHUNK_SIZE_PRIMES": "1000"})
    assert r.returncode == 0, r.stderr
    s = site(json.load(open(j)), "primes")
    assert s["chunk_source"] == "SKUA_CHUNK_SIZE_<SITE>", s
    assert s["fixed_chunk_min"] == s["fixed_chunk_max"] == 1000, s
    assert s["chunks"] == 1000 and s["elements"] == 1000000, s
    assert s["elems_per_chunk_median"] == 1000, s
    assert "1000 (SKUA_CHUNK_SIZE_<SITE>)" in r.stdout, r.stdout


@case
def primes_global_env_and_advice():
    j = os.path.join(tmp, "primes_g.json")
    r = run(["profile", "--json", j, primes, "1000000"],
            {"SKUA_CHUNK_SIZE": "4"})
    assert r.returncode == 0, r.stderr
    s = site(json.load(open(j)), "primes")
    assert s["chunk_source"] == "SKUA_CHUNK_SIZE", s
    assert s["fixed_chunk_max"] == 4 and s["chunks"] == 250000, s
    # 4 numbers take well under 2 us: advice to make chunks bigger.
    adv = s.get("advice")
    assert adv and adv["line"].startswith("export SKUA_CHUNK_SIZE_PRIMES="), s
    assert int(adv["line"].split("=")[1]) > 4, adv
    assert adv["line"] in r.stdout, r.stdout


@case
def two_sites_nested():
    j = os.path.join(tmp, "two.json")
    r = run(["profile", "--json", j, app, "two"])
    assert r.returncode == 0, r.stderr
    doc = json.load(open(j))
    rows, cols = site(doc, "rows"), site(doc, "cols")
    assert rows["elements"] == 64 and rows["calls"] == 1, rows
    assert cols["calls"] == 64 and cols["elements"] == 64000, cols
    assert cols["nested_calls"] == 64, cols
    # Every call nested: no idle share, "-" in the table, null in JSON
    # (it was -1, a share of -100%).
    assert cols["idle_share"] is None, cols
    assert 0 <= rows["idle_share"] <= 1, rows
    unnamed = [s for s in doc["sites"] if not s["named"]]
    assert len(unnamed) == 1 and unnamed[0]["elements"] == 4096, doc["sites"]
    # The unnamed site is named after its body (dladdr or addr2line).
    assert "square" in unnamed[0]["site"] or unnamed[0]["site"].startswith("fn@"), unnamed
    assert "nested in another loop" in r.stdout, r.stdout


@case
def no_skua():
    r = run(["profile", "--", "sh", "-c", "echo hello"])
    assert r.returncode != 0, r.returncode
    assert "hello" in r.stdout, r.stdout
    assert "no skua pools seen" in r.stderr, r.stderr


@case
def exit_3():
    r = run(["profile", "--", app, "exit3"])
    assert r.returncode == 3, (r.returncode, r.stderr)
    assert "exited with status 3" in r.stderr, r.stderr
    assert "tiny" in r.stdout  # the profile is still shown


@case
def missing_program():
    r = run(["profile", "--", os.path.join(tmp, "no-such-program")])
    assert r.returncode == 127, r.returncode
    assert "could not be started" in r.stderr and "No such file" in r.stderr, r.stderr


@case
def usage_errors():
    assert run(["profile"]).returncode == 2
    assert run(["profile", "--bogus", primes]).returncode == 2
    assert run(["tune", "--", primes]).returncode == 2  # no --site
    r = run(["tune", "--site", "nosuch", "--", app, "tiny"])
    assert r.returncode == 2 and "tiny" in r.stderr, r.stderr


@case
def tune_metric():
    j, svg = os.path.join(tmp, "tune.json"), os.path.join(tmp, "tune.svg")
    r = run(["tune", "--site", "tiny", "--values", "16,64,256", "--repeat", "3",
             "--json", j, "--plot", svg, "--", app, "tiny"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "run 12 of 12" in r.stderr, r.stderr
    doc = json.load(open(j))
    assert doc["figure"] == "skua-metric", doc
    t = doc["sites"][0]
    assert t["best"] == "64" and not t["noise"], t
    assert [v["value"] for v in t["values"]] == ["auto", "16", "64", "256"], t
    assert r.stdout.rstrip().endswith("export SKUA_CHUNK_SIZE_TINY=64"), r.stdout
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and len(root.findall(".//{*}polyline")) == 1


@case
def tune_wall_time():
    svg = os.path.join(tmp, "wall.svg")
    r = run(["tune", "--site", "primes", "--max-values", "3", "--repeat", "3",
             "--plot", svg, "--", primes, "200000"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    last = r.stdout.rstrip().splitlines()[-1]
    assert re.fullmatch(r"export SKUA_CHUNK_SIZE_PRIMES=[1-9][0-9]*|"
                        r"unset SKUA_CHUNK_SIZE_PRIMES  # auto", last), last
    assert "run 12 of 12" in r.stderr, r.stderr
    ET.parse(svg)


@case
def tune_plot():
    j, svg = os.path.join(tmp, "tp.json"), os.path.join(tmp, "tp.svg")
    again = os.path.join(tmp, "tp_again.svg")
    r = run(["tune", "--site", "tiny", "--values", "16,64", "--repeat", "3",
             "--json", j, "--plot", svg, "--", app, "tiny"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    r = run(["plot", j, again])
    assert r.returncode == 0 and r.stdout == "", (r.returncode, r.stderr)
    # tune --plot draws the JSON document it writes: the same bytes.
    assert open(svg, "rb").read() == open(again, "rb").read(), "SVGs differ"
    root = ET.parse(again).getroot()
    assert root.tag.endswith("svg"), root.tag
    g = [x for x in root.findall("{*}g") if x.get("id") == "tune"]
    assert len(g) == 1, [x.get("id") for x in root.findall("{*}g")]
    lines = g[0].findall("{*}polyline")
    legend = [x for x in g[0].findall("{*}g") if x.get("class") == "legend"]
    labels = [t.text for t in legend[0].findall(".//{*}text")]
    assert len(lines) == 1 and labels == ["tiny"], (len(lines), labels)
    assert len(lines[0].get("points").split()) == 2, lines[0].get("points")
    # auto's median, the dashed line across the chart
    dashed = [x for x in g[0].findall("{*}line")
              if x.get("stroke-dasharray") == "6 4"]
    assert len(dashed) == 1, len(dashed)
    texts = " ".join(t.text or "" for t in root.findall(".//{*}text"))
    assert "skua-bench tune: skua-metric against chunk size" in texts, texts


unknown = only - set(ran)
if unknown:
    print("no such case:", " ".join(sorted(unknown)))
    sys.exit(2)

if failures:
    print("failed:", " ".join(failures))
    sys.exit(1)
print("all profile cases passed")
