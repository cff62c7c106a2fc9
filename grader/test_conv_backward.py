"""Hidden checks for the `conv_backward` exercise: the gradients of conv2d and of pooling.

Every input is made here, in the parent, from a fixed private seed; results are compared
with the NumPy reference in grader/reference/conv_backward.py (which tests/ proves against
`tf.GradientTape` over `tf.nn.conv2d`, `tf.nn.max_pool2d` and `tf.nn.avg_pool2d`) and, in one
check per function, with central finite differences of the forward pass. Gradients are
compared the way CS231n's gradient checks do, element by element: relative error
|a - b| / max(|a|, |b|, 1e-8) below a threshold the message names, with the parameter and
the first index that disagrees. Inputs are small (a loop-by-loop answer passes), except in
the one check of kind "speed".
"""

from __future__ import annotations

import functools
import time

import numpy as np

from nnlab.checks import (
    LearnerError,
    as_numeric_array,
    call_with_values,
    check,
    describe_value,
    expect_raises,
    expect_unmodified,
    fail,
    read_only,
    reference,
)

ref = reference("conv_backward")

# Relative error allowed against the reference: float64 answers agree to ~1e-13, a missed
# overlap, a flipped kernel or a padding on the wrong side are off by 0.1 or more.
REFERENCE_BOUND = 1e-6
# Against central finite differences (step 1e-5) of the forward pass: the model answer's
# worst over the checks' cases is ~1e-9 (conv and pooling are linear in x between ties).
DIFFERENCE_BOUND = 1e-6
FLOAT32_BOUND = 1e-4  # float32 inputs: the contract's float32 tolerance


def _call_text(outcome) -> str:
    return call_with_values(outcome)


def expect_gradient(
    got,
    expected: np.ndarray,
    name: str,
    call: str,
    *,
    against: str = "the reference",
    bound: float = REFERENCE_BOUND,
    note: str = "",
    tiny: float = ref.TINY,
) -> None:
    """CS231n's element-wise relative error below ``bound``; the message names the
    parameter, the first index that disagrees, both values and the threshold."""
    array = as_numeric_array(got, f"{name} of {call}", expected.shape)
    if array.shape != expected.shape:
        fail(
            f"{name} of {call} has shape {array.shape}; expected {expected.shape}, the shape "
            f"of {name.removeprefix('grad_')}.{' ' + note if note else ''}"
        )
    error = ref.relative_error(array, expected, tiny)
    wrong = ~(error <= bound)  # NaN counts as wrong
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        where = ", ".join(map(str, index))
        fail(
            f"{name} of {call} disagrees with {against} at [{where}]: expected "
            f"{expected[index]:.6g}, got {float(array[index]):.6g} (relative error "
            f"|a - b| / max(|a|, |b|, {tiny:.2g}) = {float(error[index]):.2g}, threshold {bound:g}; "
            f"{int(wrong.sum())} of {wrong.size} entries disagree).{' ' + note if note else ''}"
        )


def _three(outcome) -> tuple:
    value = outcome.value  # the learner's exception or NotImplementedError stops here
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        fail(
            f"{_call_text(outcome)} returned {describe_value(value)}; expected a tuple "
            "(grad_x, grad_kernel, grad_bias)."
        )
    return tuple(value)


def _gradients_judge(expected: tuple, note: str = ""):
    """judge(outcome) for a conv2d_backward call: the three gradients, as the checks compare them."""

    def judge(outcome) -> None:
        for name, value, reference_value in zip(
            GRADIENT_NAMES, _three(outcome), expected, strict=True
        ):
            expect_gradient(value, reference_value, name, _call_text(outcome), note=note)

    return judge


def _grad_x_judge(expected: np.ndarray, note: str = ""):
    """judge(outcome) for a pooling backward call."""

    def judge(outcome) -> None:
        expect_gradient(outcome.value, expected, "grad_x", _call_text(outcome), note=note)

    return judge


