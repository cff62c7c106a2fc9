"""Hidden checks for `losses`: mean squared error, binary and categorical cross-entropy.

Values are compared with the NumPy reference (itself proven against keras.losses in
tests/test_reference_losses.py). At predictions of exactly 0 and 1 the loss depends on
how epsilon is applied (clipping, as here and in Keras 3, or clipping plus epsilon
inside the logarithm, as in Keras 2), so there the checks accept 10% either way.
"""

import numpy as np

from nnlab.checks import (
    CheckFailed,
    brief,
    check,
    describe_value,
    expect_close,
    expect_raises,
    expect_unmodified,
    expect_value,
    fail,
    formula_first,
    reference,
    tolerances,
)

ref = reference("losses")

AT_THE_CLIP = 0.10  # relative tolerance where predictions are exactly 0 or 1


# --- inputs ------------------------------------------------------------------------------------


def labels_and_probabilities(rng, shape):
    """0/1 labels and probabilities well inside (0, 1), where every way of clipping agrees."""
    y_true = rng.integers(0, 2, size=shape).astype(float)
    y_pred = rng.uniform(0.02, 0.98, size=shape)
    return y_true, y_pred


def one_hot_and_probabilities(rng, n, k):
    """One-hot labels and probability rows, both (N, K); the true class gets 0.05 to 0.95."""
    classes = rng.integers(0, k, size=n)
    y_true = np.eye(k)[classes]
    rest = rng.uniform(0.1, 1.0, size=(n, k)) * (1.0 - y_true)
    rest /= rest.sum(axis=1, keepdims=True)  # the other classes share the rest
    p_true = rng.uniform(0.05, 0.95, size=(n, 1))
    y_pred = y_true * p_true + rest * (1.0 - p_true)  # each row sums to 1
    return y_true, y_pred


# Confidently wrong (0 for a 1, 1 for a 0), confidently right, and hesitant predictions.
BINARY_EDGE_TRUE = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
BINARY_EDGE_PRED = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.3], [0.9, 0.0]])
CATEGORICAL_EDGE_TRUE = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
CATEGORICAL_EDGE_PRED = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])


# --- shared bodies -----------------------------------------------------------------------------


def expect_loss_for_this_input_type(learner, name, y_true, y_pred, **options):
    """`expect_loss` for numbers, lists or float32 arrays; a wrong formula is named as such."""
    formula_first(lambda *values: expect_loss(learner, name, *values, **options), y_true, y_pred)


def expect_loss(
    learner, name, y_true, y_pred, *extra, rtol=None, atol=None, quiet=False, note="", by_name=False
):
    """The learner's loss equals the reference's; a failure shows the call on one line.

    `extra` holds epsilon when given (passed as `epsilon=` with `by_name`, the contract's
    name); `quiet` also fails on any warning (log(0), 0 * inf).
    """
    if by_name:
        outcome = learner.call(name, y_true, y_pred, epsilon=extra[0])
    else:
        outcome = learner.call(name, y_true, y_pred, *extra)
    judge_loss(outcome, name, y_true, y_pred, *extra, rtol=rtol, atol=atol, quiet=quiet, note=note)


def expect_losses(learner, name, cases):
    """`expect_loss` for each (y_true, y_pred), the calls sent in one round trip."""
    for (y_true, y_pred), outcome in learner.each(name, cases):
        judge_loss(outcome, name, y_true, y_pred)


def judge_loss(outcome, name, y_true, y_pred, *extra, rtol=None, atol=None, quiet=False, note=""):
    """The judgement of `expect_loss`, on the outcome of a call already made."""
    value = outcome.value  # a learner's exception or NotImplementedError stops here

    def call() -> str:  # made for a failure only
        arguments = [f"y_true={brief(y_true)}", f"y_pred={brief(y_pred)}"]
        return f"{name}({', '.join(arguments + [f'epsilon={e:g}' for e in extra])})"

    expected = getattr(ref, name)(y_true, y_pred, *extra)  # the reference copies its inputs
    rtol, atol = tolerances(outcome, rtol, atol)
    expect_close(value, expected, rtol=rtol, atol=atol, what=call, hint=note, inputs=outcome)
    if quiet and outcome.warnings:  # no warning is worth points only with the right value
        first = outcome.warnings[0]
        fail(f"{call()} emitted {first['category']}: {first['message']}.")


