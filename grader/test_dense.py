"""Hidden checks for the `dense` exercise: a dense layer's forward and backward pass.

Every input is made here, in the parent, from a fixed private seed; results are compared
with the NumPy reference in grader/reference/dense.py (which tests/ proves against
`keras.layers.Dense` and `tf.GradientTape`).
"""

from __future__ import annotations

import numpy as np

from nnlab.checks import (
    CheckFailed,
    LearnerError,
    brief,
    check,
    describe_value,
    expect_close,
    expect_unmodified,
    fail,
    formula_first,
    reference,
)
from nnlab.checks import tolerances as _tolerances

ref = reference("dense")

# (N, n_in, units): a single example, a single unit, a single input, and ordinary sizes
SHAPES = [(1, 1, 1), (1, 4, 3), (5, 3, 1), (6, 1, 4), (8, 6, 4), (4, 5, 5), (32, 10, 7)]


def _layer(rng: np.random.Generator, n: int, n_in: int, units: int, scale: float = 1.0):
    x = rng.normal(scale=scale, size=(n, n_in))
    kernel = rng.normal(scale=1.0, size=(n_in, units))
    bias = rng.normal(scale=1.0, size=(units,))
    return x, kernel, bias


def _forward_call(x, kernel, bias, *activation: str) -> str:
    parts = [f"x={brief(x)}", f"kernel={brief(kernel)}", f"bias={brief(bias)}"]
    return f"dense_forward({', '.join(parts + [repr(a) for a in activation])})"


def _expect_forward(
    learner, x, kernel, bias, *activation: str, quiet: bool = False, by_name: bool = False
) -> None:
    """dense_forward(x, kernel, bias[, activation]) equals the reference's output.

    With `quiet`, any warning (overflow in exp, 0 / 0) fails too; with `by_name` the
    activation is passed as `activation=`. A failure names the call on one line.
    """
    if by_name:
        outcome = learner.call("dense_forward", x, kernel, bias, activation=activation[0])
    else:
        outcome = learner.call("dense_forward", x, kernel, bias, *activation)
    _judge_forward(outcome, x, kernel, bias, *activation, quiet=quiet)


def _judge_forward(outcome, x, kernel, bias, *activation: str, quiet: bool = False) -> None:
    """The judgement of `_expect_forward`, on the outcome of a call already made."""
    value = outcome.value  # a learner's exception or NotImplementedError stops here

    def call() -> str:  # made for a failure only
        return _forward_call(x, kernel, bias, *activation)

    expected = ref.dense_forward(x, kernel, bias, *activation)  # the reference copies
    rtol, atol = _tolerances(outcome, None, None)
    expect_close(value, expected, rtol=rtol, atol=atol, what=call, inputs=outcome)
    if quiet and outcome.warnings:  # no warning is worth points only with the right value
        first = outcome.warnings[0]
        fail(f"{call()} emitted {first['category']}: {first['message']}.")


def _expect_forward_for_this_input_type(learner, outcome, x, kernel, bias, activation: str) -> None:
    """`_judge_forward` of ``outcome`` (of float32 or list inputs); a wrong formula is named
    as such: on failure the same values are tried again as float64 arrays."""
    first = [outcome]

    def attempt(*values) -> None:
        got = first.pop() if first else learner.call("dense_forward", *values, activation)
        _judge_forward(got, *values, activation)

    formula_first(attempt, x, kernel, bias)


def _expect_value_error(outcome, args: tuple, why: str) -> None:
    """``outcome``, of dense_forward(*args), is a ValueError."""
    raised = outcome.raised
    if raised is None:
        value = outcome.value
        got = f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else value
        fail(f"{_forward_call(*args)} returned {got}; expected ValueError: {why}.")
    if raised.is_a("ValueError"):
        return
    if raised.is_a("NotImplementedError"):
        _ = outcome.value  # reported as "not implemented yet"
    fail(
        f"{_forward_call(*args)} raised {raised.describe(outcome.file_name)}; "
        f"expected ValueError: {why}."
    )