def _padding_note(x_shape, window, strides, padding) -> str:
    if padding != "same":
        return ""
    convolution = ref.convolution
    (sh, sw), (kh, kw) = convolution.pair(strides), window
    rows = convolution.same_padding(x_shape[1], kh, sh)
    columns = convolution.same_padding(x_shape[2], kw, sw)
    return f'Here "same" pads the rows {rows} and the columns {columns} (before, after).'


# --- conv2d_backward ---------------------------------------------------------------------------

GRADIENT_NAMES = ("grad_x", "grad_kernel", "grad_bias")


@functools.cache
def _conv_cases(cases: tuple, seed: int) -> tuple[tuple, tuple]:
    """cases: (x_shape, kernel_shape, stride, padding) -> the calls and, for each, the
    reference's three gradients and a note; made once per grading process, read-only."""
    rng = np.random.default_rng(seed)
    calls, expectations = [], []
    for x_shape, kernel_shape, stride, padding in cases:
        x = rng.normal(size=x_shape)
        kernel = rng.normal(size=kernel_shape)
        out = ref.convolution.conv2d(x, kernel, None, stride, padding)
        grad_out = rng.normal(size=out.shape)
        expected = ref.conv2d_backward(grad_out, x, kernel, stride, padding)
        read_only(grad_out, x, kernel, *expected)
        calls.append((grad_out, x, kernel, stride, padding))
        expectations.append((expected, _padding_note(x_shape, kernel_shape[:2], stride, padding)))
    return tuple(calls), tuple(expectations)


def _conv_matches(learner, cases, seed: int, which=GRADIENT_NAMES) -> None:
    calls, expectations = _conv_cases(tuple(cases), seed)
    outcomes = learner.call_many("conv2d_backward", calls)
    for (expected, note), got in zip(expectations, outcomes, strict=True):
        gradients = _three(got)
        for name, value, reference_value in zip(GRADIENT_NAMES, gradients, expected, strict=True):
            if name in which:
                expect_gradient(value, reference_value, name, _call_text(got), note=note)


@check(
    "conv2d_backward",
    weight=4,
    hint=(
        "Each gradient gathers what its values touched in the forward pass: the bias "
        "every output of its filter, each kernel entry the pixels it multiplied, each "
        "pixel the outputs of the windows that covered it (see the worked example in the "
        "module docstring)."
    ),
)
def test_conv2d_backward_on_one_channel_valid_stride_1(learner):
    _conv_matches(
        learner,
        [
            ((1, 3, 3, 1), (2, 2, 1, 1), 1, "valid"),
            ((1, 5, 4, 1), (3, 2, 1, 1), 1, "valid"),
            ((2, 4, 4, 1), (3, 3, 1, 1), 1, "valid"),
        ],
        12001,
    )


@check(
    "conv2d_backward",
    weight=3,
    hint=(
        "A filter's bias was added to every output of that filter, in every image: its "
        "gradient is the SUM over images and positions (one value per filter), not a "
        "mean."
    ),
)
def test_conv2d_backward_grad_bias_sums_over_images_and_positions(learner):
    _conv_matches(
        learner,
        [((3, 5, 5, 2), (3, 3, 2, 4), 1, "valid"), ((2, 6, 4, 3), (2, 2, 3, 1), 1, "valid")],
        12002,
        which=("grad_bias",),
    )


@check(
    "conv2d_backward",
    weight=5,
    hint=(
        "A kernel entry's gradient sums, over the batch and every window position, the "
        "input pixel it multiplied times that output's gradient: the input correlated "
        "with grad_out, without flipping anything."
    ),
)
def test_conv2d_backward_grad_kernel_correlates_input_with_grad_out(learner):
    _conv_matches(
        learner,
        [
            ((2, 5, 5, 3), (3, 3, 3, 2), 1, "valid"),
            ((3, 6, 4, 2), (2, 3, 2, 4), 1, "valid"),
            ((1, 4, 6, 1), (4, 2, 1, 3), 1, "valid"),
        ],
        12003,
        which=("grad_kernel",),
    )