def returns_one_number(learner, name, y_true, y_pred, advice):
    outcome = learner.call(name, y_true, y_pred)
    value = outcome.value  # a learner's exception or NotImplementedError stops here
    if isinstance(value, (np.ndarray, np.generic, list, tuple)) and np.shape(value) != ():
        fail(
            f"{name} returned shape {np.shape(value)} for inputs of shape {np.shape(y_true)}; "
            f"expected one number (shape ()).\n{advice}"
        )
    expect_close(value, getattr(ref, name)(y_true, y_pred), what=f"{name}(y_true, y_pred)")


def raises_for_shapes_that_differ(learner, name, pairs):
    """Shape pairs that NumPy broadcasts silently (the bug) or refuses (its own ValueError).

    One valid pair goes first: refusing is worth points only beside a right loss."""
    valid = one_hot_and_probabilities(np.random.default_rng(4000), 4, 3)
    cases = [valid]
    for shape_true, shape_pred in pairs:
        y_true, y_pred = np.full(shape_true, 0.0), np.full(shape_pred, 0.5)
        if y_true.ndim == 2 and y_true.shape[-1] > 1:
            y_true[..., 0] = 1.0  # one-hot rows
        cases.append((y_true, y_pred))
    right, *refused = learner.call_many(name, cases)
    judged = (right, lambda outcome: judge_loss(outcome, name, *valid))
    for (shape_true, shape_pred), outcome in zip(pairs, refused, strict=True):
        expect_value(*judged)
        if outcome.raised is None:
            fail(
                f"{name}(y_true of shape {shape_true}, y_pred of shape {shape_pred}) returned "
                f"{describe_value(outcome.value)}; expected ValueError because the shapes "
                "differ (NumPy broadcast them instead)."
            )
        expect_raises(outcome, "ValueError", valid=judged)


# --- mean_squared_error (25 points) ------------------------------------------------------------

MSE_HINT = "np.mean((y_true - y_pred) ** 2): the mean of the squares, no square root."


@check(
    "mean_squared_error",
    weight=6,
    hint=(
        "The mean of the squared differences over every element: no square root, and a "
        "mean rather than a sum."
    ),
)
def test_mean_squared_error_matches_reference_on_varied_shapes(learner):
    rng = np.random.default_rng(4101)
    cases = [
        (rng.normal(scale=3.0, size=shape), rng.normal(scale=3.0, size=shape))
        for shape in [(), (5,), (6, 1), (4, 3), (2, 3, 4)]
    ]
    expect_losses(learner, "mean_squared_error", cases)


@check(
    "mean_squared_error",
    weight=4,
    hint=(
        "Numbers, lists and float32 arrays are valid inputs: they need to become float "
        "arrays first."
    ),
)
def test_mean_squared_error_accepts_scalars_lists_and_float32(learner):
    expect_loss_for_this_input_type(learner, "mean_squared_error", 0.5, 0.2)
    expect_loss_for_this_input_type(
        learner, "mean_squared_error", [[1.0, 2.0], [3.0, 4.0]], [[1.5, 2.0], [2.0, 4.5]]
    )
    rng = np.random.default_rng(4102)
    y_true32 = rng.normal(size=(6, 3)).astype(np.float32)
    y_pred32 = rng.normal(size=(6, 3)).astype(np.float32)
    expect_loss_for_this_input_type(learner, "mean_squared_error", y_true32, y_pred32)


@check(
    "mean_squared_error",
    weight=4,
    hint=(
        "One loss for the whole batch: the mean over EVERY element (no axis), returned as"
        " a single number."
    ),
)
def test_mean_squared_error_returns_one_number(learner):
    rng = np.random.default_rng(4103)
    y_true, y_pred = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    returns_one_number(
        learner,
        "mean_squared_error",
        y_true,
        y_pred,
        "The loss is the mean over ALL elements, not one value per row or column.",
    )


