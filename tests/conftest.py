"""Shared fixtures for nnlab's own tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nnlab.sandbox import BLAS_THREADS

# one BLAS thread in this process, as the CLI sets it (before NumPy loads): the grader's own
# work (the references, and the CPU time of conv2d's, which the speed budget derives from)
# is measured as in a grading
for _name, _value in BLAS_THREADS.items():
    os.environ.setdefault(_name, _value)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
BROKEN = Path(__file__).resolve().parent / "broken"

# submissions and instructor-style checks the tests grade; never collected as tests themselves
collect_ignore_glob = ["attacks/*", "broken/*", "loop_answers/*"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """An empty learner folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def submission_with(tmp_path: Path, files: dict[str, Path]) -> Path:
    """A submission folder holding copies of ``files`` (slug -> source file)."""
    folder = tmp_path / "submission"
    folder.mkdir(exist_ok=True)
    for slug, source in files.items():
        shutil.copyfile(source, folder / f"{slug}{source.suffix}")
    return folder
