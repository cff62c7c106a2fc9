"""Hidden checks for `derivatives`: slopes of the activations, evaluated at z.

Values are compared with the NumPy reference (itself proven against tf.GradientTape in
tests/test_reference_derivatives.py) and with central finite differences of the
reference activations, taken away from the kink at 0. Inputs are made here, in the
parent, from a fixed seed per check.
"""

import numpy as np

from nnlab.checks import (
    CheckFailed,
    LearnerError,
    check,
    expect_close,
    expect_no_warnings,
    expect_unmodified,
    fail,
    reference,
)

ref = reference("derivatives")

SHAPES = [(), (7,), (3, 4), (2, 3, 4)]
STEP = 1e-5  # central differences: error ~ STEP**2 * f''' + rounding ~ 1e-16 / STEP


# --- shared bodies -----------------------------------------------------------------------------


def values_on_varied_shapes(learner, name, seed, **options):
    rng = np.random.default_rng(seed)
    inputs = [
        rng.normal(scale=scale, size=shape)
        for shape, scale in zip(SHAPES, [0.5, 3.0, 1.0, 8.0], strict=True)
    ]
    outcomes = learner.call_many(name, [(z,) for z in inputs], **options)
    for z, got in zip(inputs, outcomes, strict=True):
        expect_close(got, getattr(ref, name)(z.copy(), **options))


def expect_close_for_this_input_type(learner, name, z, got):
    """The learner's slope ``got`` at z (a number, list or float32 array) equals the reference's.

    When it does not, the same values are tried as a float64 array: if that is wrong too,
    the message says the formula, not the input type, is what to fix.
    """
    expected = getattr(ref, name)(np.asarray(z, dtype=np.float64))
    try:
        expect_close(got, expected)
    except CheckFailed as failure:
        try:
            expect_close(learner.call(name, np.asarray(z, dtype=np.float64)), expected)
        except (CheckFailed, LearnerError):
            raise CheckFailed(
                f"{failure}"
                + "\n(It is wrong for the same values given as a float64 array too: fix the formula first.)"
            ) from None
        raise


def accepts_scalars_lists_and_float32(learner, name, seed):
    rng = np.random.default_rng(seed)
    inputs = [
        *[0.7, -1.5, 3, -2],  # Python numbers -> shape ()
        [[-2.0, -0.5, 0.25], [0.5, 1.0, 4.0]],
        [[-2, 0, 3], [1, -1, 4]],  # ints: an int array would truncate slopes such as 0.01 to 0
        rng.normal(scale=3.0, size=(4, 5)).astype(np.float32),
    ]
    for (z,), got in learner.each(name, [(z,) for z in inputs]):
        expect_close_for_this_input_type(learner, name, z, got)


def agrees_with_finite_differences(learner, name, activation, seed, **options):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=3.0, size=(6, 5))
    z = np.where(np.abs(z) > 1e-3, z, 0.5)  # stay away from the kink at 0
    numerical = (activation(z + STEP, **options) - activation(z - STEP, **options)) / (2 * STEP)
    expect_close(
        learner.call(name, z, **options),
        numerical,
        rtol=1e-4,
        atol=1e-6,
        hint="(expected: the central difference (g(z + h) - g(z - h)) / 2h with h = 1e-5)",
    )


def evaluated_at_z(learner, name, slope_at_activation, formula):
    z = np.array([-3.0, -1.0, 0.0, 0.5, 2.0, 4.0])
    outcome = learner.call(name, z)
    value = outcome.value  # a learner's exception or NotImplementedError stops here
    got = np.asarray(value, dtype=float) if isinstance(value, (np.ndarray, list)) else None
    trap = slope_at_activation(z)
    if got is not None and got.shape == z.shape and np.all(np.abs(got - trap) <= 1e-9):
        fail(
            f"{name}(z) returned {formula} for z = {z.tolist()}: the slope evaluated as if z\n"
            f"were already the activation value. Compute the activation of z first, then "
            f"its slope; at z = 0 the answer is {getattr(ref, name)(0.0):g}."
        )
    expect_close(outcome, getattr(ref, name)(z.copy()))


