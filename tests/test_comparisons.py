"""nnlab.checks.expect_close on large arrays: the piecewise path passes exactly what the
whole-array comparison passes, and every failure is described by the full comparison."""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.checks import CheckFailed, expect_close

SHAPE = (32, 26, 26, 32)  # the conv2d speed check's result: 692,224 values
LAST = (31, 25, 25, 31)  # in the last, partial piece


@pytest.fixture(scope="module")
def expected() -> np.ndarray:
    return np.random.default_rng(7).normal(size=SHAPE)


def test_a_large_result_within_tolerance_passes(expected: np.ndarray) -> None:
    expect_close(expected + 1e-9, expected)
    expect_close(expected.astype(np.float32), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("index", "value", "words"),
    [
        (LAST, np.nan, "returned nan at index [31, 25, 25, 31]"),
        ((0, 0, 0, 0), np.inf, "returned inf at index [0, 0, 0, 0]"),
        (LAST, 1.0, "is wrong at index [31, 25, 25, 31]"),
    ],
)
def test_one_bad_value_among_many_is_found_and_named(
    expected: np.ndarray, index: tuple[int, ...], value: float, words: str
) -> None:
    got = expected.copy()
    got[index] = value if not np.isfinite(value) else got[index] + value
    with pytest.raises(CheckFailed, match=r"\(1 of 692224 values differ\)") as failure:
        expect_close(got, expected)
    assert words in str(failure.value)


def test_an_infinite_expected_value_needs_the_same_infinity(expected: np.ndarray) -> None:
    with_inf = expected.copy()
    with_inf[LAST] = np.inf
    expect_close(with_inf.copy(), with_inf)
    got = with_inf.copy()
    got[LAST] = 1e300  # within any finite tolerance of nothing: inf is not a bound
    with pytest.raises(CheckFailed, match="expected inf"):
        expect_close(got, with_inf)
