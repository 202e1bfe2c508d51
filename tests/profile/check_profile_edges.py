#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""skua-bench profile and tune at their edges, and the files the library
writes for them (an independent review's findings).

Usage: check_profile_edges.py SKUA_BENCH PRIMES SITES_APP [CASE...]

The temporary directory (a missing $TMPDIR, a long one, nothing left
behind, Ctrl-C), a profiled program's file that is hostile or odd (a
command in an "off", workers_stats that are not objects or have other
keys), site names that are not UTF-8 (the profile, the trace and
skua-bench's --json must all be JSON), the overflow bucket past 255
sites, advice for more than 64 sites, and tune's options and outputs
(non-finite figures, --plot failing, --values after the program, strict
numbers, a last skua-metric line without a newline).  JSON is read with
a parser that takes nothing but RFC 8259 (no NaN) from strict UTF-8.
With CASE names, only those run.
"""
import json, os, re, signal, subprocess, sys, tempfile

bench, primes, app = (os.path.abspath(a) for a in sys.argv[1:4])
only = set(sys.argv[4:])
tmp = tempfile.mkdtemp()
failures = []
ran = []


def strict_json(data):
    """bytes -> a document; fails on bad UTF-8, NaN, Infinity."""
    def no_constant(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(data.decode("utf-8"), parse_constant=no_constant)


def strict_load(path):
    with open(path, "rb") as f:
        return strict_json(f.read())


def run(args, env=None, cwd=None, timeout=300, preexec_fn=None):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("SKUA_CHUNK_SIZE") or k in ("SKUA_PROFILE",
                                                      "SKUA_TRACE"):
            del e[k]
    e.update(env or {})
    return subprocess.run([bench] + args, env=e, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          errors="replace", preexec_fn=preexec_fn)


def fresh_dir(name):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    return d


def case(fn):
    if only and fn.__name__ not in only:
        return fn
    ran.append(fn.__name__)
    try:
        fn()
        print(f"ok   {fn.__name__}")
    except (AssertionError, ValueError, KeyError, OSError) as ex:
        print(f"FAIL {fn.__name__}: {type(ex).__name__}: {ex}")
        failures.append(fn.__name__)
    return fn


# A stand-in for a profiled program: it appends LINE (one profile line)
# to $SKUA_PROFILE when that is set, then prints its first argument as it
# is (so a test chooses whether the last line ends in a newline).
FAKE = os.path.join(tmp, "fake_app.sh")
TINY_LINE = json.dumps({
    "skua_profile": 1, "pool": 1, "pid": 1, "workers": 2,
    "workers_stats": [], "sites": [{
        "name": "tiny", "label": "tiny", "calls": 1, "elements": 1000,
        "chunks": 10, "elems_min": 100, "elems_max": 100}]})


def fake_program(path, line):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                "if [ -n \"$SKUA_PROFILE\" ]; then\n"
                f"  printf '%s\\n' '{line}' >> \"$SKUA_PROFILE\"\n"
                "fi\n"
                "printf '%s' \"$1\"\n")
    os.chmod(path, 0o755)
    return path


fake_program(FAKE, TINY_LINE)


@case
def missing_tmpdir_is_its_own_failure():
    env = {"TMPDIR": os.path.join(tmp, "no", "such", "dir")}
    r = run(["profile", "--", primes, "1000"], env)
    assert r.returncode == 125, (r.returncode, r.stderr)
    assert "cannot make a temporary directory" in r.stderr, r.stderr
    r = run(["tune", "--site", "primes", "--", primes, "1000"], env)
    assert r.returncode == 125, (r.returncode, r.stderr)
    assert "cannot make a temporary directory" in r.stderr, r.stderr


@case
def long_tmpdir_works():
    d = tmp
    while len(d) < 700:
        d = os.path.join(d, "t" * 100)
    os.makedirs(d)
    j = os.path.join(tmp, "long.json")
    r = run(["profile", "--json", j, "--", primes, "100000"], {"TMPDIR": d})
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert [s["site"] for s in strict_load(j)["sites"]] == ["primes"]
    assert os.listdir(d) == [], os.listdir(d)


@case
def relative_tmpdir_and_a_program_that_changes_directory():
    # SKUA_PROFILE was $TMPDIR/... as given: relative, so a program that
    # changes directory first (a wrapper script's cd) wrote nowhere and
    # got "no skua pools seen".
    cwd = fresh_dir("relative_tmpdir")
    os.makedirs(os.path.join(cwd, "t"))
    j = os.path.join(tmp, "relative.json")
    r = run(["profile", "--json", j, "--", "sh", "-c",
             'cd / && exec "$0" 100000', primes], {"TMPDIR": "t"}, cwd=cwd)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert [s["site"] for s in strict_load(j)["sites"]] == ["primes"]
    assert os.listdir(os.path.join(cwd, "t")) == [], \
        os.listdir(os.path.join(cwd, "t"))


@case
def nothing_left_in_tmpdir():
    d = fresh_dir("tmpdir_clean")
    done = os.path.join(tmp, "late_writer_done")
    # A process of the program writes once skua-bench has gone.
    late = ("(while kill -0 $PPID 2>/dev/null; do sleep 0.05; done; "
            "echo late >> \"$SKUA_PROFILE\"; touch " + done +
            ") >/dev/null 2>&1 &")
    r = run(["profile", "--", "sh", "-c", late], {"TMPDIR": d})
    assert r.returncode == 1 and "no skua pools" in r.stderr, r.stderr
    for _ in range(600):  # at most a minute; it ends once skua-bench has
        if os.path.exists(done):
            break
        subprocess.run(["sleep", "0.1"])
    assert os.path.exists(done), "the late writer never ran"
    assert os.listdir(d) == [], os.listdir(d)
    # Ctrl-C (SIGINT to skua-bench as to the program) ends the program,
    # and skua-bench reports and cleans up.
    r = run(["profile", "--", "sh", "-c", "kill -INT $PPID; kill -INT $$"],
            {"TMPDIR": d})
    assert r.returncode == 130, (r.returncode, r.stderr)
    assert os.listdir(d) == [], os.listdir(d)
    r = run(["tune", "--site", "tiny", "--values", "2", "--repeat", "3",
             "--", FAKE, "skua-metric: 1\n"], {"TMPDIR": d})
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert os.listdir(d) == [], os.listdir(d)


@case
def sigchld_ignored_by_the_parent():
    # Started with SIGCHLD ignored (inherited across exec): the kernel
    # reaped the program itself, so waitpid failed; profile exited 1
    # with no report, tune said "killed by signal 0" and exited 128.
    def ignore():
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    r = run(["profile", "--", primes, "100000"], preexec_fn=ignore)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "Parallel loops, per call site" in r.stdout, r.stdout
    r = run(["profile", "--", "sh", "-c", "exit 3"], preexec_fn=ignore)
    assert r.returncode == 3, (r.returncode, r.stderr)
    r = run(["tune", "--site", "tiny", "--values", "2", "--repeat", "3",
             "--quiet", "--", FAKE, "skua-metric: 1\n"], preexec_fn=ignore)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "export SKUA_CHUNK_SIZE_TINY" in r.stdout or \
        "unset SKUA_CHUNK_SIZE_TINY" in r.stdout, r.stdout


@case
def not_executable_is_126():
    # Found but not runnable: 126, as the shell says, and as --help says
    # (it promised 127 for any program that could not be started).
    plain = os.path.join(tmp, "not_executable")
    open(plain, "w").write("#!/bin/sh\n")
    os.chmod(plain, 0o644)
    r = run(["profile", "--", plain])
    assert r.returncode == 126, (r.returncode, r.stderr)
    assert "could not be started" in r.stderr, r.stderr
    h = run(["profile", "--help"])
    assert "127 when it was not found, 126 when" in " ".join(h.stdout.split()), h.stdout


@case
def off_field_runs_no_command():
    cwd = fresh_dir("inject")
    line = json.dumps({"skua_profile": 1, "pool": 1, "workers": 1,
                       "sites": [{"name": None, "label": "fn@0x1",
                                  "obj": "/bin/sh", "off": "0x0;touch PWNED",
                                  "calls": 1, "elements": 1, "chunks": 1}]})
    prog = fake_program(os.path.join(cwd, "evil.sh"), line)
    r = run(["profile", "--", prog], cwd=cwd)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert not os.path.exists(os.path.join(cwd, "PWNED")), \
        "the off field ran as a shell command"
    assert "fn@0x1" in r.stdout, r.stdout


@case
def worker_rows_that_are_odd():
    line = json.dumps({"skua_profile": 1, "pool": 1, "workers": 2,
                       "workers_stats": [[1, 2], "x",
                                         {"worker": 0, "tasks": 5,
                                          "idle_max_ns": 2000000},
                                         {"idle_max_ns": 3000000,
                                          "worker": 1}],
                       "sites": []})
    prog = fake_program(os.path.join(tmp, "odd.sh"), line)
    r = run(["profile", "--", prog])
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert re.search(r"^ +worker +tasks +idle_max_ms$", r.stdout, re.M), \
        r.stdout
    assert re.search(r"^ +0 +5 +2\.000$", r.stdout, re.M), r.stdout
    assert re.search(r"^ +1 +- +3\.000$", r.stdout, re.M), r.stdout


NAMES = ["q\"uote", "back\\slash", "ctl\x01\ttab\n", "bad\xff\xfeutf",
         "caf\u00e9", "other"]


@case
def names_that_are_not_utf8():
    d = fresh_dir("names")
    prof, trace = os.path.join(d, "p.jsonl"), os.path.join(d, "t.json")
    env = dict(os.environ, SKUA_PROFILE=prof, SKUA_TRACE=trace)
    r = subprocess.run([app, "names"], env=env, capture_output=True)
    assert r.returncode == 0, r.stderr
    lines = open(prof, "rb").read().splitlines()
    assert len(lines) == 1, lines
    # \u00XX for each byte that is not UTF-8: U+00XX to a JSON parser.
    names = [s["name"] for s in strict_json(lines[0])["sites"]]
    assert names == NAMES, names
    chunks = {e["name"] for e in strict_load(trace)["traceEvents"]
              if e.get("cat") == "chunk"}
    assert chunks == set(NAMES), chunks
    j = os.path.join(d, "bench.json")
    r = run(["profile", "--json", j, "--", app, "names"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    sites = {s["site"]: s for s in strict_load(j)["sites"]}
    assert set(sites) == set(NAMES), sites.keys()
    # Read back as the program's bytes: one '_' per byte, as libskua.
    assert sites["bad\xff\xfeutf"]["env"] == "SKUA_CHUNK_SIZE_BAD__UTF", sites
    assert sites["caf\u00e9"]["env"] == "SKUA_CHUNK_SIZE_CAF__", sites


@case
def sites_past_255_are_a_bucket():
    j = os.path.join(tmp, "overflow.json")
    r = run(["profile", "--json", j, "--", app, "overflow"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    sites = strict_load(j)["sites"]
    assert len(sites) == 256, len(sites)
    b = [s for s in sites if s.get("overflow")]
    assert len(b) == 1 and b[0]["site"] == "(sites past 255)", b
    assert not b[0]["named"] and b[0]["env"] == "" and "advice" not in b[0], b
    assert b[0]["elements"] == 1000000, b
    assert "SKUA_CHUNK_SIZE_OTHER" not in r.stdout, r.stdout
    assert "(sites past 255): the loops of the sites past" in r.stdout


@case
def advice_past_64_sites():
    j = os.path.join(tmp, "many.json")
    r = run(["profile", "--json", j, "--", app, "many", "70"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    advised = [s for s in strict_load(j)["sites"] if "advice" in s]
    assert len(advised) == 70, len(advised)
    assert "  ... and 6 more (all of them in --json)" in r.stdout, r.stdout
    assert len(re.findall(r"^  export SKUA_CHUNK_SIZE_S\d+=", r.stdout,
                          re.M)) == 64, r.stdout


def tune(args, env=None):
    return run(["tune", "--site", "tiny", "--repeat", "3"] + args, env)


@case
def tune_json_has_no_nan():
    j = os.path.join(tmp, "zero.json")
    r = tune(["--values", "2", "--json", j, "--", FAKE, "skua-metric: 0\n"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    doc = strict_load(j)
    assert doc["figure"] == "skua-metric", doc
    assert doc["sites"][0]["speedup"] is None, doc


@case
def tune_takes_name_equals_value():
    # --json=FILE, as profile takes it (tune took the program's name as the
    # value of a lone "--json=..." before, then failed with exit 2).
    j = os.path.join(tmp, "eq.json")
    r = run(["tune", "--site=tiny", "--repeat=3", "--values=2",
             "--json=" + j, "--", FAKE, "skua-metric: 1\n"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert strict_load(j)["sites"][0]["site"] == "tiny", j
    bad = run(["tune", "--site=tiny", "--nosuch=3", FAKE, "x"])
    assert bad.returncode == 2, (bad.returncode, bad.stderr)


@case
def tune_quiet_prints_no_progress():
    j = os.path.join(tmp, "quiet.json")
    r = tune(["--quiet", "--values", "2", "--json", j, "--", FAKE,
              "skua-metric: 1\n"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "tune:" not in r.stderr, r.stderr
    assert strict_load(j)["sites"][0]["values"], j
    loud = tune(["--values", "2", "--", FAKE, "skua-metric: 1\n"])
    assert "tune: run" in loud.stderr, loud.stderr


@case
def tune_metric_without_newline():
    j = os.path.join(tmp, "nonl.json")
    r = tune(["--values", "2", "--json", j, "--", FAKE, "skua-metric: 5"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    doc = strict_load(j)
    assert doc["figure"] == "skua-metric", doc
    assert [v["median"] for v in doc["sites"][0]["values"]] == [5, 5], doc


@case
def tune_writes_json_when_plot_fails():
    j = os.path.join(tmp, "plotfail.json")
    svg = os.path.join(tmp, "no", "such", "dir", "x.svg")
    r = tune(["--values", "2", "--plot", svg, "--json", j, "--", FAKE,
              "skua-metric: 1\n"])
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert strict_load(j)["sites"][0]["site"] == "tiny"


@case
def tune_leaves_the_programs_arguments():
    j = os.path.join(tmp, "progargs.json")
    r = tune(["--values", "16,64", "--json", j, FAKE, "skua-metric: 1\n",
              "--values", "99"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    values = [v["value"] for v in strict_load(j)["sites"][0]["values"]]
    assert values == ["auto", "16", "64"], values


@case
def tune_higher_is_better_needs_a_metric():
    # No skua-metric line: the figure is the wall time, lower is better,
    # whatever --higher-is-better says (it named the slowest the best).
    line = TINY_LINE.replace('"tiny"', '"slow"')
    prog = os.path.join(tmp, "slow_app.sh")
    with open(prog, "w") as f:
        f.write("#!/bin/sh\n"
                "if [ -n \"$SKUA_PROFILE\" ]; then\n"
                f"  printf '%s\\n' '{line}' >> \"$SKUA_PROFILE\"\n"
                "fi\n"
                "case \"$SKUA_CHUNK_SIZE_SLOW\" in 64) sleep 0.3;; esac\n")
    os.chmod(prog, 0o755)
    j = os.path.join(tmp, "hib.json")
    r = run(["tune", "--site", "slow", "--repeat", "3", "--values", "2,64",
             "--higher-is-better", "--json", j, "--", prog])
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "--higher-is-better ignored" in r.stderr, r.stderr
    doc = strict_load(j)
    assert doc["figure"] == "wall_s", doc
    assert doc["sites"][0]["best"] != "64", doc
    assert "SKUA_CHUNK_SIZE_SLOW=64" not in r.stdout, r.stdout


@case
def tune_pool_of_no_workers():
    # A profile line (the program's file) saying "workers": 0, or a count
    # that is 0 as an unsigned: tune divided by it (SIGFPE).
    for w in (0, 2 ** 32):
        prog = fake_program(os.path.join(tmp, f"w{w}.sh"),
                            TINY_LINE.replace('"workers": 2',
                                              f'"workers": {w}'))
        r = tune(["--quiet", "--", prog, "skua-metric: 1\n"])
        assert r.returncode == 0, (w, r.returncode, r.stderr)
        assert "export SKUA_CHUNK_SIZE_TINY" in r.stdout or \
            "unset SKUA_CHUNK_SIZE_TINY" in r.stdout, r.stdout


@case
def tune_numbers_are_strict():
    for opt, bad in (("--repeat", "3x"), ("--max-values", "2x"),
                     ("--budget", "10s"), ("--budget", "nan"),
                     ("--repeat", "")):
        r = run(["tune", "--site", "tiny", opt, bad, "--", FAKE, "x"])
        assert r.returncode == 2, (opt, bad, r.returncode, r.stderr)
        assert opt in r.stderr, r.stderr


@case
def json_reader_takes_only_json_numbers():
    j = os.path.join(tmp, "good_tune.json")
    r = tune(["--values", "2", "--json", j, "--", FAKE, "skua-metric: 1\n"])
    assert r.returncode == 0, r.stderr
    good = open(j).read()
    svg = os.path.join(tmp, "reader.svg")
    assert '"repeat":3' in good, good
    assert run(["plot", j, svg]).returncode == 0
    for bad in ("-nan", "inf", "03", "3.", "0x3", "+3", ".3"):
        k = os.path.join(tmp, "bad_tune.json")
        open(k, "w").write(good.replace('"repeat":3', '"repeat":' + bad))
        r = run(["plot", k, svg])
        assert r.returncode == 1 and "not JSON" in r.stderr, \
            (bad, r.returncode, r.stderr)


@case
def profile_json_option_forms():
    r = run(["profile", "--json"])
    assert r.returncode == 2 and "--json needs a FILE" in r.stderr, r.stderr
    j = os.path.join(tmp, "eq.json")
    r = run(["profile", "--json=" + j, "--", primes, "1000"])
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert strict_load(j)["sites"][0]["site"] == "primes"


@case
def plot_of_a_directory():
    r = run(["plot", tmp, os.path.join(tmp, "dir.svg")])
    assert r.returncode == 1 and "Is a directory" in r.stderr, r.stderr


unknown = only - set(ran)
if unknown:
    print("no such case:", " ".join(sorted(unknown)))
    sys.exit(2)
if failures:
    print("failed:", " ".join(failures))
    sys.exit(1)
print("all profile edge cases passed")