def stable_at_large_inputs(learner, name):
    z = np.array([-1000.0, -60.0, -20.0, 0.0, 20.0, 60.0, 1000.0])
    expect_no_warnings(learner.call(name, z), getattr(ref, name)(z.copy()))


def leaves_input_unmodified(learner, name, seed, **options):
    z = np.random.default_rng(seed).normal(scale=2.0, size=(4, 5))
    z[0, 0] = 0.0
    expect_unmodified(learner.call(name, z, **options), getattr(ref, name)(z.copy(), **options))


# --- sigmoid_derivative (20 points) ------------------------------------------------------------

SIGMOID_HINT = (
    "The sigmoid's slope is a product of the sigmoid's own value and one minus it: compute "
    "the sigmoid of z first (a stable one)."
)


@check("sigmoid_derivative", weight=5, hint=SIGMOID_HINT)
def test_sigmoid_derivative_matches_reference_on_varied_shapes(learner):
    values_on_varied_shapes(learner, "sigmoid_derivative", 3101)


@check(
    "sigmoid_derivative",
    weight=3,
    hint=(
        "Numbers, lists and float32 arrays are valid inputs: they need to become float "
        "arrays before the formula (a number gives a 0-D result)."
    ),
)
def test_sigmoid_derivative_accepts_scalars_lists_and_float32(learner):
    accepts_scalars_lists_and_float32(learner, "sigmoid_derivative", 3102)


@check("sigmoid_derivative", weight=3, hint=SIGMOID_HINT)
def test_sigmoid_derivative_agrees_with_finite_differences(learner):
    agrees_with_finite_differences(learner, "sigmoid_derivative", ref.sigmoid, 3103)


@check(
    "sigmoid_derivative",
    weight=4,
    hint=(
        "The argument is z itself, not the sigmoid of z: the formula in s only applies "
        "once s, the sigmoid of z, is computed from z."
    ),
)
def test_sigmoid_derivative_is_evaluated_at_z_not_at_the_activation(learner):
    evaluated_at_z(learner, "sigmoid_derivative", lambda z: z * (1 - z), "z * (1 - z)")


@check(
    "sigmoid_derivative",
    weight=3,
    hint=(
        "exp of a large positive number overflows: the sigmoid inside the slope must be a"
        " stable one (one that only exponentiates numbers that are not positive)."
    ),
)
def test_sigmoid_derivative_is_stable_at_large_inputs(learner):
    stable_at_large_inputs(learner, "sigmoid_derivative")


@check(
    "sigmoid_derivative",
    weight=2,
    hint="Compute into new arrays; an in-place operation on z changes the caller's array.",
)
def test_sigmoid_derivative_leaves_input_unmodified(learner):
    leaves_input_unmodified(learner, "sigmoid_derivative", 3106)


# --- tanh_derivative (20 points) ---------------------------------------------------------------

TANH_HINT = "tanh's slope is one minus the square of tanh itself: compute tanh of z first."


@check("tanh_derivative", weight=5, hint=TANH_HINT)
def test_tanh_derivative_matches_reference_on_varied_shapes(learner):
    values_on_varied_shapes(learner, "tanh_derivative", 3201)


@check(
    "tanh_derivative",
    weight=3,
    hint=(
        "Numbers, lists and float32 arrays are valid inputs: they need to become float "
        "arrays before the formula (a number gives a 0-D result)."
    ),
)
def test_tanh_derivative_accepts_scalars_lists_and_float32(learner):
    accepts_scalars_lists_and_float32(learner, "tanh_derivative", 3202)


@check("tanh_derivative", weight=3, hint=TANH_HINT)
def test_tanh_derivative_agrees_with_finite_differences(learner):
    agrees_with_finite_differences(learner, "tanh_derivative", ref.tanh, 3203)


@check(
    "tanh_derivative",
    weight=4,
    hint=(
        "The argument is z itself, not tanh of z: the formula in t only applies once t, "
        "tanh of z, is computed from z."
    ),
)
def test_tanh_derivative_is_evaluated_at_z_not_at_the_activation(learner):
    evaluated_at_z(learner, "tanh_derivative", lambda z: 1 - z**2, "1 - z**2")


