"""Large arrays cross the sandbox's pipes without extra copies and still arrive as sent."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

from nnlab.sandbox import protocol
from nnlab.sandbox.channel import Channel
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


@pytest.mark.parametrize(
    "array",
    [BIG, BIG[:, ::3], BIG.T, np.asfortranarray(BIG), BIG.astype(">f4"), np.arange(5)],
    ids=["contiguous", "strided", "transposed", "fortran", "big-endian", "small"],
)
def test_arrays_come_back_equal_writable_and_aligned(box: Sandbox, array: np.ndarray) -> None:
    back = box.call("same", (array,), timeout=10).value
    assert back.dtype == array.dtype and np.array_equal(back, array)
    assert back.flags.writeable and back.flags.aligned


def test_an_array_after_a_misaligning_one_is_copied_into_aligned_memory(box: Sandbox) -> None:
    small, large = box.call("mixed", (3,), timeout=10).value
    assert large.flags.aligned and np.array_equal(large, np.full((200, 100), 3.0))
    assert np.array_equal(small, np.ones(3, dtype=np.int8))


def test_arrays_from_one_reply_stay_intact_after_the_next_call(box: Sandbox) -> None:
    first = box.call("plus", (BIG, 1.0), timeout=10)
    kept = first.value.copy()
    second = box.call("plus", (BIG, 2.0), timeout=10)
    assert np.array_equal(first.value, kept)
    second.value[...] = 0  # a check may write into what it got
    assert np.array_equal(first.value, kept)
    assert not np.shares_memory(first.value, second.value)


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


def test_each_call_of_a_group_sends_what_it_returned_when_it_ended(box: Sandbox) -> None:
    replies = box.call_many("counter", [((1,), {}), ((2,), {}), ((3,), {})], timeout=10)
    assert [float(r.value[0, 0]) for r in replies] == [1.0, 2.0, 3.0]


def test_a_reply_split_across_many_small_reads_arrives_whole() -> None:
    blobs: list = []
    tree = protocol.encode([BIG, np.arange(3)], blobs)
    data = b"".join(protocol.frame({"ok": True, "value": tree}, blobs))
    read_end, write_end = os.pipe()
    box = Sandbox("", "m.py", "m", memory_limit=None)
    box.channel = Channel(None, read_end)

    def trickle() -> None:  # a slow child: a few KiB at a time
        for start in range(0, len(data), 4096):
            os.write(write_end, data[start : start + 4096])
            time.sleep(0.001)
        os.write(write_end, data)  # the start of a next frame, read ahead

    writer = threading.Thread(target=trickle, daemon=True)
    writer.start()
    try:
        for _ in range(2):
            reply = box._receive(10.0, "same")
            assert np.array_equal(reply.value[0], BIG)
            assert np.array_equal(reply.value[1], np.arange(3))
    finally:
        writer.join(10)
        os.close(read_end)
        os.close(write_end)
