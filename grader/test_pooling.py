"""Hidden checks for the `pooling` exercise: max and average pooling, valid and same.

Every input is made here, in the parent, from a fixed private seed; results are compared
with the NumPy reference in grader/reference/pooling.py (which tests/ proves against
`tf.nn.max_pool2d` and `tf.nn.avg_pool2d`). Inputs are small: a loop-by-loop answer passes.
"""

from __future__ import annotations

import functools

import numpy as np

from nnlab.checks import check, expect_close, expect_raises, expect_unmodified, read_only, reference

ref = reference("pooling")


def _pool_matches(
    learner, function: str, cases, seed: int, *, scale: float = 1.0, positive: bool = False
) -> None:
    """cases: (x_shape, pool_size, strides, padding); strides "default" is left out of the call.
    ``positive`` inputs leave the padding's value out of a maximum: the geometry alone counts."""
    calls, expectations = _pool_cases(function, tuple(cases), seed, scale, positive)
    outcomes = learner.calls(function, calls)
    for (expected, note), got in zip(expectations, outcomes, strict=True):
        expect_close(got, expected, hint=note)


@functools.cache
def _pool_cases(
    function: str, cases: tuple, seed: int, scale: float, positive: bool
) -> tuple[tuple, tuple]:
    """The calls of one check, each ((x, pool_size), kwargs), and for each the reference's
    result and a note for its message: made once per grading process (grade-batch grades
    many submissions in one), read-only, so no check can change them by mistake."""
    rng = np.random.default_rng(seed)
    calls, expectations = [], []
    for x_shape, pool_size, strides, padding in cases:
        kwargs = {"padding": padding} if padding != "valid" else {}
        if strides != "default":
            kwargs["strides"] = strides
        x = rng.normal(scale=scale, size=x_shape)
        x = np.abs(x) + 0.1 if positive else x
        strides = None if strides == "default" else strides
        expected = getattr(ref, function)(x.copy(), pool_size, strides, padding)
        note = ""
        if padding == "same":
            (ph, pw), (sh, sw) = (
                ref.pair(pool_size),
                ref.pair(pool_size if strides is None else strides),
            )
            rows = ref.same_padding(x_shape[1], ph, sh)
            columns = ref.same_padding(x_shape[2], pw, sw)
            note = f'Here "same" pads the rows {rows} and the columns {columns} (before, after).'
        read_only(x, expected)
        calls.append(((x, pool_size), kwargs))
        expectations.append((expected, note))
    return tuple(calls), tuple(expectations)


VALID_NON_OVERLAPPING = [
    ((1, 4, 4, 1), 2, "default", "valid"),
    ((2, 6, 6, 3), 2, "default", "valid"),
    ((1, 5, 7, 2), 2, "default", "valid"),  # the last row / columns are dropped
    ((3, 9, 9, 1), 3, "default", "valid"),
    ((1, 6, 8, 2), (2, 4), "default", "valid"),
]
PAIRS = [
    ((1, 6, 6, 1), (2, 3), None, "valid"),
    ((2, 8, 6, 2), 2, (2, 1), "valid"),
    ((1, 7, 9, 3), (3, 2), (1, 3), "valid"),
    ((1, 5, 6, 1), (1, 2), (1, 2), "valid"),
]
OVERLAPPING = [
    ((1, 5, 5, 1), 3, 1, "valid"),
    ((2, 7, 7, 2), 3, 2, "valid"),
    ((1, 6, 8, 3), (3, 4), (2, 1), "valid"),
    ((1, 6, 6, 1), 2, 1, "valid"),
]
SAME = [
    ((1, 5, 5, 1), 2, "default", "same"),  # one extra row and column, at the bottom / right
    ((2, 7, 6, 2), 3, 2, "same"),
    ((1, 6, 6, 1), 3, 1, "same"),  # 2 rows of padding: one above, one below
    ((1, 4, 4, 3), 2, 1, "same"),
    ((2, 9, 7, 1), (3, 2), (2, 3), "same"),
    ((1, 8, 8, 2), 4, 3, "same"),
    ((1, 6, 6, 1), 2, 2, "same"),  # nothing to pad
    ((1, 6, 6, 2), 3, "default", "same"),  # nothing to pad: the default stride is 3, not 1
    ((2, 4, 6, 1), (2, 3), "default", "same"),
    ((1, 6, 6, 1), 3, (1, 2), "same"),  # rows pad (1, 1), columns (0, 1): each with its stride
    ((1, 6, 7, 1), 2, 3, "same"),  # strides above the window: (n_out-1)*s + k - n is -1 for rows
    ((1, 7, 6, 2), 2, 3, "same"),  # ... and for columns
    ((1, 4, 5, 2), 1, 1, "same"),  # 1x1 windows at stride 1: nothing to pad, x comes back
]


# --- the same behaviours for both functions ------------------------------------------------