def _expect_value_errors(learner, cases: list[tuple[tuple, str]]) -> None:
    """dense_forward(*args) raises ValueError for each (args, why), all in one round trip.

    A valid layer goes first and must come out right: refusing the invalid calls is worth
    points only from a function that computes the valid one."""
    valid = (*_layer(np.random.default_rng(5100), 3, 2, 4), "relu")
    right, *outcomes = learner.call_many("dense_forward", [valid, *(args for args, _ in cases)])
    for (args, why), outcome in zip(cases, outcomes, strict=True):
        _judge_forward(right, *valid)
        _expect_value_error(outcome, args, why)


def _forward_matches(learner, activation: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    layers = [_layer(rng, n, n_in, units, scale=1.5) for n, n_in, units in SHAPES]
    # once as activation=, the contract's name: the relu layer of 32 examples
    by_name = [activation == "relu" and x.shape[0] == 32 for x, _, _ in layers]
    positional = [
        (*layer, activation) for layer, named in zip(layers, by_name, strict=True) if not named
    ]
    outcomes = iter(learner.call_many("dense_forward", positional))
    for layer, named in zip(layers, by_name, strict=True):
        if named:
            _expect_forward(learner, *layer, activation, by_name=True)
        else:
            _judge_forward(next(outcomes), *layer, activation)


# --- dense_forward -----------------------------------------------------------------------------


@check(
    "dense_forward",
    weight=3,
    hint=(
        "Each unit's output is the weighted sum of an example's inputs plus that unit's "
        "bias: the kernel is laid out (n_in, units), so the output is (N, units) and the "
        "bias is added to every row."
    ),
)
def test_dense_forward_linear_matches_reference_on_varied_shapes(learner):
    _forward_matches(learner, "linear", 5101)


@check(
    "dense_forward",
    hint=(
        "Without an activation argument the layer is linear: the weighted sums plus the "
        "bias, unchanged."
    ),
)
def test_dense_forward_defaults_to_linear(learner):
    rng = np.random.default_rng(5102)
    x, kernel, bias = _layer(rng, 4, 3, 2)
    _expect_forward(learner, x, kernel, bias)


@check(
    "dense_forward",
    weight=2,
    hint=(
        "The activation comes AFTER the bias is added: relu of the whole pre-activation, "
        "not of the product alone."
    ),
)
def test_dense_forward_relu_matches_reference(learner):
    _forward_matches(learner, "relu", 5103)


@check(
    "dense_forward",
    after=(
        "dense_forward_linear_matches_reference_on_varied_shapes",
        "dense_forward_relu_matches_reference",
    ),
    weight=2,
    hint=("The activation comes AFTER the bias is added: the sigmoid of the whole pre-activation."),
)
def test_dense_forward_sigmoid_matches_reference(learner):
    _forward_matches(learner, "sigmoid", 5104)


@check(
    "dense_forward",
    after=(
        "dense_forward_linear_matches_reference_on_varied_shapes",
        "dense_forward_relu_matches_reference",
    ),
    weight=2,
    hint="The activation comes AFTER the bias is added: tanh of the whole pre-activation.",
)
def test_dense_forward_tanh_matches_reference(learner):
    _forward_matches(learner, "tanh", 5105)


@check(
    "dense_forward",
    after=(
        "dense_forward_linear_matches_reference_on_varied_shapes",
        "dense_forward_relu_matches_reference",
    ),
    weight=3,
    hint=(
        "softmax makes one distribution per example, across its units (the last axis), "
        "after the bias is added; normalising across the batch axis mixes the examples."
    ),
)
def test_dense_forward_softmax_over_units_matches_reference(learner):
    _forward_matches(learner, "softmax", 5106)


@check(
    "dense_forward",
    after=(
        "dense_forward_linear_matches_reference_on_varied_shapes",
        "dense_forward_relu_matches_reference",
        "dense_forward_sigmoid_matches_reference",
        "dense_forward_softmax_over_units_matches_reference",
    ),
    weight=2,
    hint=(
        "Large pre-activations overflow exp: the softmax must shift EACH ROW by its own "
        "maximum, and the sigmoid must never exponentiate a large positive number (a "
        "choice between two branches still computes both)."
    ),
)
def test_dense_forward_sigmoid_and_softmax_stay_finite_for_large_preactivations(learner):
    x = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]])  # (3, 2)
    kernel = np.array([[1000.0, -1000.0, 0.0], [0.0, 800.0, -900.0]])  # (2, 3)
    bias = np.array([0.0, 10.0, -5.0])
    cases = [(x, kernel, bias, "sigmoid"), (x, kernel, bias, "softmax")]
    # rows on very different scales: subtracting one maximum for the whole batch (instead of
    # each row's own) leaves the second row with exp(-2000) = 0 everywhere, and 0 / 0
    x = np.array([[1000.0, 999.0, 0.0], [-1000.0, -1001.0, -999.0]])  # (2, 3)
    cases.append((x, np.eye(3), np.zeros(3), "softmax"))
    for args, outcome in learner.each("dense_forward", cases):
        _judge_forward(outcome, *args, quiet=True)


