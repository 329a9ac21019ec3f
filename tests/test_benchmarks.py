"""The benchmark scripts that run without ../shared still run: they call the package's API,
which moves under them."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_fit_scope_runs_on_the_project_questions():
    result = subprocess.run([sys.executable, "benchmarks/fit_scope.py", "--no-save", "--fixed-grid"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "labelled questions" in result.stdout and "scope-calibration" in result.stdout
    assert "fixed thresholds, best on the grid" in result.stdout and "saved" not in result.stdout


def test_bench_scope_prints_both_decisions():
    result = subprocess.run([sys.executable, "benchmarks/bench_scope.py", "--sets", "seed-heldout"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line.split(" | ") for line in result.stdout.splitlines() if line.startswith("| seed-heldout")]
    assert [r[2] for r in rows] == ["in_scope_answered", "out_of_scope_refused", "evidence_in_answer"]
    assert all(0.0 <= float(r[3]) <= 1.0 and 0.0 <= float(r[4].rstrip(" |")) <= 1.0 for r in rows)