@check(
    "mean_squared_error",
    weight=8,
    hint=(
        "NumPy broadcasts a column against a vector into a square, and (4, 3) against (4,"
        " 1) too: compare the two whole shapes yourself before computing, and refuse any "
        "difference with a ValueError."
    ),
)
def test_mean_squared_error_raises_value_error_when_shapes_differ(learner):
    raises_for_shapes_that_differ(
        learner,
        "mean_squared_error",
        [
            ((6, 1), (6,)),  # column against vector: broadcasts to (6, 6)
            ((4, 3), (4, 1)),  # same number of axes, still broadcasts
            ((1, 4), (4, 1)),  # same size, broadcasts to (4, 4)
            ((4,), (5,)),
            ((2, 3), (3, 2)),
            ((3,), ()),
        ],
    )


@check(
    "mean_squared_error",
    weight=3,
    hint="Compute into new arrays; never assign into y_true or y_pred.",
)
def test_mean_squared_error_leaves_inputs_unmodified(learner):
    rng = np.random.default_rng(4105)
    y_true, y_pred = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    expect_unmodified(
        learner.call("mean_squared_error", y_true, y_pred),
        ref.mean_squared_error(y_true, y_pred),
    )


# --- binary_crossentropy (36 points) -----------------------------------------------------------

BCE_HINT = (
    "-mean(y * log(p) + (1 - y) * log(1 - p)) with p = np.clip(y_pred, epsilon, 1 - epsilon)."
)


@check(
    "binary_crossentropy",
    weight=7,
    hint=(
        "The negative mean of y log p plus (1 - y) log(1 - p) over every element, with "
        "the predictions first clipped to [epsilon, 1 - epsilon]."
    ),
)
def test_binary_crossentropy_matches_reference_on_varied_shapes(learner):
    rng = np.random.default_rng(4201)
    cases = [labels_and_probabilities(rng, shape) for shape in [(8,), (6, 1), (4, 3), (2, 3, 4)]]
    expect_losses(learner, "binary_crossentropy", cases)


@check(
    "binary_crossentropy",
    after=(
        "binary_crossentropy_matches_reference_on_varied_shapes",
        "binary_crossentropy_is_finite_at_predictions_of_0_and_1",
    ),
    weight=4,
    hint=(
        "Numbers, lists (of ints too) and float32 arrays are valid inputs: they need to "
        "become float arrays first."
    ),
)
def test_binary_crossentropy_accepts_scalars_lists_and_float32(learner):
    expect_loss_for_this_input_type(learner, "binary_crossentropy", 1.0, 0.8)
    expect_loss_for_this_input_type(
        learner, "binary_crossentropy", [[1.0], [0.0], [1.0]], [[0.7], [0.4], [0.2]]
    )
    y_true, y_pred = labels_and_probabilities(np.random.default_rng(4202), (5, 2))
    y_true32, y_pred32 = y_true.astype(np.float32), y_pred.astype(np.float32)
    expect_loss_for_this_input_type(learner, "binary_crossentropy", y_true32, y_pred32)
    # Python ints: clipping an integer array into [1e-7, 1 - 1e-7] would truncate to 0
    y_true, y_pred = [[1, 0], [0, 1], [1, 1]], [[1, 0], [1, 0], [0, 1]]
    expect_loss_for_this_input_type(
        learner,
        "binary_crossentropy",
        y_true,
        y_pred,
        rtol=AT_THE_CLIP,
        atol=0.0,
        note="(labels and predictions given as lists of Python ints 0 and 1)",
    )


@check(
    "binary_crossentropy",
    weight=8,
    hint=(
        "A prediction of exactly 0 or 1 makes a logarithm of 0, which is -inf (and 0 "
        "times it is NaN): clip the predictions into [epsilon, 1 - epsilon] before any "
        "logarithm."
    ),
)
def test_binary_crossentropy_is_finite_at_predictions_of_0_and_1(learner):
    expect_loss(
        learner,
        "binary_crossentropy",
        BINARY_EDGE_TRUE,
        BINARY_EDGE_PRED,
        rtol=AT_THE_CLIP,
        atol=0.0,
        quiet=True,
        note="(within 10% of the loss with predictions clipped to [1e-7, 1 - 1e-7])",
    )


