"""A correct answer written loop by loop, the way classic courses teach it, passes every
correctness check: checks judge what a function returns, never how it computes it.

A loop answer is ``tests/loop_answers/<slug>.py``: a whole module for that exercise.
Checks of kind ``speed`` may fail for it (that is what they are for); none other may.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nnlab.grading import grade

LOOP_ANSWERS = Path(__file__).resolve().parent / "loop_answers"


@pytest.mark.parametrize("path", sorted(LOOP_ANSWERS.glob("*.py")), ids=lambda path: path.stem)
def test_loop_answer_passes_every_correctness_check(path: Path, tmp_path: Path) -> None:
    slug = path.stem
    shutil.copyfile(path, tmp_path / f"{slug}.py")
    result = grade(tmp_path, [slug]).exercises[0]
    assert result.status != "error", result.message
    failing = {
        c.name: c.message for c in result.checks if c.kind == "correctness" and c.status != "passed"
    }
    assert not failing, failing
    assert any(c.kind == "correctness" for c in result.checks)