@check(
    "dense_forward",
    after=(
        "dense_forward_linear_matches_reference_on_varied_shapes",
        "dense_forward_relu_matches_reference",
        "dense_forward_sigmoid_matches_reference",
        "dense_forward_tanh_matches_reference",
        "dense_forward_softmax_over_units_matches_reference",
    ),
    weight=2,
    hint=("Inputs may be float32 arrays or nested Python lists: they need to become arrays first."),
)
def test_dense_forward_accepts_float32_and_lists(learner):
    rng = np.random.default_rng(5108)
    cases = [
        (*(a.astype(np.float32) for a in _layer(rng, 6, 4, 3)), activation)
        for activation in ref.ACTIVATIONS
    ]
    cases.append((*(a.tolist() for a in _layer(rng, 2, 3, 2)), "relu"))
    for args, outcome in learner.each("dense_forward", cases):
        _expect_forward_for_this_input_type(learner, outcome, *args)


@check(
    "dense_forward",
    after=(
        "dense_forward_linear_matches_reference_on_varied_shapes",
        "dense_forward_relu_matches_reference",
    ),
    hint=(
        'A name outside "linear", "relu", "sigmoid", "tanh" and "softmax" is a '
        "ValueError, not a silent linear layer."
    ),
)
def test_dense_forward_rejects_unknown_activation(learner):
    rng = np.random.default_rng(5109)
    x, kernel, bias = _layer(rng, 3, 2, 2)
    known = ", ".join(map(repr, ref.ACTIVATIONS))
    _expect_value_errors(
        learner,
        [
            ((x, kernel, bias, activation), f"{activation!r} is not one of {known}")
            for activation in ("softplus", "sigmod", "leaky_relu")
        ],
    )


@check(
    "dense_forward",
    after=(
        "dense_forward_linear_matches_reference_on_varied_shapes",
        "dense_forward_relu_matches_reference",
    ),
    weight=2,
    hint=(
        "Check the shapes before computing: the kernel's rows must match x's columns and "
        "the bias must hold one value per unit (a length-1 bias would broadcast "
        "silently)."
    ),
)
def test_dense_forward_rejects_mismatched_shapes(learner):
    rng = np.random.default_rng(5110)
    x, kernel, bias = _layer(rng, 4, 3, 5)
    cases = [
        ((x, kernel[:2], bias), "kernel has 2 rows but x has 3 columns"),
        ((x, kernel.T.copy(), bias), "kernel is (units, n_in) = (5, 3), not (n_in, units)"),
        ((x, kernel, bias[:1]), "bias holds 1 value for 5 units (NumPy would broadcast it)"),
        ((x, kernel, np.append(bias, 0.5)), "bias holds 6 values for 5 units"),
    ]
    _expect_value_errors(learner, [((*args, "linear"), why) for args, why in cases])