@check(
    "binary_crossentropy",
    after=(
        "binary_crossentropy_matches_reference_on_varied_shapes",
        "binary_crossentropy_is_finite_at_predictions_of_0_and_1",
    ),
    weight=5,
    hint="Clip to the epsilon you are given (1e-7 by default), not a fixed 1e-7.",
)
def test_binary_crossentropy_honours_epsilon(learner):
    for epsilon in [1e-4, 1e-5]:
        expect_loss(
            learner,
            "binary_crossentropy",
            BINARY_EDGE_TRUE,
            BINARY_EDGE_PRED,
            epsilon,
            rtol=AT_THE_CLIP,
            atol=0.0,
            by_name=epsilon == 1e-5,  # once by position, once as epsilon=
            note=f"(within 10% of the loss with predictions clipped to [{epsilon:g}, 1 - {epsilon:g}])",
        )


@check(
    "binary_crossentropy",
    weight=4,
    hint=(
        "One loss for the whole batch: the mean over EVERY element (no axis), returned as"
        " a single number."
    ),
)
def test_binary_crossentropy_returns_one_number(learner):
    y_true, y_pred = labels_and_probabilities(np.random.default_rng(4205), (6, 2))
    returns_one_number(
        learner,
        "binary_crossentropy",
        y_true,
        y_pred,
        "The loss is the mean over ALL elements, not one value per example.",
    )


@check(
    "binary_crossentropy",
    weight=5,
    hint=(
        "Equal sizes or equal numbers of axes still broadcast: compare the two whole "
        "shapes before computing, and refuse any difference with a ValueError."
    ),
)
def test_binary_crossentropy_raises_value_error_when_shapes_differ(learner):
    raises_for_shapes_that_differ(
        learner,
        "binary_crossentropy",
        [
            ((6, 1), (6,)),
            ((6,), (6, 1)),
            ((4, 3), (4, 1)),  # same number of axes, still broadcasts
            ((1, 5), (5, 1)),  # same size, broadcasts to (5, 5)
            ((4,), (5,)),
        ],
    )


@check(
    "binary_crossentropy",
    after=(
        "binary_crossentropy_matches_reference_on_varied_shapes",
        "binary_crossentropy_is_finite_at_predictions_of_0_and_1",
    ),
    weight=3,
    hint=(
        "Clipping y_pred in place (or assigning into it) changes the caller's data; the "
        "clipped predictions belong in a new array."
    ),
)
def test_binary_crossentropy_leaves_inputs_unmodified(learner):
    y_true, y_pred = BINARY_EDGE_TRUE.copy(), BINARY_EDGE_PRED.copy()  # holds exact 0s and 1s
    expect_unmodified(
        learner.call("binary_crossentropy", y_true, y_pred),
        lambda outcome: judge_loss(
            outcome,
            "binary_crossentropy",
            BINARY_EDGE_TRUE,
            BINARY_EDGE_PRED,
            rtol=AT_THE_CLIP,
            atol=0.0,
        ),
    )


# --- categorical_crossentropy (39 points) ------------------------------------------------------

CCE_HINT = "Per example -sum(y_true * log(p)) over the K classes (axis=-1), then the mean over N."


@check(
    "categorical_crossentropy",
    weight=7,
    hint=(
        "Each example's loss is minus the sum, over its K classes, of y_true times the "
        "log of the clipped prediction; the batch's loss is the mean of those N losses."
    ),
)
def test_categorical_crossentropy_matches_reference_on_varied_shapes(learner):
    rng = np.random.default_rng(4301)
    cases = [one_hot_and_probabilities(rng, n, k) for n, k in [(1, 3), (5, 4), (8, 10), (3, 2)]]
    expect_losses(learner, "categorical_crossentropy", cases)


