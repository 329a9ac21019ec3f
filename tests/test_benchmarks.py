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