@check(
    "dense_forward",
    after=(
        "dense_forward_linear_matches_reference_on_varied_shapes",
        "dense_forward_relu_matches_reference",
        "dense_forward_softmax_over_units_matches_reference",
    ),
    hint=(
        "Reshaping the bias through its shape attribute or updating x in place changes "
        "the caller's arrays; compute into new arrays."
    ),
)
def test_dense_forward_leaves_inputs_unmodified(learner):
    rng = np.random.default_rng(5111)
    cases = [(*_layer(rng, 5, 3, 4), activation) for activation in ("linear", "relu", "softmax")]
    for args, outcome in learner.each("dense_forward", cases):
        expect_unmodified(outcome, lambda got, args=args: _judge_forward(got, *args))


# --- dense_backward ----------------------------------------------------------------------------

GRADIENT_NAMES = ("grad_x", "grad_kernel", "grad_bias")


def _gradients(outcome) -> tuple:
    value = outcome.value
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        fail(
            f"{outcome.call_text} returned {describe_value(value)}; expected a tuple of three "
            "arrays (grad_x, grad_kernel, grad_bias)."
        )
    return tuple(value)


def _backward_case(rng: np.random.Generator, n: int, n_in: int, units: int):
    grad_out = rng.normal(size=(n, units))
    x = rng.normal(size=(n, n_in))
    kernel = rng.normal(size=(n_in, units))
    return grad_out, x, kernel