@check(
    "categorical_crossentropy",
    after=(
        "categorical_crossentropy_matches_reference_on_varied_shapes",
        "categorical_crossentropy_is_finite_at_predictions_of_0_and_1",
    ),
    weight=4,
    hint=(
        "Lists (of ints too) and float32 arrays are valid inputs: they need to become "
        "float arrays first."
    ),
)
def test_categorical_crossentropy_accepts_lists_and_float32(learner):
    y_true, y_pred = [[0, 1, 0], [1, 0, 0]], [[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]]
    expect_loss_for_this_input_type(learner, "categorical_crossentropy", y_true, y_pred)
    y_true, y_pred = one_hot_and_probabilities(np.random.default_rng(4302), 6, 4)
    y_true32, y_pred32 = y_true.astype(np.float32), y_pred.astype(np.float32)
    expect_loss_for_this_input_type(learner, "categorical_crossentropy", y_true32, y_pred32)
    # Python ints: clipping an integer array into [1e-7, 1 - 1e-7] would truncate to 0
    y_true, y_pred = [[1, 0, 0], [0, 0, 1], [0, 1, 0]], [[1, 0, 0], [0, 1, 0], [0, 1, 0]]
    expect_loss_for_this_input_type(
        learner,
        "categorical_crossentropy",
        y_true,
        y_pred,
        rtol=AT_THE_CLIP,
        atol=0.0,
        note="(labels and predictions given as lists of Python ints 0 and 1)",
    )


@check(
    "categorical_crossentropy",
    weight=6,
    hint=(
        "Sum over the K classes first, then average over the N examples: a mean over "
        "every entry divides by N times K."
    ),
)
def test_categorical_crossentropy_averages_over_examples_not_over_every_entry(learner):
    n, k = 6, 5
    y_true, y_pred = one_hot_and_probabilities(np.random.default_rng(4303), n, k)
    outcome = learner.call("categorical_crossentropy", y_true, y_pred)
    expected = ref.categorical_crossentropy(y_true.copy(), y_pred.copy())
    value = outcome.value  # a learner's exception or NotImplementedError stops here
    if (
        isinstance(value, (float, np.floating))
        and abs(float(value) * k - expected) <= 1e-6 * expected
    ):
        fail(
            f"categorical_crossentropy returned {float(value):.6g} for N = {n} examples of "
            f"K = {k} classes: that is the expected {expected:.6g} divided by K.\n"
            "The mean runs over the N examples only."
        )
    expect_close(value, expected, what=f"categorical_crossentropy(y_true, y_pred) for N={n}, K={k}")


@check(
    "categorical_crossentropy",
    after=(
        "categorical_crossentropy_matches_reference_on_varied_shapes",
        "categorical_crossentropy_averages_over_examples_not_over_every_entry",
    ),
    weight=7,
    hint=(
        "A predicted probability of exactly 0 makes a logarithm of 0, which is -inf (and "
        "0 times it is NaN): clip the predictions into [epsilon, 1 - epsilon] before the "
        "logarithm."
    ),
)
def test_categorical_crossentropy_is_finite_at_predictions_of_0_and_1(learner):
    expect_loss(
        learner,
        "categorical_crossentropy",
        CATEGORICAL_EDGE_TRUE,
        CATEGORICAL_EDGE_PRED,
        rtol=AT_THE_CLIP,
        atol=0.0,
        quiet=True,
        note="(within 10% of the loss with predictions clipped to [1e-7, 1 - 1e-7])",
    )


@check(
    "categorical_crossentropy",
    after=(
        "categorical_crossentropy_matches_reference_on_varied_shapes",
        "categorical_crossentropy_is_finite_at_predictions_of_0_and_1",
    ),
    weight=4,
    hint="Clip to the epsilon you are given (1e-7 by default), not a fixed 1e-7.",
)
def test_categorical_crossentropy_honours_epsilon(learner):
    for epsilon in [1e-4, 1e-5]:
        expect_loss(
            learner,
            "categorical_crossentropy",
            CATEGORICAL_EDGE_TRUE,
            CATEGORICAL_EDGE_PRED,
            epsilon,
            rtol=AT_THE_CLIP,
            atol=0.0,
            by_name=epsilon == 1e-5,  # once by position, once as epsilon=
            note=f"(within 10% of the loss with predictions clipped to [{epsilon:g}, 1 - {epsilon:g}])",
        )


