"""Hidden checks for the `convolution` exercise: output sizes, zero padding, conv2d.

Every input is made here, in the parent, from a fixed private seed; results are compared
with the NumPy reference in grader/reference/convolution.py (which tests/ proves against
`tf.nn.conv2d` and `keras.layers.Conv2D`). The correctness checks use small inputs, so a
loop-by-loop answer passes them; only the one check of kind "speed" times a real batch.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from nnlab.checks import (
    LearnerError,
    check,
    expect_close,
    expect_equal,
    expect_raises,
    expect_unmodified,
    fail,
    read_only,
    reference,
)

ref = reference("convolution")


def expected_conv(x, kernel, bias=None, stride=1, padding="valid") -> np.ndarray:
    """The reference on float64 copies (the learner's arrays are never handed to it)."""
    bias = None if bias is None else np.array(bias, dtype=np.float64)
    return ref.conv2d(
        np.array(x, dtype=np.float64), np.array(kernel, dtype=np.float64), bias, stride, padding
    )


def expect_conv_close(got, expected, hint: str = "") -> None:
    """conv2d values at float32 precision: an answer that computes in float32 is right too.

    A sum of kh*kw*C_in products carries a rounding error that grows with the size of the
    outputs, so the absolute tolerance scales with the largest expected value. Wrong answers
    (a shifted window, a missing channel, truncated ints) are off by far more.
    """
    expected = np.asarray(expected, dtype=np.float64)
    # the largest magnitude, without a temporary array of |expected| (5.5 MB in the speed check)
    scale = max(1.0, float(np.max(expected, initial=0.0)), -float(np.min(expected, initial=0.0)))
    expect_close(got, expected, rtol=1e-4, atol=1e-5 * scale, hint=hint)


def _conv_case(rng, x_shape, kernel_shape, with_bias=True):
    x = rng.normal(size=x_shape)
    kernel = rng.normal(size=kernel_shape)
    bias = rng.normal(size=kernel_shape[3]) if with_bias else None
    return x, kernel, bias


def _padding_note(x_shape, kernel_shape, stride, padding) -> str:
    """For "same": the (before, after) zeros TensorFlow adds here, to compare with one's own."""
    if padding != "same":
        return ""
    (sh, sw), (_, h, w, _), (kh, kw) = ref.pair(stride), x_shape, kernel_shape[:2]
    rows, columns = ref.same_padding(h, kh, sh), ref.same_padding(w, kw, sw)
    return f'Here "same" pads the rows {rows} and the columns {columns} (before, after).'


def _conv_matches(learner, cases, seed: int) -> None:
    """cases: (x_shape, kernel_shape, stride, padding); bias on every other case."""
    calls, expectations = _conv_cases(tuple(cases), seed)
    outcomes = learner.call_many("conv2d", list(calls))
    for (expected, note), got in zip(expectations, outcomes, strict=True):
        expect_conv_close(got, expected, hint=note)


@functools.cache
def _conv_cases(cases: tuple, seed: int) -> tuple[tuple, tuple]:
    """The calls of one check (x, kernel, bias, stride, padding) and, for each, the reference's
    result and a note for its message: made once per grading process (grade-batch grades
    many submissions in one), read-only, so no check can change them by mistake."""
    rng = np.random.default_rng(seed)
    calls, expectations = [], []
    for position, (x_shape, kernel_shape, stride, padding) in enumerate(cases):
        arguments = (
            *_conv_case(rng, x_shape, kernel_shape, with_bias=position % 2 == 0),
            stride,
            padding,
        )
        expected = expected_conv(*arguments)
        read_only(*arguments[:3], expected)
        calls.append(arguments)
        expectations.append((expected, _padding_note(x_shape, kernel_shape, stride, padding)))
    return tuple(calls), tuple(expectations)


# --- conv_output_size ------------------------------------------------------------------------


@check(
    "conv_output_size",
    weight=5,
    hint=(
        '"valid": count the window positions that fit entirely inside, stepping by '
        "stride; a last, partial step still counts (round UP), and the result is a Python"
        " int, not a float."
    ),
)
def test_conv_output_size_valid_over_a_grid(learner):
    # n - k + 1 windows fit: 1 (k == n), 3, 5, 6, 8, 26, 27; for every stride from 1 to 4
    # these counts leave every remainder, so rounding down, a window too many or too few, a
    # stride ignored or a special case for k == 1 or k == n all show. (Of the wrong formulas
    # tried, the former grid of 84 cases, at 2.5 times the cost, caught none that this misses.)
    grid = [
        (n, k, s, "valid")
        for s in (1, 2, 3, 4)
        for n, k in ((1, 1), (5, 5), (5, 3), (7, 2), (8, 4), (28, 3), (31, 5), (8, 1))
    ]
    for arguments, got in learner.each("conv_output_size", grid):
        expect_equal(got, ref.conv_output_size(*arguments))


@check(
    "conv_output_size",
    weight=5,
    hint=(
        '"same": the output size depends only on n and the stride (rounded UP), whatever '
        "the kernel size; with stride 1 it is n itself. The result is an int, not a "
        "float."
    ),
)
def test_conv_output_size_same_over_a_grid(learner):
    # n meets every remainder of every stride from 1 to 4, and the kernel size varies
    # (smaller, equal, larger than n), which "same" must not depend on
    grid = [
        (n, k, s, "same")
        for s in (1, 2, 3, 4)
        for n, k in ((1, 3), (2, 1), (5, 5), (6, 2), (7, 3), (8, 5), (28, 3), (31, 2))
    ]
    for arguments, got in learner.each("conv_output_size", grid):
        expect_equal(got, ref.conv_output_size(*arguments))


@check(
    "conv_output_size",
    weight=2,
    hint=(
        'The defaults are stride 1 and "valid" padding: a 28-pixel side with a 3-pixel '
        "kernel gives 26."
    ),
)
def test_conv_output_size_defaults_are_stride_1_and_valid(learner):
    grid = [(28, 3), (5, 5), (10, 4)]
    for arguments, got in learner.each("conv_output_size", grid):
        expect_equal(got, ref.conv_output_size(*arguments))


# --- zero_pad --------------------------------------------------------------------------------


@check(
    "zero_pad",
    weight=4,
    hint=(
        "An int p means p rows of zeros above and below and p columns left and right of "
        "every image; the batch and channel axes are not padded."
    ),
)
def test_zero_pad_with_an_int_on_all_four_sides(learner):
    rng = np.random.default_rng(6101)
    pads = (((1, 2, 2, 1), 1), ((2, 3, 4, 3), 2), ((3, 5, 2, 2), 1), ((2, 4, 4, 1), 0))
    calls = [(rng.normal(size=shape), pad) for shape, pad in pads]
    for (x, pad), got in learner.each("zero_pad", calls):
        expect_close(got, ref.zero_pad(x.copy(), pad))


@check(
    "zero_pad",
    weight=4,
    hint=(
        "The first pair of pad is for the rows (top, bottom), the second for the columns "
        "(left, right): reading them as (top, left), (bottom, right) pads the wrong "
        "sides."
    ),
)
def test_zero_pad_with_different_amounts_per_side(learner):
    rng = np.random.default_rng(6102)
    pads = (
        ((1, 3, 3, 1), ((0, 1), (2, 0))),
        ((2, 2, 4, 2), ((1, 2), (3, 0))),
        ((1, 4, 2, 3), ((2, 0), (0, 1))),
        ((2, 3, 3, 1), ((0, 0), (0, 0))),
    )
    calls = [(rng.normal(size=shape), pad) for shape, pad in pads]
    for (x, pad), got in learner.each("zero_pad", calls):
        expect_close(got, ref.zero_pad(x.copy(), pad))


@check(
    "zero_pad",
    weight=3,
    hint=(
        "Only H and W grow: the batch axis N and the channel axis C get no padding, and "
        "an int given to NumPy's padding pads EVERY axis."
    ),
)
def test_zero_pad_leaves_batch_and_channel_axes_alone(learner):
    x = np.ones((2, 3, 3, 4))
    calls = [(x, 1), (x, ((1, 0), (0, 2)))]
    for (_, pad), got in learner.each("zero_pad", calls):
        expected = ref.zero_pad(x.copy(), pad)
        value = np.asarray(got.value)
        if value.shape[:1] + value.shape[3:] != (2, 4):
            fail(
                f"zero_pad(x of shape (2, 3, 3, 4), pad={pad!r}) returned shape {value.shape}; "
                f"expected {expected.shape}: N (2) and C (4) must not change."
            )
        expect_close(got, expected)


@check(
    "zero_pad",
    after=("zero_pad_with_an_int_on_all_four_sides", "zero_pad_with_different_amounts_per_side"),
    weight=2,
    hint="Build a new, bigger array; never write into x.",
)
def test_zero_pad_leaves_its_input_unmodified(learner):
    x = np.random.default_rng(6103).normal(size=(2, 3, 3, 2))
    pad = ((1, 2), (0, 1))
    expect_unmodified(learner.call("zero_pad", x, pad), ref.zero_pad(x.copy(), pad))


# --- conv2d: values ----------------------------------------------------------------------------


@check(
    "conv2d",
    weight=6,
    hint=(
        "Each output value is one window of the (padded) image multiplied element by "
        "element with one filter and summed over the window's rows, columns and ALL input"
        " channels, plus that filter's bias."
    ),
)
def test_conv2d_matches_reference_with_odd_square_kernels(learner):
    _conv_matches(
        learner,
        [
            ((1, 5, 5, 1), (3, 3, 1, 1), 1, "valid"),
            ((2, 6, 6, 3), (3, 3, 3, 4), 1, "valid"),
            ((1, 7, 7, 2), (5, 5, 2, 3), 1, "valid"),
            ((3, 4, 4, 2), (3, 3, 2, 2), 1, "valid"),
            ((1, 3, 3, 1), (3, 3, 1, 1), 1, "valid"),
        ],
        6201,
    )


@check(
    "conv2d",
    weight=5,
    hint=(
        "The kernel's height and width, and the image's, can all differ, and kernels can "
        "be even (2x2, 4x2): read each size from its own axis."
    ),
)
def test_conv2d_matches_reference_with_even_and_rectangular_shapes(learner):
    _conv_matches(
        learner,
        [
            ((1, 5, 5, 1), (2, 2, 1, 1), 1, "valid"),
            ((2, 6, 4, 2), (3, 2, 2, 3), 1, "valid"),
            ((1, 4, 7, 3), (2, 4, 3, 2), 1, "valid"),
            ((2, 8, 5, 1), (4, 1, 1, 2), 1, "valid"),
            ((1, 5, 6, 2), (1, 3, 2, 1), 1, "valid"),
        ],
        6202,
    )


@check(
    "conv2d",
    after=(
        "conv2d_matches_reference_with_odd_square_kernels",
        "conv2d_matches_reference_with_even_and_rectangular_shapes",
    ),
    weight=6,
    hint=(
        "With stride s the window jumps s pixels: output (i, j) starts s times further "
        "along; a pair steps differently along rows and columns."
    ),
)
def test_conv2d_matches_reference_with_strides_int_and_pair(learner):
    _conv_matches(
        learner,
        [
            ((1, 7, 7, 1), (3, 3, 1, 1), 2, "valid"),
            ((2, 8, 8, 2), (2, 2, 2, 3), 2, "valid"),
            ((1, 9, 7, 2), (3, 3, 2, 2), (2, 1), "valid"),
            ((2, 6, 9, 1), (2, 3, 1, 2), (1, 3), "valid"),
            ((1, 10, 10, 3), (3, 3, 3, 2), 3, "valid"),
            ((1, 8, 7, 2), (3, 2, 2, 1), (3, 2), "valid"),
        ],
        6203,
    )


@check(
    "conv2d",
    after=(
        "conv2d_matches_reference_with_odd_square_kernels",
        "conv2d_matches_reference_with_even_and_rectangular_shapes",
    ),
    weight=6,
    hint=(
        '"same" pads so that the output has ceil(n / stride) positions; when the padding '
        "needed is odd, the extra row goes at the BOTTOM and the extra column at the "
        "RIGHT, as TensorFlow does."
    ),
)
def test_conv2d_same_padding_puts_the_extra_row_at_bottom_and_column_at_right(learner):
    # each case has an odd pad_total, where a symmetric or top/left split would differ;
    # stride 1 only: strides are the next check's
    _conv_matches(
        learner,
        [
            ((1, 4, 4, 1), (2, 2, 1, 1), 1, "same"),
            ((2, 5, 6, 2), (4, 4, 2, 3), 1, "same"),
            ((1, 6, 5, 2), (2, 3, 2, 1), 1, "same"),
        ],
        6204,
    )


@check(
    "conv2d",
    after=(
        "conv2d_matches_reference_with_odd_square_kernels",
        "conv2d_matches_reference_with_even_and_rectangular_shapes",
        "conv2d_matches_reference_with_strides_int_and_pair",
        "conv2d_same_padding_puts_the_extra_row_at_bottom_and_column_at_right",
    ),
    weight=6,
    hint=(
        'The padding "same" needs depends on the stride: it is what the last window needs'
        " to fit, which is not always kernel size minus 1."
    ),
)
def test_conv2d_same_padding_with_strides(learner):
    _conv_matches(
        learner,
        [
            ((1, 5, 5, 1), (3, 3, 1, 1), 1, "same"),
            ((1, 8, 8, 1), (3, 3, 1, 1), 2, "same"),  # pad_total 1: the extra row at the bottom
            ((2, 7, 7, 2), (3, 3, 2, 3), 2, "same"),
            ((1, 9, 6, 1), (3, 3, 1, 2), (2, 3), "same"),
            ((1, 10, 10, 2), (5, 5, 2, 1), 3, "same"),
            ((2, 6, 6, 1), (1, 1, 1, 2), 2, "same"),
            ((1, 7, 8, 3), (4, 2, 3, 2), (3, 2), "same"),
            ((1, 5, 8, 1), (3, 3, 1, 2), 2, "same"),  # rows pad (1, 1), columns (0, 1)
            ((1, 6, 6, 1), (3, 3, 1, 2), (1, 2), "same"),  # the same, from the strides
        ],
        6205,
    )


@check(
    "conv2d",
    after=(
        "conv2d_matches_reference_with_odd_square_kernels",
        "conv2d_matches_reference_with_even_and_rectangular_shapes",
    ),
    weight=4,
    hint=(
        "Deep-learning convolution is cross-correlation: the kernel's top-left entry "
        "multiplies each window's TOP-LEFT pixel; the kernel is not flipped."
    ),
)
def test_conv2d_does_not_flip_the_kernel(learner):
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    kernel = np.array([[1.0, 2.0], [0.0, -1.0]]).reshape(2, 2, 1, 1)
    rng = np.random.default_rng(6206)
    calls = [(x, kernel), _conv_case(rng, (1, 5, 5, 2), (3, 2, 2, 2), with_bias=False)[:2]]
    for (x, kernel), got in learner.each("conv2d", calls):
        expect_conv_close(got, expected_conv(x, kernel))


@check(
    "conv2d",
    after=(
        "conv2d_matches_reference_with_odd_square_kernels",
        "conv2d_same_padding_puts_the_extra_row_at_bottom_and_column_at_right",
    ),
    weight=4,
    hint=(
        "The bias holds one value per filter (output channel), added to every position of"
        " that channel; without a bias nothing is added."
    ),
)
def test_conv2d_adds_one_bias_per_filter(learner):
    rng = np.random.default_rng(6207)
    x, kernel, _ = _conv_case(rng, (2, 5, 5, 2), (3, 3, 2, 3))
    bias = np.array([10.0, -20.0, 0.5])
    with_bias, without, same = learner.call_many(
        "conv2d", [(x, kernel, bias), (x, kernel), (x, kernel, None, 1, "same")]
    )
    expect_conv_close(with_bias, expected_conv(x, kernel, bias))
    expect_conv_close(learner.call("conv2d", x, kernel, bias=bias), expected_conv(x, kernel, bias))
    expect_conv_close(without, expected_conv(x, kernel))
    expect_conv_close(same, expected_conv(x, kernel, None, 1, "same"))


@check(
    "conv2d",
    after=(
        "conv2d_matches_reference_with_odd_square_kernels",
        "conv2d_matches_reference_with_strides_int_and_pair",
        "conv2d_same_padding_puts_the_extra_row_at_bottom_and_column_at_right",
        "conv2d_same_padding_with_strides",
    ),
    weight=3,
    hint=(
        "A 1x1 kernel mixes the channels of each pixel on its own, and the image keeps "
        "its height and width: nothing may depend on a window being bigger than 1."
    ),
)
def test_conv2d_with_a_1x1_kernel_mixes_channels(learner):
    _conv_matches(
        learner,
        [
            ((2, 4, 5, 3), (1, 1, 3, 2), 1, "valid"),
            ((1, 3, 3, 1), (1, 1, 1, 1), 1, "same"),
            ((1, 5, 4, 2), (1, 1, 2, 4), 2, "valid"),
        ],
        6208,
    )


@check(
    "conv2d",
    after=(
        "conv2d_matches_reference_with_odd_square_kernels",
        "conv2d_matches_reference_with_even_and_rectangular_shapes",
        "conv2d_same_padding_puts_the_extra_row_at_bottom_and_column_at_right",
    ),
    weight=3,
    hint=(
        "float32 arrays and nested lists, of ints too, are valid inputs: make them float "
        "arrays first. An output array with the dtype of an int image truncates every "
        "value."
    ),
)
def test_conv2d_accepts_float32_arrays_and_lists(learner):
    rng = np.random.default_rng(6209)
    x, kernel, bias = _conv_case(rng, (2, 5, 5, 2), (3, 3, 2, 3))
    x32, kernel32, bias32 = x.astype(np.float32), kernel.astype(np.float32), bias.astype(np.float32)
    calls = [(x32, kernel32, bias32, 1, "same")]
    x, kernel, bias = _conv_case(rng, (1, 3, 4, 1), (2, 2, 1, 2))
    calls.append((x.tolist(), kernel.tolist(), bias.tolist()))
    x = rng.integers(0, 10, size=(1, 4, 5, 2))  # pixel values as Python ints
    kernel = rng.normal(size=(2, 2, 2, 2))
    calls.append((x.tolist(), kernel, None, 1, "same"))
    for arguments, got in learner.each("conv2d", calls):
        expect_conv_close(got, expected_conv(*arguments))


# --- conv2d: errors and inputs -----------------------------------------------------------------


def _expect_refusals(learner, calls) -> None:
    """conv2d(*arguments) raises ValueError for each of ``calls``; a valid call made in the
    same round trip must come out right first (refusing alone earns nothing)."""
    valid = _conv_case(np.random.default_rng(6200), (1, 5, 5, 2), (3, 3, 2, 1))
    right, *refused = learner.call_many("conv2d", [valid, *calls])
    judged = (right, lambda got: expect_conv_close(got, expected_conv(*valid)))
    for got in refused:
        expect_raises(got, "ValueError", valid=judged)


@check(
    "conv2d",
    weight=2,
    hint=(
        "x must have 4 axes (a batch of images); anything else is a ValueError with a "
        "message, not a crash or a result."
    ),
)
def test_conv2d_raises_value_error_when_x_is_not_4d(learner):
    kernel = np.ones((2, 2, 3, 1))
    calls = [(np.ones(shape), kernel) for shape in ((5, 5, 3), (1, 1, 5, 5, 3), (1, 5, 5, 3, 1))]
    _expect_refusals(learner, calls)


@check(
    "conv2d",
    weight=2,
    hint=(
        "The kernel's input channels must match the image's channels; broadcasting would "
        "quietly accept a kernel with 1 input channel, so compare them yourself."
    ),
)
def test_conv2d_raises_value_error_when_channels_disagree(learner):
    shapes = (
        ((1, 5, 5, 3), (3, 3, 1, 2)),
        ((1, 5, 5, 1), (3, 3, 3, 2)),
        ((2, 4, 4, 2), (2, 2, 3, 1)),
    )
    calls = [(np.ones(x_shape), np.ones(kernel_shape)) for x_shape, kernel_shape in shapes]
    _expect_refusals(learner, calls)


@check(
    "conv2d",
    weight=2,
    hint=(
        'padding is "valid" or "same"; any other name is a ValueError, so that a typo '
        'such as "full" is not silently treated as "valid".'
    ),
)
def test_conv2d_raises_value_error_for_unknown_padding(learner):
    x, kernel = np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 1))
    _expect_refusals(learner, [(x, kernel, None, 1, padding) for padding in ("full", "zeros", "")])


