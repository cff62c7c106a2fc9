"""Large arrays cross the sandbox's pipes and arrive as sent; inputs changed in place are told."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.sandbox.launcher import Sandbox

SOURCE = """
import numpy as np

STATE = np.zeros((100, 100))

def same(a):
    return a

def plus(a, b):
    return a + b

def scale(a):
    a *= 2  # in place, on purpose
    return None

def touch_one(a):
    a.flat[-1] += 1  # in place, one element
    return None

def nan_to_zero(a):
    a[np.isnan(a)] = 0.0
    return None

def counter(n):
    STATE[...] = n  # the same array returned each time, changed by the next call
    return STATE

def mixed(n):
    return [np.ones(3, dtype=np.int8), np.full((200, 100), float(n))]
"""

BIG = np.random.default_rng(0).normal(size=(64, 32, 16))  # 256 KiB: sent as a view


@pytest.fixture(scope="module")
def box():
    with Sandbox(SOURCE, "m.py", "m") as sandbox:
        assert sandbox.load().raised is None
        yield sandbox


@pytest.mark.parametrize("function", ["scale", "touch_one"])
def test_a_large_input_changed_in_place_is_reported(box: Sandbox, function: str) -> None:
    sent = BIG.copy()
    reply = box.call(function, (sent,), timeout=10)
    assert np.array_equal(sent, BIG)  # the parent's own array is untouched
    changed = reply.inputs_after[0]
    assert changed is not True and not np.array_equal(changed, BIG)


def test_an_unchanged_input_holding_nan_is_reported_unchanged(box: Sandbox) -> None:
    ones = np.ones((100, 100))
    assert box.call("nan_to_zero", (ones,), timeout=10).inputs_after == [True]
    holes = ones.copy()
    holes[::7] = np.nan
    assert box.call("same", (holes,), timeout=10).inputs_after == [True]
    assert box.call("nan_to_zero", (holes,), timeout=10).inputs_after[0] is not True
