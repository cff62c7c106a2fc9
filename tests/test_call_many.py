"""learner.call_many: several calls in one round trip, each judged as if made alone."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.checks import Learner, LearnerError
from nnlab.sandbox.launcher import Sandbox

SOURCE = """
import numpy as np
import warnings

def half(x):
    if x == 3:
        raise ValueError("three is not allowed")
    if x == 4:
        warnings.warn("four is odd here")
    return x / 2

def draw(n):
    return float(np.random.random())  # the global generator: reset before every call

def draw_python(n):
    import random
    return [random.random(), random.gauss(0, 1), random.gauss(0, 1)]  # the 2nd gauss is cached

def scale(a):
    a *= 2  # in place, on purpose
    return a

def spin(n):
    while True:
        pass

def power(x, p=2):
    return x**p
"""


@pytest.fixture
def learner():
    with Sandbox(SOURCE, "m.py", "m") as box:
        assert box.load().raised is None
        yield Learner(box, file_name="m.py", signatures={}, call_timeout=2.0, budget_seconds=60.0)


def test_each_call_has_its_own_result_error_and_warnings(learner: Learner) -> None:
    outcomes = learner.call_many("half", [(1,), (3,), (4,), (8,)])
    assert [o.args for o in outcomes] == [(1,), (3,), (4,), (8,)]
    assert outcomes[0].value == 0.5 and outcomes[3].value == 4.0
    assert outcomes[1].raised is not None and outcomes[1].raised.is_a("ValueError")
    assert [len(o.warnings) for o in outcomes] == [0, 0, 1, 0]


def test_every_call_starts_from_the_same_seeds(learner: Learner) -> None:
    values = [o.value for o in learner.call_many("draw", [(1,), (2,), (3,)])]
    assert len(set(values)) == 1
    assert values[0] == learner.call("draw", 9).value


def test_python_random_starts_each_call_as_after_seed_zero(learner: Learner) -> None:
    import random

    seeded = random.Random(0)
    expected = [seeded.random(), seeded.gauss(0, 1), seeded.gauss(0, 1)]
    values = [o.value for o in learner.call_many("draw_python", [(1,), (2,)])]
    assert values == [expected, expected]


def test_an_input_changed_in_place_is_reported_for_that_call(learner: Learner) -> None:
    a, b = np.ones(3), np.zeros(2)
    first, second = learner.call_many("scale", [(a,), (b,)])
    assert first.reply.inputs_after[0] is not True  # changed: sent back
    assert second.reply.inputs_after[0] is True  # zeros doubled are zeros: unchanged


def test_one_endless_call_times_the_group_out(learner: Learner) -> None:
    with pytest.raises(LearnerError) as raised:
        learner.call_many("spin", [(1,), (2,)])
    assert raised.value.status == "timeout"
    assert learner.call("half", 2).value == 1.0  # the child was restarted


def test_a_function_that_timed_out_once_is_given_less_time_after(
    learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from nnlab import checks

    monkeypatch.setattr(checks, "REPEAT_TIMEOUT_SECONDS", 0.5)
    with pytest.raises(LearnerError):
        learner.call("spin", 1)  # the full limit: 2 s
    started = time.monotonic()
    with pytest.raises(LearnerError, match=r"within 0\.5 s"):
        learner.call("spin", 2)
    assert time.monotonic() - started < 1.8
    assert learner.call("half", 2).value == 1.0  # other functions keep their full limit


def test_each_pairs_every_outcome_with_the_arguments_that_made_it(learner: Learner) -> None:
    cases = [(2,), (3,), (8,)]
    pairs = learner.each("half", cases)
    assert [arguments for arguments, _ in pairs] == cases
    assert pairs[0][1].value == 1.0 and pairs[2][1].value == 4.0
    assert pairs[1][1].raised is not None  # three raises, as with call_many


def test_calls_give_each_call_its_own_keywords_in_one_round_trip(
    learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = learner._sandbox
    trips = []
    for name in ("call", "call_many"):
        sent = getattr(sandbox, name)
        monkeypatch.setattr(
            sandbox, name, lambda *a, _f=sent, _n=name, **k: trips.append(_n) or _f(*a, **k)
        )
    outcomes = learner.calls("power", [((2,), {}), ((2,), {"p": 3}), ((3, 1), {})])
    assert trips == ["call_many"]
    assert [o.value for o in outcomes] == [4, 8, 3]
    assert [o.kwargs for o in outcomes] == [{}, {"p": 3}, {}]
    assert outcomes[1].call_text.endswith("p=3)")
    assert learner.calls("power", []) == []


def test_once_shares_one_outcome_until_the_child_restarts(learner: Learner) -> None:
    runs = []

    def compute():
        runs.append(1)
        return learner.call("half", 8)

    first = learner.once("eight", compute)
    assert learner.once("eight", compute) is first and len(runs) == 1
    with pytest.raises(LearnerError):  # a time-out kills the child; the next call restarts it
        learner.call("spin", 1)
    again = learner.once("eight", compute)
    assert again is not first and again.value == 4.0 and len(runs) == 2


def test_once_keeps_nothing_when_the_computation_raises(learner: Learner) -> None:
    def broken():
        raise LearnerError("no")

    for _ in range(2):
        with pytest.raises(LearnerError):
            learner.once("broken", broken)
    assert learner.once("broken", lambda: 5) == 5