@check(
    "conv2d",
    after=(
        "conv2d_matches_reference_with_odd_square_kernels",
        "conv2d_matches_reference_with_strides_int_and_pair",
        "conv2d_same_padding_puts_the_extra_row_at_bottom_and_column_at_right",
        "conv2d_same_padding_with_strides",
    ),
    weight=2,
    hint="Padding goes into a new array; never write into x, the kernel or the bias.",
)
def test_conv2d_leaves_its_inputs_unmodified(learner):
    rng = np.random.default_rng(6210)
    x, kernel, bias = _conv_case(rng, (2, 5, 5, 2), (3, 3, 2, 2))
    calls = [(x, kernel, bias, 2, "same"), (x, kernel, bias)]
    for arguments, got in learner.each("conv2d", calls):
        expect_unmodified(got, lambda got, a=arguments: expect_conv_close(got, expected_conv(*a)))


# --- conv2d: speed -----------------------------------------------------------------------------

SPEED_X, SPEED_KERNEL = (32, 28, 28, 16), (3, 3, 16, 32)
# The rule: conv2d passes when one of SPEED_SEEDS's calls, each on inputs of its own, takes at
# most the budget in CPU time of the child (the kernel's count for its process, threads and
# waited-for children included; nnlab.checks.Outcome.cpu_seconds), where the budget is
# max(SPEED_FLOOR, STRETCH x the CPU time the trusted reference took on the same inputs in
# this grading process). CPU time, unlike the wall clock, does not grow on a busy machine (40
# busy processes on the 2 cores make a call ~20 times longer on the clock and ~1.1 times in
# CPU time), so the grade is the same at any load; each call is stopped once it has used the
# budget, and wrong values fail as wrong, so a cache of the first result cannot help.
# Measured on the course machine (one BLAS thread, as in the child): the reference 5.7-8 ms,
# vectorised answers 9-40 ms (the model answer 9-14, tensordot 12-14, einsum without
# optimize 36; the child's share of moving 3 MB in and 5.5 MB out adds a few ms), the
# classic loop answer (tests/loop_answers, one np.sum per output value) 2.9 s. With more BLAS threads (the user's
# OPENBLAS_NUM_THREADS), CPU time counts every thread, spinning ones too, in the child as in
# the reference: both grow, the floor does not.
SPEED_FLOOR = 1.0  # seconds of CPU time: ~25x the slowest vectorised answer, ~1/3 of the loop
STRETCH = 100  # times the reference's CPU time (a vectorised answer takes 2-7x, a loop ~500x)
SPEED_SEEDS = (6300, 6301)  # one call each, on new inputs, until one is within the budget


