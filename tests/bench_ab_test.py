#!/usr/bin/env python3
"""bench_ab_test.py: tests of tools/bench-ab with a stand-in benchmark binary.

The stand-in (written to a temporary folder) answers like a Google Benchmark binary: it reads
--benchmark_out, --benchmark_filter and --benchmark_min_time and writes JSON for three benchmarks.
Its times drift from round to round (up to 1.6x, as on a shared machine), alike for the two sides
of a round, and a side may be made slower or faster on one benchmark. The tests require that two
builds of the same speed under that drift are not flagged (exit 0), that a 10% slowdown of one
benchmark is flagged and named (exit 1) and a speed-up is not a regression, that rounds alternate
which side runs first, that the options reach both binaries, and that a failing binary or an empty
--analyze folder is an error (exit 2). Run by ctest or directly: python3 tests/bench_ab_test.py
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, "tools", "bench-ab")

STAND_IN = r'''#!/usr/bin/env python3
import json, os, sys
args = dict(a.split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
state = os.environ["AB_STATE"]
calls = int(open(state).read()) if os.path.exists(state) else 0
open(state, "w").write(str(calls + 1))
with open(os.environ["AB_LOG"], "a") as log:
    log.write(os.environ["AB_SIDE"] + " " + args["--benchmark_filter"] + " " + args["--benchmark_min_time"] + "\n")
if os.environ.get("AB_FAIL"):
    sys.stderr.write("stand-in: asked to fail\n")
    sys.exit(3)
drift = [1.0, 1.6, 0.7, 1.3, 0.9, 1.5, 0.6, 1.2][calls % 8]  # a side is called once a round
slow = {k: float(v) for k, v in (p.split(":") for p in os.environ.get("AB_FACTOR", "").split(",") if p)}
benchmarks = []
for name, base in (("BM_a", 100.0), ("BM_b/real_time", 2000.0), ("BM_c", 5.0)):
    t = base * drift * slow.get(name, 1.0)
    field_other = t * (3.0 if name.endswith("real_time") else 0.5)  # the field bench-ab must not read
    real, cpu = (t, field_other) if name.endswith("real_time") else (field_other, t)
    benchmarks.append({"name": name, "run_name": name, "run_type": "iteration", "iterations": 10,
                       "real_time": real, "cpu_time": cpu, "time_unit": "ns"})
json.dump({"benchmarks": benchmarks}, open(args["--benchmark_out"], "w"))
'''


class BenchAb(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.log = os.path.join(self.dir, "log")
        self.bins = {}
        for side in ("base", "new"):
            path = os.path.join(self.dir, f"{side}_bench")
            with open(path, "w") as f:
                f.write(STAND_IN)
            os.chmod(path, 0o755)
            self.bins[side] = path

    def tearDown(self):
        self.tmp.cleanup()

    def run_ab(self, rounds=6, new_factor="", base_fail=False, extra=()):
        # Each side counts its own calls; the drift follows the round, alike for both sides.
        wrapper = {}
        for side in ("base", "new"):
            w = os.path.join(self.dir, f"{side}_wrapper")
            env = {"AB_STATE": os.path.join(self.dir, f"{side}.count"), "AB_LOG": self.log, "AB_SIDE": side,
                   "AB_FACTOR": new_factor if side == "new" else "", "AB_FAIL": "1" if base_fail and side == "base" else ""}
            with open(w, "w") as f:
                f.write("#!/bin/sh\n" + "".join(f"export {k}='{v}'\n" for k, v in env.items()) +
                        f'exec "{sys.executable}" "{self.bins[side]}" "$@"\n')
            os.chmod(w, 0o755)
            wrapper[side] = w
        out = os.path.join(self.dir, "rounds")
        p = subprocess.run([sys.executable, TOOL, wrapper["base"], wrapper["new"], "--rounds", str(rounds),
                            "--out", out, *extra], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr, out

    def test_same_speed_under_drift_is_not_flagged(self):
        rc, out, err, _ = self.run_ab()
        self.assertEqual(rc, 0, out + err)
        self.assertIn("3 compared, 0 slower and 0 faster", out)
        for name in ("BM_a", "BM_b/real_time", "BM_c"):
            self.assertRegex(out, rf"{name}\s+6\s+1\.000\s+1\.000")

    def test_ten_percent_slower_is_flagged_and_named(self):
        rc, out, err, _ = self.run_ab(new_factor="BM_b/real_time:1.1")
        self.assertEqual(rc, 1, out + err)
        self.assertRegex(out, r"BM_b/real_time\s+6\s+0\.909.*SLOWER")
        self.assertIn("1 slower and 0 faster", out)

    def test_faster_is_not_a_regression(self):
        rc, out, err, _ = self.run_ab(new_factor="BM_a:0.8")
        self.assertEqual(rc, 0, out + err)
        self.assertRegex(out, r"BM_a\s+6\s+1\.250.*faster")

    def test_rounds_alternate_and_options_reach_both_binaries(self):
        rc, out, err, rounds_dir = self.run_ab(rounds=4, extra=("--filter", "^BM_(a|c)$", "--min-time", "0.05"))
        self.assertEqual(rc, 0, out + err)
        with open(self.log) as f:
            lines = [l.split() for l in f.read().splitlines()]
        self.assertEqual([l[0] for l in lines], ["base", "new", "new", "base", "base", "new", "new", "base"])
        self.assertTrue(all(l[1:] == ["^BM_(a|c)$", "0.05"] for l in lines), lines)
        self.assertEqual(sorted(os.listdir(rounds_dir)), sorted(f"{s}-{r}.json" for s in ("base", "new") for r in range(1, 5)))
        # The rounds can be read again without running anything.
        p = subprocess.run([sys.executable, TOOL, "--analyze", rounds_dir], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout, out)

    def test_failing_binary_and_empty_folder_are_errors(self):
        rc, out, err, _ = self.run_ab(base_fail=True)
        self.assertEqual(rc, 2)
        self.assertIn("failed in round 1 (exit 3): stand-in: asked to fail", err)
        empty = os.path.join(self.dir, "empty")
        os.makedirs(empty)
        p = subprocess.run([sys.executable, TOOL, "--analyze", empty], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no round with both", p.stderr)
        p = subprocess.run([sys.executable, TOOL, self.bins["base"]], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)


if __name__ == "__main__":
    unittest.main()