@check(
    "conv2d_backward",
    weight=5,
    hint=(
        "Every window sends its output gradient back, through the kernel, to each pixel "
        "it covered, for every output channel; windows overlap, so a pixel ADDS what all "
        "of its windows send."
    ),
)
def test_conv2d_backward_grad_x_adds_up_overlapping_windows(learner):
    _conv_matches(
        learner,
        [
            ((2, 5, 5, 3), (3, 3, 3, 2), 1, "valid"),
            ((1, 6, 4, 2), (2, 3, 2, 4), 1, "valid"),
            ((3, 4, 5, 1), (2, 2, 1, 3), 1, "valid"),
        ],
        12004,
        which=("grad_x",),
    )


CONV_BASICS = (
    "conv2d_backward_on_one_channel_valid_stride_1",
    "conv2d_backward_grad_bias_sums_over_images_and_positions",
    "conv2d_backward_grad_kernel_correlates_input_with_grad_out",
    "conv2d_backward_grad_x_adds_up_overlapping_windows",
)


@check(
    "conv2d_backward",
    after=CONV_BASICS,
    weight=5,
    hint=(
        "With a stride the windows start a stride apart: each window's gradient goes back"
        " to the pixels that window covered, and pixels no window covered get 0."
    ),
)
def test_conv2d_backward_with_strides_int_and_pair(learner):
    _conv_matches(
        learner,
        [
            ((1, 7, 7, 2), (3, 3, 2, 2), 2, "valid"),
            ((2, 8, 7, 1), (2, 2, 1, 3), (2, 3), "valid"),
            ((1, 9, 6, 3), (3, 2, 3, 2), (3, 1), "valid"),
            ((2, 6, 6, 1), (1, 1, 1, 2), 2, "valid"),
        ],
        12005,
    )


@check(
    "conv2d_backward",
    after=CONV_BASICS,
    weight=5,
    hint='"same": pad x as conv2d does (pad_total // 2 before, the rest after), compute the '
    "gradient of the PADDED input, then cut the padding off: grad_x has x's shape.",
)
def test_conv2d_backward_same_padding_like_tensorflow(learner):
    _conv_matches(
        learner,
        [
            ((1, 4, 4, 1), (2, 2, 1, 1), 1, "same"),
            ((2, 5, 6, 2), (3, 3, 2, 3), 1, "same"),
            ((1, 7, 7, 2), (3, 3, 2, 2), 2, "same"),
            ((1, 6, 5, 1), (4, 3, 1, 2), (2, 3), "same"),
            ((1, 5, 4, 2), (1, 1, 2, 3), 1, "same"),  # nothing to pad (a 1x1 kernel)
        ],
        12006,
    )


@functools.cache
def _conv_difference_cases() -> tuple:
    rng = np.random.default_rng(12007)
    cases = []
    for x_shape, kernel_shape, stride, padding in (
        ((2, 5, 5, 2), (3, 3, 2, 3), 1, "valid"),
        ((1, 6, 5, 2), (2, 3, 2, 2), (2, 1), "same"),
    ):
        x, kernel = rng.normal(size=x_shape), rng.normal(size=kernel_shape)
        bias = rng.normal(size=kernel_shape[3])
        grad_out = rng.normal(size=ref.convolution.conv2d(x, kernel, bias, stride, padding).shape)
        numerical = ref.numerical_conv2d_gradients(grad_out, x, kernel, bias, stride, padding)
        read_only(grad_out, x, kernel, *numerical)
        cases.append(((grad_out, x, kernel, stride, padding), numerical))
    return tuple(cases)


CONV_ALL_CASES = (
    *CONV_BASICS,
    "conv2d_backward_with_strides_int_and_pair",
    "conv2d_backward_same_padding_like_tensorflow",
)


