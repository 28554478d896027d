"""The benchmark scripts under bench/ stay importable and their argument parsers build.

They are run by hand (`make bench`), not by the suite; a refactor of one script once broke another
that imported from it (bench_compare imported a name bench_report no longer had) and nothing
noticed. Importing each one (every script guards its work behind `__main__`) and asking for its
`--help` catches that without running a benchmark.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("bench_*.py"))


def test_there_are_benchmark_scripts():
    assert len(SCRIPTS) >= 5, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_script_imports_and_shows_its_help(script):
    done = subprocess.run([sys.executable, str(script), "--help"], cwd=BENCH, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