@check(
    "tanh_derivative",
    weight=3,
    hint=(
        "NumPy's tanh is stable for any z; a slope written with cosh or with hand-made "
        "exponentials overflows at |z| = 1000."
    ),
)
def test_tanh_derivative_is_stable_at_large_inputs(learner):
    stable_at_large_inputs(learner, "tanh_derivative")


@check(
    "tanh_derivative",
    weight=2,
    hint="Compute into new arrays; an in-place operation on z changes the caller's array.",
)
def test_tanh_derivative_leaves_input_unmodified(learner):
    leaves_input_unmodified(learner, "tanh_derivative", 3206)


# --- arctan_derivative (20 points) -------------------------------------------------------------

ARCTAN_HINT = (
    "arctan's slope is a fraction with 1 on top and, below, one plus the square of z (z "
    "itself, not arctan of z)."
)


@check("arctan_derivative", weight=5, hint=ARCTAN_HINT)
def test_arctan_derivative_matches_reference_on_varied_shapes(learner):
    values_on_varied_shapes(learner, "arctan_derivative", 3301)


@check(
    "arctan_derivative",
    weight=3,
    hint=(
        "Numbers, lists and float32 arrays are valid inputs: they need to become float "
        "arrays before the formula (a number gives a 0-D result)."
    ),
)
def test_arctan_derivative_accepts_scalars_lists_and_float32(learner):
    accepts_scalars_lists_and_float32(learner, "arctan_derivative", 3302)


@check("arctan_derivative", weight=4, hint=ARCTAN_HINT)
def test_arctan_derivative_agrees_with_finite_differences(learner):
    agrees_with_finite_differences(learner, "arctan_derivative", ref.arctan, 3303)


@check(
    "arctan_derivative",
    weight=6,
    hint=(
        "The slope is written in z itself, not in arctan of z: squaring the activation "
        "gives the wrong denominator."
    ),
)
def test_arctan_derivative_is_evaluated_at_z_not_at_the_activation(learner):
    evaluated_at_z(
        learner,
        "arctan_derivative",
        lambda z: 1 / (1 + np.arctan(z) ** 2),
        "1 / (1 + arctan(z)**2)",
    )


@check(
    "arctan_derivative",
    weight=2,
    hint="Compute into new arrays; an in-place operation on z changes the caller's array.",
)
def test_arctan_derivative_leaves_input_unmodified(learner):
    leaves_input_unmodified(learner, "arctan_derivative", 3306)


# --- relu_derivative (18 points) ---------------------------------------------------------------

RELU_HINT = "The slope of relu is 1 where z is positive and 0 elsewhere: a float array of slopes."


@check("relu_derivative", weight=5, hint=RELU_HINT)
def test_relu_derivative_matches_reference_on_varied_shapes(learner):
    values_on_varied_shapes(learner, "relu_derivative", 3401)


@check(
    "relu_derivative",
    after=(
        "relu_derivative_matches_reference_on_varied_shapes",
        "relu_derivative_takes_the_left_slope_at_zero",
    ),
    weight=3,
    hint=(
        "A list cannot be compared with 0 element by element and a number has no shape: "
        "make the input a float array first."
    ),
)
def test_relu_derivative_accepts_scalars_lists_and_float32(learner):
    accepts_scalars_lists_and_float32(learner, "relu_derivative", 3402)


@check("relu_derivative", weight=3, hint=RELU_HINT)
def test_relu_derivative_agrees_with_finite_differences(learner):
    agrees_with_finite_differences(learner, "relu_derivative", ref.relu, 3403)


@check(
    "relu_derivative",
    weight=5,
    hint=(
        "At the kink take the slope on the left, as TensorFlow does: at exactly 0 the "
        'slope is 0, so "positive" must mean strictly greater than 0.'
    ),
)
def test_relu_derivative_takes_the_left_slope_at_zero(learner):
    z = np.array([-1.0, -0.0, 0.0, 1e-12, 1.0])
    at_zero, around = learner.call_many("relu_derivative", [(0.0,), (z,)])
    expect_close(at_zero, 0.0)
    expect_close(around, ref.relu_derivative(z.copy()))