@check(
    "conv2d_backward",
    after=CONV_ALL_CASES,
    weight=4,
    hint="The loss here is L = sum(grad_out * conv2d(x, kernel, bias)); nudging one entry of x "
    "or the kernel by h changes L by about h times its gradient. A mismatch names the "
    "gradient and the entry: look at which windows touch it.",
)
def test_conv2d_backward_matches_finite_differences(learner):
    cases = _conv_difference_cases()
    outcomes = learner.call_many("conv2d_backward", [call for call, _ in cases])
    for (call, numerical), got in zip(cases, outcomes, strict=True):
        for name, value, expected in zip(GRADIENT_NAMES, _three(got), numerical, strict=True):
            expect_gradient(
                value,
                expected,
                name,
                _call_text(got),
                against="central finite differences of the loss sum(grad_out * conv2d(...))",
                bound=DIFFERENCE_BOUND,
                note=_padding_note(call[1].shape, call[2].shape[:2], call[3], call[4]),
            )


@check(
    "conv2d_backward",
    after=CONV_BASICS,
    weight=2,
    hint="Work out the output shape conv2d would give for x, kernel, stride and padding "
    "(conv_output_size) and raise ValueError when grad_out's shape differs.",
)
def test_conv2d_backward_raises_value_error_for_a_grad_out_of_the_wrong_shape(learner):
    calls, expectations = _conv_cases((((1, 5, 5, 2), (3, 3, 2, 4), 1, "valid"),), 12008)
    x, kernel = np.ones((2, 5, 5, 2)), np.ones((3, 3, 2, 4))
    bad = [  # valid padding, stride 1: grad_out must be (2, 3, 3, 4)
        (np.ones((2, 5, 5, 4)), x, kernel),  # the shape "same" would give
        (np.ones((1, 3, 3, 4)), x, kernel),  # one image: NumPy would broadcast it
        (np.ones((2, 1, 1, 4)), x, kernel),  # one position: NumPy would broadcast it
        (np.ones((2, 3, 3, 1)), x, kernel),  # one channel: NumPy would broadcast it
        (np.ones((2, 3, 3, 4)), x, kernel, 2),  # stride 2 gives (2, 2, 2, 4)
    ]
    good, *outcomes = learner.call_many("conv2d_backward", [*calls, *bad])
    valid = (good, _gradients_judge(expectations[0][0]))
    for got in outcomes:
        expect_raises(got, "ValueError", valid=valid)


@check(
    "conv2d_backward",
    after=CONV_ALL_CASES,
    weight=2,
    hint=(
        "float32 arrays and nested lists are valid inputs: make every input a float array first."
    ),
)
def test_conv2d_backward_accepts_float32_arrays_and_lists(learner):
    calls, expectations = _conv_cases(
        (((2, 5, 5, 2), (3, 3, 2, 3), 1, "same"), ((1, 4, 4, 1), (2, 2, 1, 2), 1, "valid")), 12009
    )
    (grad_out, x, kernel, stride, padding), (grad_out2, x2, kernel2, *rest) = calls
    converted = [
        (
            grad_out.astype(np.float32),
            x.astype(np.float32),
            kernel.astype(np.float32),
            stride,
            padding,
        ),
        (grad_out2.tolist(), x2.tolist(), kernel2.tolist(), *rest),
    ]
    outcomes = learner.call_many("conv2d_backward", converted)
    for (expected, _), got, float32 in zip(expectations, outcomes, (True, False), strict=True):
        for name, value, reference_value in zip(GRADIENT_NAMES, _three(got), expected, strict=True):
            # float32 rounding is relative to the gradient's scale, not to each entry
            scale = float(np.max(np.abs(reference_value), initial=1.0))
            expect_gradient(
                value,
                reference_value,
                name,
                _call_text(got),
                bound=FLOAT32_BOUND if float32 else REFERENCE_BOUND,
                tiny=1e-2 * scale if float32 else ref.TINY,
            )


@check(
    "conv2d_backward",
    after=CONV_ALL_CASES,
    weight=2,
    hint="Build new arrays; never write into grad_out, x or the kernel.",
)
def test_conv2d_backward_leaves_its_inputs_unmodified(learner):
    calls, expectations = _conv_cases((((2, 5, 5, 2), (3, 3, 2, 2), 2, "same"),), 12010)
    (got,) = learner.call_many("conv2d_backward", calls)
    expect_unmodified(got, _gradients_judge(expectations[0][0]))