@check(
    "max_pool2d",
    weight=6,
    hint=(
        "Without strides the windows step by their own size, so they do not overlap; each"
        " channel of each image is pooled on its own, and partial windows at the edge are"
        " dropped."
    ),
)
def test_max_pool2d_valid_with_default_strides_equal_to_pool_size(learner):
    _pool_matches(learner, "max_pool2d", VALID_NON_OVERLAPPING, 7101)


@check(
    "average_pool2d",
    weight=6,
    hint=(
        "Without strides the windows step by their own size, so they do not overlap; each"
        " channel of each image is pooled on its own, and partial windows at the edge are"
        " dropped."
    ),
)
def test_average_pool2d_valid_with_default_strides_equal_to_pool_size(learner):
    _pool_matches(learner, "average_pool2d", VALID_NON_OVERLAPPING, 7201)


@check(
    "max_pool2d",
    weight=3,
    hint='The defaults are 2x2 windows, strides equal to the window, and "valid" padding.',
)
def test_max_pool2d_defaults_to_2x2_windows(learner):
    x = np.random.default_rng(7102).normal(size=(2, 6, 5, 3))
    expect_close(learner.call("max_pool2d", x), ref.max_pool2d(x.copy()))


@check(
    "average_pool2d",
    weight=3,
    hint='The defaults are 2x2 windows, strides equal to the window, and "valid" padding.',
)
def test_average_pool2d_defaults_to_2x2_windows(learner):
    x = np.random.default_rng(7202).normal(size=(2, 6, 5, 3))
    expect_close(learner.call("average_pool2d", x), ref.average_pool2d(x.copy()))


@check(
    "max_pool2d",
    weight=5,
    hint=(
        "pool_size and strides can each be an int or a pair (rows, columns): a pair steps"
        " differently down and across."
    ),
)
def test_max_pool2d_with_pairs_for_pool_size_and_strides(learner):
    _pool_matches(learner, "max_pool2d", PAIRS, 7103)


@check(
    "average_pool2d",
    weight=5,
    hint=(
        "pool_size and strides can each be an int or a pair (rows, columns): a pair steps"
        " differently down and across."
    ),
)
def test_average_pool2d_with_pairs_for_pool_size_and_strides(learner):
    _pool_matches(learner, "average_pool2d", PAIRS, 7203)


@check(
    "max_pool2d",
    weight=5,
    hint=(
        "With strides smaller than the window, windows overlap: each starts a stride "
        "further along in the ORIGINAL input."
    ),
)
def test_max_pool2d_with_overlapping_windows(learner):
    _pool_matches(learner, "max_pool2d", OVERLAPPING, 7104)


@check(
    "average_pool2d",
    weight=5,
    hint=(
        "With strides smaller than the window, windows overlap: each starts a stride "
        "further along in the ORIGINAL input."
    ),
)
def test_average_pool2d_with_overlapping_windows(learner):
    _pool_matches(learner, "average_pool2d", OVERLAPPING, 7204)


@check(
    "max_pool2d",
    weight=6,
    hint=(
        '"same" gives ceil(H / stride) rows; the padding needed is split with the odd one'
        " at the BOTTOM (and at the RIGHT), as TensorFlow does, and without strides the "
        "stride is the pool size."
    ),
)
def test_max_pool2d_same_padding_like_tensorflow(learner):
    _pool_matches(learner, "max_pool2d", SAME, 7105, positive=True)  # -inf is the next check's


@check(
    "average_pool2d",
    weight=6,
    hint=(
        '"same" gives ceil(H / stride) rows; the padding needed is split with the odd one'
        " at the BOTTOM (and at the RIGHT), as TensorFlow does, and without strides the "
        "stride is the pool size."
    ),
)
def test_average_pool2d_same_padding_like_tensorflow(learner):
    _pool_matches(learner, "average_pool2d", SAME, 7205)


# --- what the padding must not change ------------------------------------------------------


@check(
    "max_pool2d",
    after=(
        "max_pool2d_valid_with_default_strides_equal_to_pool_size",
        "max_pool2d_same_padding_like_tensorflow",
    ),
    weight=5,
    hint=(
        "A padded position must never win the maximum: on an all-negative image a window "
        "over zero padding returns 0. Pad with a value below every number."
    ),
)
def test_max_pool2d_same_on_negative_inputs_ignores_the_padding(learner):
    rng = np.random.default_rng(7106)
    calls = [
        (-np.abs(rng.normal(size=x_shape)) - 1.0, pool_size, strides, "same")  # all below -1
        for x_shape, pool_size, strides in (
            ((1, 5, 5, 1), 2, None),
            ((2, 7, 6, 2), 3, 2),
            ((1, 4, 4, 1), 3, 1),
        )
    ]
    for (x, *options), got in learner.each("max_pool2d", calls):
        expect_close(got, ref.max_pool2d(x.copy(), *options))