@check(
    "relu_derivative",
    after=(
        "relu_derivative_matches_reference_on_varied_shapes",
        "relu_derivative_takes_the_left_slope_at_zero",
    ),
    weight=2,
    hint="Compute into new arrays; an in-place operation on z changes the caller's array.",
)
def test_relu_derivative_leaves_input_unmodified(learner):
    leaves_input_unmodified(learner, "relu_derivative", 3406)


# --- leaky_relu_derivative (22 points) ---------------------------------------------------------

LEAKY_HINT = "The slope is 1 where z is positive and alpha elsewhere: a slope, not alpha times z."


@check("leaky_relu_derivative", weight=5, hint=LEAKY_HINT)
def test_leaky_relu_derivative_matches_reference_on_varied_shapes(learner):
    values_on_varied_shapes(learner, "leaky_relu_derivative", 3501)


@check(
    "leaky_relu_derivative",
    after=(
        "leaky_relu_derivative_matches_reference_on_varied_shapes",
        "leaky_relu_derivative_takes_the_left_slope_at_zero",
    ),
    weight=3,
    hint=(
        "A list cannot be compared with 0 element by element, a number has no shape, and "
        "an array of ints (from a list of ints) stores alpha = 0.01 as 0: make the input "
        "a float array first."
    ),
)
def test_leaky_relu_derivative_accepts_scalars_lists_and_float32(learner):
    accepts_scalars_lists_and_float32(learner, "leaky_relu_derivative", 3502)


@check(
    "leaky_relu_derivative",
    after=(
        "leaky_relu_derivative_matches_reference_on_varied_shapes",
        "leaky_relu_derivative_honours_alpha",
    ),
    weight=3,
    hint=LEAKY_HINT,
)
def test_leaky_relu_derivative_agrees_with_finite_differences(learner):
    agrees_with_finite_differences(
        learner, "leaky_relu_derivative", ref.leaky_relu, 3503, alpha=0.2
    )


@check(
    "leaky_relu_derivative",
    after=(
        "leaky_relu_derivative_matches_reference_on_varied_shapes",
        "leaky_relu_derivative_honours_alpha",
    ),
    weight=4,
    hint=(
        "At the kink take the slope on the left, as TensorFlow does: at exactly 0 the "
        'slope is alpha, so "positive" must mean strictly greater than 0.'
    ),
)
def test_leaky_relu_derivative_takes_the_left_slope_at_zero(learner):
    expect_close(learner.call("leaky_relu_derivative", 0.0), 0.01)
    z = np.array([-1.0, -0.0, 0.0, 1e-12, 1.0])
    expect_close(
        learner.call("leaky_relu_derivative", z, alpha=0.1),
        ref.leaky_relu_derivative(z.copy(), alpha=0.1),
    )


@check(
    "leaky_relu_derivative",
    weight=5,
    hint="Use the alpha you are given (0.01 by default), not a fixed 0.01.",
)
def test_leaky_relu_derivative_honours_alpha(learner):
    z = np.random.default_rng(3505).normal(scale=2.0, size=(3, 4))  # no 0: the kink's check
    calls = [((z,), {"alpha": alpha}) for alpha in [0.2, 0.05, 0.3]]
    calls.append(((z, 0.25), {}))  # alpha passed by position
    outcomes = learner.calls("leaky_relu_derivative", calls)
    for (args, kwargs), got in zip(calls, outcomes, strict=True):
        expect_close(got, ref.leaky_relu_derivative(z.copy(), *args[1:], **kwargs))


@check(
    "leaky_relu_derivative",
    after=(
        "leaky_relu_derivative_matches_reference_on_varied_shapes",
        "leaky_relu_derivative_honours_alpha",
        "leaky_relu_derivative_takes_the_left_slope_at_zero",
    ),
    weight=2,
    hint="Compute into new arrays; an in-place operation on z changes the caller's array.",
)
def test_leaky_relu_derivative_leaves_input_unmodified(learner):
    leaves_input_unmodified(learner, "leaky_relu_derivative", 3506, alpha=0.1)