@check(
    "categorical_crossentropy",
    after=(
        "categorical_crossentropy_matches_reference_on_varied_shapes",
        "categorical_crossentropy_is_finite_at_predictions_of_0_and_1",
        "categorical_crossentropy_honours_epsilon",
    ),
    weight=2,
    hint=(
        "The clip has two ends: a prediction above 1 - epsilon comes down to it too, so "
        "even a perfect prediction costs -log(1 - epsilon)."
    ),
)
def test_categorical_crossentropy_clips_perfect_predictions_to_1_minus_epsilon(learner):
    # epsilon=0.01 makes the upper end visible: each true class is predicted 0.995, above
    # 1 - epsilon. Clipped to 0.99 it costs -log(0.99) = 0.01005 per example; with epsilon
    # also inside the log (Keras 2's form, accepted as for the binary loss) -log(0.99 + 0.01)
    # = 0. A missing or too high upper bound gives -log(0.995) = 0.00501, or -log(1.005) < 0
    # with epsilon inside the log: neither. Which form the learner wrote is read from a
    # prediction of 0.5 first (-log(0.5) or -log(0.51)), so that 0 is right only beside it.
    # (At the default 1e-7 the forms differ by 1e-7, within the contract's tolerance.)
    y_true = np.eye(4)[[0, 2, 1, 3, 2]]
    halves = np.where(y_true == 1.0, 0.5, 0.5 / 3)
    high = np.where(y_true == 1.0, 0.995, 0.005 / 3)
    at_half, at_high = learner.calls(
        "categorical_crossentropy",
        [((y_true, halves), {"epsilon": 0.01}), ((y_true, high), {"epsilon": 0.01})],
    )
    try:
        expect_close(at_half.value, -np.log(0.51))  # epsilon inside the log too
    except CheckFailed:
        judge_loss(at_half, "categorical_crossentropy", y_true, halves, 0.01)
        judge_loss(at_high, "categorical_crossentropy", y_true, high, 0.01, note=ABOVE_THE_CLIP)
    else:
        expect_close(at_high.value, 0.0, rtol=0.0, atol=1e-9, hint=ABOVE_THE_CLIP)


ABOVE_THE_CLIP = (
    "(each true class is predicted 0.995, above 1 - epsilon; with epsilon also added inside "
    "the log, as your loss for predictions of 0.5 does, 0 is right here)"
)


@check(
    "categorical_crossentropy",
    weight=4,
    hint=(
        "One loss for the whole batch: the mean of the N per-example losses, returned as "
        "a single number."
    ),
)
def test_categorical_crossentropy_returns_one_number(learner):
    y_true, y_pred = one_hot_and_probabilities(np.random.default_rng(4306), 5, 3)
    returns_one_number(
        learner,
        "categorical_crossentropy",
        y_true,
        y_pred,
        "Sum over the K classes gives one loss per example; return their mean over N.",
    )


@check(
    "categorical_crossentropy",
    weight=4,
    hint=(
        "Equal sizes or equal numbers of axes still broadcast: compare the two whole "
        "shapes before computing, and refuse any difference with a ValueError."
    ),
)
def test_categorical_crossentropy_raises_value_error_when_shapes_differ(learner):
    raises_for_shapes_that_differ(
        learner,
        "categorical_crossentropy",
        [
            ((4, 3), (4, 4)),
            ((4, 3), (3,)),
            ((4, 3), (4, 1)),
            ((1, 4), (4, 1)),  # same size, broadcasts to (4, 4)
            ((2, 3), (3, 3)),
        ],
    )


@check(
    "categorical_crossentropy",
    after=(
        "categorical_crossentropy_matches_reference_on_varied_shapes",
        "categorical_crossentropy_is_finite_at_predictions_of_0_and_1",
    ),
    weight=3,
    hint=(
        "Clipping y_pred in place (or assigning into it) changes the caller's data; the "
        "clipped predictions belong in a new array."
    ),
)
def test_categorical_crossentropy_leaves_inputs_unmodified(learner):
    y_true, y_pred = CATEGORICAL_EDGE_TRUE.copy(), CATEGORICAL_EDGE_PRED.copy()
    expect_unmodified(
        learner.call("categorical_crossentropy", y_true, y_pred),
        lambda outcome: judge_loss(
            outcome,
            "categorical_crossentropy",
            CATEGORICAL_EDGE_TRUE,
            CATEGORICAL_EDGE_PRED,
            rtol=AT_THE_CLIP,
            atol=0.0,
        ),
    )
