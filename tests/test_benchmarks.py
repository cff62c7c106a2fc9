"""The benchmark scripts still run against the code they measure (their figures are read by
people, never asserted here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnlab import catalog

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_breakdown_prints_every_numpy_exercise_and_the_split() -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "breakdown.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.splitlines()
    for exercise in catalog.EXERCISES:
        row = [line for line in lines if line.split()[:1] == [exercise.slug]]
        if exercise.uses_tensorflow:
            assert not row, f"{exercise.slug} needs TensorFlow: not a NumPy figure"
            continue
        assert row, f"no row for {exercise.slug}:\n{completed.stdout}"
        trips = int(row[0].split()[-1])
        assert trips >= 2, f"{exercise.slug} made {trips} round trips: its checks did not run"
    assert re.search(r"A child that does almost nothing .*: \d+\.\d ms", completed.stdout)
    assert re.search(r"So of the \d+ ms: \d+ children", completed.stdout)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "adam_threshold.py",
            r"plain gradient descent at learning_rate=0\.01 needs \d+-\d+ epochs",
        ),
        ("cnn_numpy_threshold.py", r"model answer +min 0\.\d+ .* 1/1 pass"),
    ],
)
def test_threshold_sweeps_run_on_one_seed(script: str, expected: str) -> None:
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--seeds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert re.search(expected, completed.stdout), completed.stdout
