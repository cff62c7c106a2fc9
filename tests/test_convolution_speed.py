"""The conv2d speed check: CPU time of the child against a budget derived from the
reference's, on new inputs each call; a correct but slow answer is told so.

The slow answers here are the model answer plus a busy loop (or a sleep) on the big batch
only. The rule itself is also run with a stand-in learner whose CPU times are given.
"""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from conftest import SOLUTIONS

from nnlab.checks import CheckFailed, Outcome
from nnlab.grading import grade
from nnlab.resources import grader_dir
from nnlab.sandbox.replies import Reply

SPEED_CHECK = "conv2d_is_fast_on_a_batch_of_32_images"


def slow_answer(folder: Path, delay: str) -> Path:
    source = (SOLUTIONS / "convolution.py").read_text()
    head = 'def conv2d(x, kernel, bias=None, stride=1, padding="valid"):\n'
    assert head in source
    (folder / "convolution.py").write_text(
        source.replace(head, f"{head}    if np.size(x) > 100_000:\n        {delay}\n")
    )
    return folder


BUSY = "t = __import__('time').process_time()\n        while __import__('time').process_time() < t + {}: pass"


@pytest.mark.parametrize(
    ("delay", "status", "words"),
    [
        # CPU time over the budget: stopped at the budget, failed as slow
        (BUSY.format(30), "failed", "correct (on small inputs) but slow: "),
        # asleep for longer than the budget: stopped as a call that does nothing
        ("__import__('time').sleep(30)", "timeout", "used no CPU time for"),
    ],
)
def test_a_correct_but_slow_conv2d_is_told_it_is_correct_but_slow(
    tmp_path: Path, delay: str, status: str, words: str
) -> None:
    result = grade(slow_answer(tmp_path, delay), ["convolution"]).exercises[0]
    verdicts = {c.name: c for c in result.checks}
    speed = verdicts.pop(SPEED_CHECK)
    assert speed.kind == "speed"
    assert speed.status == status, speed.message
    assert words in speed.message and "Vectoris" in speed.message + speed.hint
    assert all(c.status == "passed" for c in verdicts.values())


def test_waiting_is_not_computing(tmp_path: Path) -> None:
    """A call that sleeps for half a second uses no CPU time: the wall clock does not count."""
    folder = slow_answer(tmp_path, "__import__('time').sleep(0.5)")
    result = grade(folder, ["convolution"]).exercises[0]
    assert {c.name: c.status for c in result.checks}[SPEED_CHECK] == "passed"


# --- the rule, with a stand-in learner -----------------------------------------------------------


def speed_module():
    spec = importlib.util.spec_from_file_location(
        "nnlab_test_convolution_rule", grader_dir() / "test_convolution.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class StandIn:
    """Answers conv2d with the reference, or with a remembered first result (a cache); the
    CPU seconds of each large call are given."""

    def __init__(self, module, cpu_seconds: list[float], cache: bool = False) -> None:
        self.module, self.cpu_seconds, self.cache = module, list(cpu_seconds), cache
        self.large: list[np.ndarray] = []
        self.limits: list[float] = []
        self.remembered = None

    @contextmanager
    def time_limit(self, seconds: float):
        self.limits.append(seconds)
        yield

    def call(self, function: str, x, kernel, bias=None) -> Outcome:
        value = self.module.expected_conv(x, kernel, bias)
        cpu = 0.001
        if np.size(x) > 100_000:
            self.large.append(x)
            cpu = self.cpu_seconds.pop(0)
            if self.cache and self.remembered is not None:
                value = self.remembered
            self.remembered = value
        return Outcome(function, (x, kernel), {}, Reply(value=value), cpu_seconds=cpu)


def test_the_rule_passes_a_call_within_the_budget_on_new_inputs_each_time() -> None:
    module = speed_module()
    budget = module.speed_budget()
    assert budget >= module.SPEED_FLOOR
    learner = StandIn(module, [budget * 1.2, budget * 0.5])
    module.test_conv2d_is_fast_on_a_batch_of_32_images(learner)
    first, second = learner.large
    assert not np.array_equal(first, second)  # new inputs for the second call
    assert learner.limits == [budget, budget]  # each stopped at the budget


def test_the_rule_fails_calls_over_the_budget_with_the_rule_in_the_message() -> None:
    module = speed_module()
    learner = StandIn(module, [module.speed_budget() * 1.2] * 2)
    with pytest.raises(CheckFailed, match=r"best of 2 calls, each on new inputs.*CPU time"):
        module.test_conv2d_is_fast_on_a_batch_of_32_images(learner)


def test_a_cache_of_the_first_result_fails_as_wrong() -> None:
    """A slow first call, then the first result again (fast) for the second call's new inputs."""
    module = speed_module()
    learner = StandIn(module, [module.speed_budget() * 1.2, 0.001], cache=True)
    with pytest.raises(CheckFailed, match="is wrong"):
        module.test_conv2d_is_fast_on_a_batch_of_32_images(learner)