def _expect_gradient(learner, which: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    cases = [_backward_case(rng, n, n_in, units) for n, n_in, units in SHAPES]
    for (grad_out, x, kernel), outcome in learner.each("dense_backward", cases):
        expected = ref.dense_backward(grad_out.copy(), x.copy(), kernel.copy())[which]
        rtol, atol = _tolerances(outcome, None, None)
        expect_close(
            _gradients(outcome)[which],
            expected,
            rtol=rtol,
            atol=atol,
            what=f"{GRADIENT_NAMES[which]} from dense_backward(grad_out {grad_out.shape}, "
            f"x {x.shape}, kernel {kernel.shape})",
            inputs=outcome,
        )


@check(
    "dense_backward",
    weight=2,
    hint=(
        "Three gradients, each shaped like what it is the gradient of: x (N, n_in), the "
        "kernel (n_in, units) and the bias (units,), without an extra axis of length 1."
    ),
)
def test_dense_backward_returns_three_gradients_shaped_like_x_kernel_bias(learner):
    rng = np.random.default_rng(5201)
    cases = [
        _backward_case(rng, n, n_in, units) for n, n_in, units in [(5, 3, 4), (1, 2, 1), (3, 1, 2)]
    ]
    for (grad_out, x, kernel), outcome in learner.each("dense_backward", cases):
        n, n_in = x.shape
        units = kernel.shape[1]
        gradients = _gradients(outcome)
        for name, got, shape in zip(
            GRADIENT_NAMES, gradients, [(n, n_in), (n_in, units), (units,)], strict=True
        ):
            shape_got = np.shape(got)
            if shape_got != shape:
                advice = (
                    " (an extra axis of length 1: sum with axis=0 and no keepdims)"
                    if shape_got in ((1, *shape), (*shape, 1))
                    else ""
                )
                fail(
                    f"{name} from dense_backward(grad_out {grad_out.shape}, x {x.shape}, "
                    f"kernel {kernel.shape}) has shape {shape_got}; expected {shape}{advice}."
                )


@check(
    "dense_backward",
    weight=3,
    hint=(
        "Each input receives the gradient of every unit it feeds, weighted by the kernel "
        "entry between them: a product of grad_out with the kernel, transposed so that "
        "the result is (N, n_in)."
    ),
)
def test_dense_backward_grad_x_matches_reference(learner):
    _expect_gradient(learner, 0, 5202)


@check(
    "dense_backward",
    weight=3,
    hint=(
        "Entry (i, j) of the kernel's gradient gathers input i times unit j's gradient "
        "over the batch; it has the kernel's own layout (n_in, units), not its transpose."
    ),
)
def test_dense_backward_grad_kernel_matches_reference(learner):
    _expect_gradient(learner, 1, 5203)


@check(
    "dense_backward",
    weight=3,
    hint=(
        "The bias is added to every example, so its gradient is the SUM of grad_out over "
        "the batch, not the mean (any 1/N of the loss is already inside grad_out)."
    ),
)
def test_dense_backward_grad_bias_sums_over_the_batch(learner):
    _expect_gradient(learner, 2, 5204)


def _expect_gradients(learner, grad_out, x, kernel, given_as: str) -> None:
    outcome = learner.call("dense_backward", grad_out, x, kernel)
    _judge_gradients(outcome, grad_out, x, kernel, f"for inputs given {given_as}")


def _judge_gradients(outcome, grad_out, x, kernel, given_as: str) -> None:
    """All three gradients of ``outcome`` (of dense_backward(grad_out, x, kernel)) are right."""
    expected = ref.dense_backward(grad_out, x, kernel)
    rtol, atol = _tolerances(outcome, None, None)
    for name, got, want in zip(GRADIENT_NAMES, _gradients(outcome), expected, strict=True):
        expect_close(got, want, rtol=rtol, atol=atol, what=f"{name} {given_as}", inputs=outcome)


def _expect_gradients_for_this_input_type(learner, grad_out, x, kernel, given_as: str) -> None:
    try:
        _expect_gradients(learner, grad_out, x, kernel, given_as)
    except CheckFailed as failure:
        as_arrays = (np.asarray(a, dtype=np.float64) for a in (grad_out, x, kernel))
        try:
            _expect_gradients(learner, *as_arrays, "as float64 arrays")
        except (CheckFailed, LearnerError):
            raise CheckFailed(
                f"{failure}"
                + "\n(It is wrong for the same values given as float64 arrays too: fix the formula first.)"
            ) from None
        raise


@check(
    "dense_backward",
    after=(
        "dense_backward_returns_three_gradients_shaped_like_x_kernel_bias",
        "dense_backward_grad_x_matches_reference",
        "dense_backward_grad_kernel_matches_reference",
        "dense_backward_grad_bias_sums_over_the_batch",
    ),
    hint=("float32 arrays and nested lists are valid inputs: they need to become arrays first."),
)
def test_dense_backward_accepts_float32_and_lists(learner):
    rng = np.random.default_rng(5205)
    grad_out, x, kernel = (a.astype(np.float32) for a in _backward_case(rng, 6, 4, 3))
    _expect_gradients_for_this_input_type(learner, grad_out, x, kernel, "as float32 arrays")
    grad_out, x, kernel = (a.tolist() for a in _backward_case(rng, 2, 2, 3))
    _expect_gradients_for_this_input_type(learner, grad_out, x, kernel, "as nested lists")


@check(
    "dense_backward",
    after=(
        "dense_backward_returns_three_gradients_shaped_like_x_kernel_bias",
        "dense_backward_grad_x_matches_reference",
        "dense_backward_grad_kernel_matches_reference",
        "dense_backward_grad_bias_sums_over_the_batch",
    ),
    hint=(
        "Scaling, transposing or reshaping grad_out, x or the kernel in place changes the"
        " caller's arrays; compute new arrays."
    ),
)
def test_dense_backward_leaves_inputs_unmodified(learner):
    rng = np.random.default_rng(5206)
    grad_out, x, kernel = _backward_case(rng, 7, 3, 4)
    expect_unmodified(
        learner.call("dense_backward", grad_out, x, kernel),
        lambda got: _judge_gradients(got, grad_out, x, kernel, "for float64 arrays"),
    )
