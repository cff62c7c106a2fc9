"""Shared fixtures for nnlab's own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