@check(
    "average_pool2d",
    after=(
        "average_pool2d_valid_with_default_strides_equal_to_pool_size",
        "average_pool2d_same_padding_like_tensorflow",
    ),
    weight=5,
    hint=(
        "A window at the edge averages the REAL pixels it covers: dividing its sum by the"
        " full window size counts the padding as pixels."
    ),
)
def test_average_pool2d_same_averages_only_in_bounds_values(learner):
    # ones: every mean is exactly 1 when padding is not counted
    calls = [
        (np.ones(x_shape), pool_size, strides, "same")
        for x_shape, pool_size, strides in (
            ((1, 5, 5, 1), 2, None),
            ((2, 7, 6, 2), 3, 2),
            ((1, 4, 4, 1), 3, 1),
        )
    ]
    x = np.random.default_rng(7206).normal(loc=3.0, size=(1, 5, 7, 2))
    calls.append((x, (2, 3), (2, 2), "same"))
    for (x, *options), got in learner.each("average_pool2d", calls):
        expect_close(got, ref.average_pool2d(x.copy(), *options))


# --- inputs and errors, for both -------------------------------------------------------------


def _accepts_float32_and_lists(learner, function: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x32 = rng.normal(size=(2, 5, 5, 3)).astype(np.float32)
    x = rng.normal(size=(1, 4, 4, 1))
    ints = rng.integers(0, 10, size=(1, 5, 5, 2))  # pixel values as Python ints
    calls = [(x32, 2, 1, "same"), (x.tolist(), 2), (ints.tolist(), 2, None, "same")]
    for (image, *options), got in learner.each(function, calls):
        expect_close(got, getattr(ref, function)(np.array(image, dtype=np.float64), *options))


MAX_PADDING_CHECKS = (
    "max_pool2d_valid_with_default_strides_equal_to_pool_size",
    "max_pool2d_same_padding_like_tensorflow",
    "max_pool2d_same_on_negative_inputs_ignores_the_padding",
)


@check(
    "max_pool2d",
    after=MAX_PADDING_CHECKS,
    weight=3,
    hint=(
        "float32 arrays and nested lists, of ints too, are valid inputs: make them float "
        "arrays first (an int array cannot hold the padding's value)."
    ),
)
def test_max_pool2d_accepts_float32_arrays_and_lists(learner):
    _accepts_float32_and_lists(learner, "max_pool2d", 7107)


AVERAGE_PADDING_CHECKS = (
    "average_pool2d_valid_with_default_strides_equal_to_pool_size",
    "average_pool2d_same_padding_like_tensorflow",
    "average_pool2d_same_averages_only_in_bounds_values",
)


@check(
    "average_pool2d",
    after=AVERAGE_PADDING_CHECKS,
    weight=3,
    hint=(
        "float32 arrays and nested lists, of ints too, are valid inputs: make them float "
        "arrays first (an output array with an int image's dtype truncates each mean)."
    ),
)
def test_average_pool2d_accepts_float32_arrays_and_lists(learner):
    _accepts_float32_and_lists(learner, "average_pool2d", 7207)


def _raises_value_errors(learner, function: str) -> None:
    # 5-D: every window fits, nothing fails by chance
    calls = [(np.ones(shape), 2) for shape in ((4, 4, 1), (2, 4, 4, 3, 1))]
    calls += [(np.ones((1, 4, 4, 1)), 2, None, padding) for padding in ("full", "zeros")]
    # a valid call first: refusing the others is worth points only beside a right result
    x = np.random.default_rng(7000).normal(size=(1, 4, 4, 2))
    right, *refused = learner.call_many(function, [(x, 2), *calls])
    valid = (right, getattr(ref, function)(x.copy(), 2, None, "valid"))
    for got in refused:
        expect_raises(got, "ValueError", valid=valid)


@check(
    "max_pool2d",
    weight=2,
    hint=(
        'x must have 4 axes and padding must be "valid" or "same": anything else is a '
        'ValueError (an unknown padding must not silently act like "valid").'
    ),
)
def test_max_pool2d_raises_value_error_for_bad_x_or_padding(learner):
    _raises_value_errors(learner, "max_pool2d")


@check(
    "average_pool2d",
    weight=2,
    hint=(
        'x must have 4 axes and padding must be "valid" or "same": anything else is a '
        'ValueError (an unknown padding must not silently act like "valid").'
    ),
)
def test_average_pool2d_raises_value_error_for_bad_x_or_padding(learner):
    _raises_value_errors(learner, "average_pool2d")


@check(
    "max_pool2d",
    after=MAX_PADDING_CHECKS,
    weight=2,
    hint="Padding goes into a new array; never write into x.",
)
def test_max_pool2d_leaves_its_input_unmodified(learner):
    x = np.random.default_rng(7108).normal(size=(2, 5, 5, 2))
    expect_unmodified(
        learner.call("max_pool2d", x, 2, 1, "same"), ref.max_pool2d(x.copy(), 2, 1, "same")
    )


@check(
    "average_pool2d",
    after=AVERAGE_PADDING_CHECKS,
    weight=2,
    hint="Padding goes into a new array; never write into x.",
)
def test_average_pool2d_leaves_its_input_unmodified(learner):
    x = np.random.default_rng(7208).normal(size=(2, 5, 5, 2))
    expect_unmodified(
        learner.call("average_pool2d", x, 2, 1, "same"), ref.average_pool2d(x.copy(), 2, 1, "same")
    )
