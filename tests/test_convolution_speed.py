"""The conv2d speed check: timed in the parent, and a correct but slow answer is told so.

The slow answers here are the model answer plus a sleep on the big batch only, so that the
test costs waiting time, not CPU.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SOLUTIONS

from nnlab.grading import grade

SPEED_CHECK = "conv2d_is_fast_on_a_batch_of_32_images"


def slow_answer(folder: Path, seconds: float) -> Path:
    source = (SOLUTIONS / "convolution.py").read_text()
    head = 'def conv2d(x, kernel, bias=None, stride=1, padding="valid"):\n'
    assert head in source
    sleep = f"    if np.size(x) > 100_000:\n        __import__('time').sleep({seconds})\n"
    (folder / "convolution.py").write_text(source.replace(head, head + sleep))
    return folder


@pytest.mark.parametrize(
    ("seconds", "status", "words"),
    [
        (3.5, "failed", "correct but slow: "),
        (30, "timeout", "correct so far (on small inputs) but slow"),
    ],
)
def test_a_correct_but_slow_conv2d_is_told_it_is_correct_but_slow(
    tmp_path: Path, seconds: float, status: str, words: str
) -> None:
    result = grade(slow_answer(tmp_path, seconds), ["convolution"]).exercises[0]
    verdicts = {c.name: c for c in result.checks}
    speed = verdicts.pop(SPEED_CHECK)
    assert speed.kind == "speed"
    assert speed.status == status, speed.message
    assert words in speed.message and "Vectoris" in speed.message + speed.hint
    assert all(c.status == "passed" for c in verdicts.values())