# --- conv2d_backward: speed ----------------------------------------------------------------------

SPEED_X, SPEED_KERNEL = (32, 28, 28, 16), (3, 3, 16, 32)
# The rule, conv2d's (grader/test_convolution.py): conv2d_backward passes when one of
# SPEED_SEEDS's calls, each on inputs of its own and each right, takes at most the budget in
# CPU time of the child (Outcome.cpu_seconds), the budget being max(SPEED_FLOOR, STRETCH x the
# CPU time the trusted reference took on the same inputs in this grading process); a call is
# stopped once it has used the budget. The load of the machine does not count. Measured on
# the course machine with one BLAS thread: the reference 26-37 ms, the model answer 25 ms
# (einsum over the windows for the kernel, one strided addition per kernel tap for x), the
# loop answer (tests/loop_answers/conv_backward.py, one window at a time) about 5 s.
SPEED_FLOOR = 1.5  # seconds of CPU time: ~50x a vectorised answer, ~1/3 of the loop answer's
STRETCH = 40  # times the reference's CPU time
SPEED_SEEDS = (12100, 12101)  # one call each, on new inputs, until one is within the budget


@functools.cache
def _speed_case(seed: int) -> tuple:
    """The large inputs, the reference's gradients and the CPU seconds it took for them;
    made once per grading process, read-only."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=SPEED_X)
    kernel = rng.normal(scale=0.1, size=SPEED_KERNEL)
    grad_out = rng.normal(size=(32, 26, 26, 32))
    started = time.thread_time()
    expected = ref.conv2d_backward(grad_out, x, kernel)
    reference_seconds = time.thread_time() - started
    read_only(grad_out, x, kernel, *expected)
    return (grad_out, x, kernel), expected, reference_seconds


def speed_budget() -> float:
    """max(SPEED_FLOOR, STRETCH x the reference's least CPU time on the speed inputs)."""
    return max(SPEED_FLOOR, STRETCH * min(_speed_case(seed)[2] for seed in SPEED_SEEDS))


@check(
    "conv2d_backward",
    after=CONV_BASICS,
    kind="speed",
    weight=8,
    hint=(
        "Vectorise: no Python loop over pixels. The kernel's gradient is one "
        "multiply-and-sum over a view of all the windows; the input's gradient needs at "
        "most one array operation per kernel position."
    ),
)
def test_conv2d_backward_is_fast_on_a_batch_of_32_images(learner):
    """Passes when one of two calls on a (32, 28, 28, 16) batch, each on new inputs and each
    right, uses at most max(1.5 s, 40 x the reference's) CPU time in the child; a call is
    stopped once it has used that much. The wall clock does not count."""
    calls, expectations = _conv_cases((((2, 6, 6, 3), (3, 3, 3, 4), 1, "valid"),), 12099)
    (small,) = learner.call_many("conv2d_backward", calls)  # wrong first, slow second
    _gradients_judge(expectations[0][0])(small)
    budget = speed_budget()
    task = "a (32, 28, 28, 16) batch with a (3, 3, 16, 32) kernel"
    rule = (
        f"the budget is {budget:.1f} s of CPU time (the larger of {SPEED_FLOOR:g} s and "
        f"{STRETCH} times the reference's on the same inputs; a vectorised answer takes about "
        "0.03 s, and the load of the machine does not count)"
    )
    best = float("inf")
    for seed in SPEED_SEEDS:  # each call on new inputs: a cache of an earlier result is wrong
        arguments, expected, _ = _speed_case(seed)
        try:
            with learner.time_limit(budget):  # stopped once it has used the budget
                got = learner.call("conv2d_backward", *arguments)
                _ = got.value
        except LearnerError as error:
            if error.reason != "cpu":
                raise
            fail(
                f"conv2d_backward is correct (on small inputs) but slow: {task} was stopped "
                f"when it had used its budget; {rule}. Replace the Python loops over pixels "
                "with operations over all windows at once."
            )
        _gradients_judge(expected)(got)
        if got.cpu_seconds <= budget:
            return
        best = min(best, got.cpu_seconds)
    fail(
        f"conv2d_backward is correct but slow: {task} took {best:.2f} s of CPU time (the best "
        f"of {len(SPEED_SEEDS)} calls, each on new inputs); {rule}. Replace the Python loops "
        "over pixels with operations over all windows at once."
    )


# --- pooling backward --------------------------------------------------------------------------


def distinct_values(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Inputs with no ties (the contract promises none), mostly negative so that a zero
    padding would win a maximum."""
    size = int(np.prod(shape))
    values = rng.permutation(size) * 0.1 + rng.uniform(0.0, 0.01, size)
    return values.reshape(shape) - size * 0.08


FORWARD = {"max_pool2d_backward": "max_pool2d", "average_pool2d_backward": "average_pool2d"}


@functools.cache
def _pool_cases(function: str, cases: tuple, seed: int) -> tuple[tuple, tuple]:
    """cases: (x_shape, pool_size, strides, padding); strides "default" is left out."""
    rng = np.random.default_rng(seed)
    forward = getattr(ref.pooling, FORWARD[function])
    calls, expectations = [], []
    for x_shape, pool_size, strides, padding in cases:
        x = distinct_values(rng, x_shape)
        given = None if strides == "default" else strides
        grad_out = rng.normal(size=forward(x, pool_size, given, padding).shape)
        expected = getattr(ref, function)(grad_out, x, pool_size, given, padding)
        kwargs = {"padding": padding} if padding != "valid" else {}
        if strides != "default":
            kwargs["strides"] = strides
        read_only(grad_out, x, expected)
        calls.append(((grad_out, x, pool_size), kwargs))
        window = ref.pooling.pair(pool_size)
        note = _padding_note(x_shape, window, window if given is None else given, padding)
        expectations.append((expected, note))
    return tuple(calls), tuple(expectations)


def _pool_matches(learner, function: str, cases, seed: int) -> None:
    calls, expectations = _pool_cases(function, tuple(cases), seed)
    for (expected, note), got in zip(expectations, learner.calls(function, calls), strict=True):
        expect_gradient(got.value, expected, "grad_x", _call_text(got), note=note)


NON_OVERLAPPING = [
    ((1, 4, 4, 1), 2, "default", "valid"),
    ((2, 6, 6, 3), 2, "default", "valid"),
    ((1, 5, 7, 2), 2, "default", "valid"),  # the last row and column were dropped: gradient 0
    ((2, 6, 9, 1), 3, "default", "valid"),
]
OVERLAPPING = [
    ((1, 5, 5, 1), 3, 1, "valid"),
    ((2, 6, 6, 2), 3, 2, "valid"),
    ((1, 7, 5, 2), (3, 2), 1, "valid"),
]
SAME = [
    ((1, 5, 5, 1), 2, "default", "same"),
    ((2, 7, 6, 2), 3, 2, "same"),
    ((1, 6, 5, 3), 3, 1, "same"),
    ((1, 4, 7, 1), (2, 3), (1, 2), "same"),
]
PAIRS = [
    ((1, 6, 6, 2), (2, 3), "default", "valid"),
    ((2, 7, 8, 1), (3, 2), (2, 3), "valid"),
    ((1, 5, 6, 2), 2, (1, 2), "valid"),
]


@check(
    "max_pool2d_backward",
    weight=4,
    hint="Only the largest value of each window reached the output: it gets the window's "
    "whole grad_out, the others 0 (per image and per channel).",
)
def test_max_pool2d_backward_routes_each_gradient_to_the_maximum(learner):
    _pool_matches(learner, "max_pool2d_backward", NON_OVERLAPPING, 12201)


@check(
    "max_pool2d_backward",
    weight=4,
    hint=(
        "With strides smaller than the window one pixel can be the maximum of several "
        "windows: it collects the gradient of every one of them, never only the last."
    ),
)
def test_max_pool2d_backward_adds_up_overlapping_windows(learner):
    _pool_matches(learner, "max_pool2d_backward", OVERLAPPING, 12202)


MAX_BASICS = (
    "max_pool2d_backward_routes_each_gradient_to_the_maximum",
    "max_pool2d_backward_adds_up_overlapping_windows",
)


@check(
    "max_pool2d_backward",
    after=MAX_BASICS,
    weight=3,
    hint='"same": pad with -inf (as the forward pass does) so the padding never wins, route '
    "the gradients in the padded array, then cut the padding off.",
)
def test_max_pool2d_backward_same_padding_on_negative_inputs(learner):
    _pool_matches(learner, "max_pool2d_backward", SAME, 12203)


@check(
    "max_pool2d_backward",
    after=MAX_BASICS,
    weight=3,
    hint=(
        "pool_size and strides may be pairs (rows, columns), and without strides the "
        "windows step by their own size, as in max_pool2d."
    ),
)
def test_max_pool2d_backward_with_pairs_for_pool_size_and_strides(learner):
    _pool_matches(learner, "max_pool2d_backward", PAIRS, 12204)


@check(
    "average_pool2d_backward",
    weight=4,
    hint=(
        "An output is the mean of its window, so each pixel of the window gets an equal "
        "share of the output's gradient: the gradient divided by the window's size."
    ),
)
def test_average_pool2d_backward_shares_each_gradient_equally(learner):
    _pool_matches(learner, "average_pool2d_backward", NON_OVERLAPPING, 12211)


@check(
    "average_pool2d_backward",
    weight=4,
    hint=(
        "Windows overlap when the strides are smaller than the window: a pixel collects a"
        " share from every window it is in."
    ),
)
def test_average_pool2d_backward_adds_up_overlapping_windows(learner):
    _pool_matches(learner, "average_pool2d_backward", OVERLAPPING, 12212)


AVERAGE_BASICS = (
    "average_pool2d_backward_shares_each_gradient_equally",
    "average_pool2d_backward_adds_up_overlapping_windows",
)


@check(
    "average_pool2d_backward",
    after=AVERAGE_BASICS,
    weight=4,
    hint='"same": a window over the border averaged only its in-bounds pixels, so each of '
    "them gets grad_out / (number of in-bounds pixels), not / (ph*pw).",
)
def test_average_pool2d_backward_same_shares_among_in_bounds_pixels(learner):
    _pool_matches(learner, "average_pool2d_backward", SAME, 12213)


@check(
    "average_pool2d_backward",
    after=AVERAGE_BASICS,
    weight=3,
    hint=(
        "pool_size and strides may be pairs (rows, columns), and without strides the "
        "windows step by their own size, as in average_pool2d."
    ),
)
def test_average_pool2d_backward_with_pairs_for_pool_size_and_strides(learner):
    _pool_matches(learner, "average_pool2d_backward", PAIRS, 12214)


@functools.cache
def _pool_difference_cases(function: str) -> tuple:
    rng = np.random.default_rng(12220)
    forward = getattr(ref.pooling, FORWARD[function])
    cases = []
    for x_shape, pool_size, strides, padding in (
        ((2, 5, 6, 2), 2, None, "same"),
        ((1, 6, 5, 2), 3, 2, "valid"),
    ):
        x = distinct_values(rng, x_shape)
        grad_out = rng.normal(size=forward(x, pool_size, strides, padding).shape)
        numerical = ref.numerical_pool_gradient(forward, grad_out, x, pool_size, strides, padding)
        read_only(grad_out, x, numerical)
        cases.append(((grad_out, x, pool_size, strides, padding), numerical))
    return tuple(cases)


def _pool_matches_differences(learner, function: str) -> None:
    cases = _pool_difference_cases(function)
    outcomes = learner.call_many(function, [call for call, _ in cases])
    for (_, numerical), got in zip(cases, outcomes, strict=True):
        expect_gradient(
            got.value,
            numerical,
            "grad_x",
            _call_text(got),
            against=f"central finite differences of the loss sum(grad_out * {FORWARD[function]}(...))",
            bound=DIFFERENCE_BOUND,
        )


MAX_ALL_CASES = (
    *MAX_BASICS,
    "max_pool2d_backward_same_padding_on_negative_inputs",
    "max_pool2d_backward_with_pairs_for_pool_size_and_strides",
)


@check(
    "max_pool2d_backward",
    after=MAX_ALL_CASES,
    weight=3,
    hint="Nudging a pixel that is not its window's maximum changes nothing (gradient 0); "
    "nudging the maximum moves the output one for one.",
)
def test_max_pool2d_backward_matches_finite_differences(learner):
    _pool_matches_differences(learner, "max_pool2d_backward")


AVERAGE_ALL_CASES = (
    *AVERAGE_BASICS,
    "average_pool2d_backward_same_shares_among_in_bounds_pixels",
    "average_pool2d_backward_with_pairs_for_pool_size_and_strides",
)


@check(
    "average_pool2d_backward",
    after=AVERAGE_ALL_CASES,
    weight=3,
    hint="Nudging one pixel by h moves each window average it is in by h / count.",
)
def test_average_pool2d_backward_matches_finite_differences(learner):
    _pool_matches_differences(learner, "average_pool2d_backward")


def _raises_for_wrong_grad_out(learner, function: str) -> None:
    calls, expectations = _pool_cases(function, (((1, 4, 4, 2), 2, "default", "valid"),), 12230)
    x = np.ones((2, 4, 4, 2))
    bad = [  # pooled, x gives (2, 2, 2, 2)
        ((np.ones((2, 4, 4, 2)), x), {}),  # x's shape, not the pooled one
        ((np.ones((1, 2, 2, 2)), x), {}),  # one image: NumPy would broadcast it
        ((np.ones((2, 1, 1, 2)), x), {}),  # one position: NumPy would broadcast it
        ((np.ones((2, 2, 2, 1)), x), {}),  # one channel: NumPy would broadcast it
        ((np.ones((2, 2, 2, 2)), x), {"strides": 1}),  # stride 1 gives (2, 3, 3, 2)
        ((np.ones((2, 2, 2, 2)), x, 2, None, "full"), {}),  # unknown padding
    ]
    good, *outcomes = learner.calls(function, [*calls, *bad])
    valid = (good, _grad_x_judge(expectations[0][0]))
    for got in outcomes:
        expect_raises(got, "ValueError", valid=valid)


@check(
    "max_pool2d_backward",
    weight=2,
    hint="Work out max_pool2d's output shape for x and these arguments and raise ValueError "
    'when grad_out\'s differs; and for a padding other than "valid" or "same".',
)
def test_max_pool2d_backward_raises_value_error_for_a_grad_out_of_the_wrong_shape(learner):
    _raises_for_wrong_grad_out(learner, "max_pool2d_backward")


@check(
    "average_pool2d_backward",
    weight=2,
    hint="Work out average_pool2d's output shape for x and these arguments and raise "
    'ValueError when grad_out\'s differs; and for a padding other than "valid" or "same".',
)
def test_average_pool2d_backward_raises_value_error_for_a_grad_out_of_the_wrong_shape(learner):
    _raises_for_wrong_grad_out(learner, "average_pool2d_backward")


def _leaves_inputs_alone(learner, function: str) -> None:
    calls, expectations = _pool_cases(function, (((2, 5, 5, 2), 3, 2, "same"),), 12240)
    (got,) = learner.calls(function, calls)
    expect_unmodified(got, _grad_x_judge(expectations[0][0]))


@check(
    "max_pool2d_backward",
    after=MAX_ALL_CASES,
    weight=1,
    hint="Build new arrays; never write into grad_out or x.",
)
def test_max_pool2d_backward_leaves_its_inputs_unmodified(learner):
    _leaves_inputs_alone(learner, "max_pool2d_backward")


@check(
    "average_pool2d_backward",
    after=AVERAGE_ALL_CASES,
    weight=1,
    hint="Build new arrays; never write into grad_out or x.",
)
def test_average_pool2d_backward_leaves_its_inputs_unmodified(learner):
    _leaves_inputs_alone(learner, "average_pool2d_backward")
