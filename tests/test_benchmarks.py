"""The benchmark scripts that run without ../shared still run: they call the package's API,
which moves under them."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_calibrate_scope_runs_on_the_project_questions():
    result = subprocess.run([sys.executable, "benchmarks/calibrate_scope.py"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "in force          threshold=" in result.stdout
    assert "labelled questions" in result.stdout
