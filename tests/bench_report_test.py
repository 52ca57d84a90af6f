#!/usr/bin/env python3
"""bench_report_test.py: tools/bench_report.py --readme, the step of `tools/bench.sh --readme` that
regenerates the README's performance section, on the recorded runs of tests/data/bench/.

The section between the README's two performance markers is replaced by the generated tables and
nothing outside them changes; a second run gives the same file; a README without the markers is
refused (exit 2) and left as it was.

Run by ctest (tests/CMakeLists.txt) or directly: python3 tests/bench_report_test.py
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, "tools", "bench_report.py")
DATA = os.path.join(ROOT, "tests", "data", "bench")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bench_report  # noqa: E402  (the markers)

BEFORE = "# jwtbatch\n\nintro\n\n## Performance\n\n"
AFTER = "\n\nhand-written text after the tables\n\n## Testing\n\nmore\n"


class BenchReportReadme(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.results = os.path.join(self.dir, "results")
        os.mkdir(self.results)
        shutil.copy(os.path.join(DATA, "stages-run1.json"), os.path.join(self.results, "bench.json"))
        shutil.copy(os.path.join(DATA, "stats-run1.json"), os.path.join(self.results, "stats.json"))
        with open(os.path.join(self.results, "env.json"), "w") as f:
            json.dump({"date": "2026-11-28 00:00 UTC", "cpu_model": "test CPU", "nproc": 2, "git_commit": "abc",
                       "kernels": "avx512", "repetitions": 5, "command": "tools/bench.sh --readme"}, f)
        self.readme = os.path.join(self.dir, "README.md")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_tool(self):
        return subprocess.run([sys.executable, TOOL, self.results, "--readme", self.readme],
                              capture_output=True, text=True)

    def test_replaces_only_the_marked_section_and_is_idempotent(self):
        with open(self.readme, "w") as f:
            f.write(BEFORE + bench_report.README_BEGIN + "\nstale table\n" + bench_report.README_END + AFTER)
        p = self.run_tool()
        self.assertEqual(p.returncode, 0, p.stderr)
        text = open(self.readme).read()
        self.assertTrue(text.startswith(BEFORE + bench_report.README_BEGIN + "\n"))
        self.assertTrue(text.endswith(bench_report.README_END + AFTER))
        self.assertNotIn("stale table", text)
        section = text[text.index(bench_report.README_BEGIN):text.index(bench_report.README_END)]
        self.assertIn("### Per-stage throughput", section)
        self.assertIn("test CPU", section)
        self.assertNotIn("## Performance", section)  # the heading stays outside, once
        with open(os.path.join(self.results, "performance.md")) as f:
            self.assertIn("### Per-stage throughput", f.read())
        self.assertEqual(self.run_tool().returncode, 0)
        self.assertEqual(open(self.readme).read(), text)

    def test_refuses_a_readme_without_markers(self):
        original = BEFORE + "no markers here" + AFTER
        with open(self.readme, "w") as f:
            f.write(original)
        p = self.run_tool()
        self.assertEqual(p.returncode, 2)
        self.assertIn("performance: begin", p.stderr)
        self.assertEqual(open(self.readme).read(), original)


if __name__ == "__main__":
    unittest.main()