@functools.cache
def _speed_case(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A large input, its expected result and the CPU seconds the reference took for it,
    made once per grading process (grade-batch grades many submissions in one); read-only,
    so no check can change them by mistake."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=SPEED_X)
    kernel = rng.normal(scale=0.1, size=SPEED_KERNEL)
    # this thread's CPU time, with one BLAS thread (the CLI sets it before NumPy loads; with
    # more, this thread also spins while it waits for the others, which widens the budget)
    started = time.thread_time()
    expected = expected_conv(x, kernel)
    reference_seconds = time.thread_time() - started
    read_only(x, kernel, expected)
    return x, kernel, expected, reference_seconds


def speed_budget() -> float:
    """max(SPEED_FLOOR, STRETCH x the reference's CPU time), in CPU seconds; the reference's
    time is the least of its runs on the speed inputs in this process."""
    reference_seconds = min(_speed_case(seed)[3] for seed in SPEED_SEEDS)
    return max(SPEED_FLOOR, STRETCH * reference_seconds)


@check(
    "conv2d",
    kind="speed",
    weight=8,
    hint=(
        "Vectorise: no Python loop over pixels. Take every window of the batch at once (a"
        " view of the windows, without copying) and multiply-and-sum them with the kernel"
        " in one array operation (see the module docstring)."
    ),
)
def test_conv2d_is_fast_on_a_batch_of_32_images(learner):
    """Passes when one of two calls on a (32, 28, 28, 16) batch, each on new inputs and each
    right, uses at most max(1 s, 100 x the reference's) CPU time in the child; a call is
    stopped once it has used that much. The wall clock does not count."""
    rng = np.random.default_rng(6299)
    # first a small call: a wrong answer fails as wrong, and the child is warmed up
    x, kernel, bias = _conv_case(rng, (2, 6, 6, 3), (3, 3, 3, 4))
    expect_conv_close(learner.call("conv2d", x, kernel, bias), expected_conv(x, kernel, bias))
    budget = speed_budget()
    task = f"a ({', '.join(map(str, SPEED_X))}) batch with a ({', '.join(map(str, SPEED_KERNEL))}) kernel"
    rule = (
        f"the budget is {budget:.1f} s of CPU time (the larger of {SPEED_FLOOR:g} s and "
        f"{STRETCH} times the reference's on the same inputs; a vectorised answer takes "
        "about 0.03 s, and the load of the machine does not count)"
    )
    best = float("inf")
    for seed in SPEED_SEEDS:  # each call on new inputs: a cache of an earlier result is wrong
        x, kernel, expected, _ = _speed_case(seed)
        try:
            with learner.time_limit(budget):  # stopped once it has used the budget
                got = learner.call("conv2d", x, kernel)
        except LearnerError as error:
            if error.reason != "cpu":
                raise
            fail(
                f"conv2d is correct (on small inputs) but slow: {task} was stopped when it "
                f"had used its budget; {rule}. Replace the Python loops over pixels with "
                "one operation over all windows."
            )
        expect_conv_close(got, expected)
        if got.cpu_seconds <= budget:
            return
        best = min(best, got.cpu_seconds)
    fail(
        f"conv2d is correct but slow: {task} took {best:.2f} s of CPU time (the best of "
        f"{len(SPEED_SEEDS)} calls, each on new inputs); {rule}. Replace the Python loops "
        "over pixels with one operation over all windows."
    )
