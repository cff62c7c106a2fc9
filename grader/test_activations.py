"""Hidden checks for `activations`: sigmoid, tanh, arctan, relu, leaky_relu, softmax.

Inputs are made here in the parent with private seeds; the learner's results are
compared with the trusted float64 reference in grader/reference/activations.py.
"""

import numpy as np

from nnlab.checks import (
    as_numeric_array,
    check,
    expect_close,
    expect_no_warnings,
    expect_unmodified,
    reference,
)

ref = reference("activations")

SHAPES = [(), (7,), (3, 4), (2, 3, 4)]
# ints too: an answer that keeps an int input's dtype (np.empty_like(z), np.zeros_like(z))
# truncates every result to a whole number
PYTHON_INPUTS = [0.0, -2.0, 3.5, [-1.0, 0.0, 1.0], [[-4.0, 0.5], [2.0, -0.25]], 3, [-3, 0, 2]]
HUGE = np.array([-1000.0, -750.0, -50.0, 0.0, 50.0, 750.0, 1000.0])


def _float32(seed: int, scale: float = 4.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(scale=scale, size=(5, 6)).astype(np.float32)


def _expect_each_close(learner, name: str, inputs: list, **kwargs) -> None:
    """``name(z, **kwargs)`` close to the reference for each z, all sent in one round trip."""
    outcomes = learner.call_many(name, [(z,) for z in inputs], **kwargs)
    for z, got in zip(inputs, outcomes, strict=True):
        expect_close(got, getattr(ref, name)(np.array(z, dtype=float), **kwargs))


def _varied(learner, name: str, seed: int, scale: float, **kwargs) -> None:
    rng = np.random.default_rng(seed)
    inputs = [np.asarray(rng.normal(scale=scale, size=shape)) for shape in SHAPES]
    _expect_each_close(learner, name, inputs, **kwargs)


def _python_and_float32(learner, name: str, seed: int, **kwargs) -> None:
    _expect_each_close(learner, name, [*PYTHON_INPUTS, _float32(seed)], **kwargs)


# --- sigmoid ----------------------------------------------------------------------------------


@check(
    "sigmoid",
    weight=6,
    hint=(
        "The logistic sigmoid, applied to each element on its own: the result has z's "
        "shape and every value lies in (0, 1).",
        "The place: the denominator, 1 + e^(-z), with the minus sign on z: sigmoid(0) is "
        "0.5 and sigmoid(2) about 0.8808.",
        "Nearly the answer: one divided by (one plus the exponential of minus z), on z made "
        "an array of floats first.",
    ),
)
def test_sigmoid_matches_reference_on_varied_shapes(learner):
    _varied(learner, "sigmoid", 2101, scale=4.0)


@check(
    "sigmoid",
    weight=3,
    hint=(
        "Numbers and lists, of ints too, must give float results: an array of z's int "
        "dtype (filled, or made like z) truncates every value to 0 or 1, and a number in "
        "gives a 0-D result."
    ),
)
def test_sigmoid_of_python_numbers_lists_and_float32(learner):
    _python_and_float32(learner, "sigmoid", 2102)


@check(
    "sigmoid",
    weight=4,
    hint=(
        "Written as exp(z) over (1 + exp(z)) the sigmoid is inf over inf for large z. A "
        "stable form only ever exponentiates a number that is not positive, one form for "
        "z >= 0 and another for z < 0."
    ),
)
def test_sigmoid_gives_finite_correct_values_at_1000(learner):
    inputs = [HUGE, HUGE.astype(np.float32), np.float64(-1000.0), np.float64(1000.0)]
    _expect_each_close(learner, "sigmoid", inputs)


@check(
    "sigmoid",
    after=(
        "sigmoid_matches_reference_on_varied_shapes",
        "sigmoid_gives_finite_correct_values_at_1000",
    ),
    weight=5,
    hint=(
        "exp of a large positive number overflows even when the final value is right, and"
        " a choice between two branches evaluates both on every element: exponentiate "
        "only numbers that are not positive."
    ),
)
def test_sigmoid_has_no_overflow_warning_at_1000(learner):
    inputs = [(HUGE,), (HUGE.astype(np.float32),), (np.float64(-1000.0),)]
    for (z,), got in learner.each("sigmoid", inputs):
        expect_no_warnings(got, ref.sigmoid(np.array(z, dtype=float)))


@check(
    "sigmoid",
    weight=2,
    hint=(
        "An in-place operation (an augmented assignment, or an out= argument pointing at "
        "z) changes the caller's array; the result belongs in a new array."
    ),
)
def test_sigmoid_leaves_input_unmodified(learner):
    z = np.linspace(-6.0, 6.0, 25)
    expect_unmodified(learner.call("sigmoid", z), ref.sigmoid(z.copy()))


# --- tanh -------------------------------------------------------------------------------------


@check(
    "tanh",
    weight=5,
    hint=(
        "tanh runs from -1 to 1 and passes through 0 at z = 0; it is a different S-curve "
        "from the sigmoid, which runs from 0 to 1.",
        "The place: the value you return for each element; at z = 1 tanh is about 0.7616 "
        "(arctan gives 0.7854, the sigmoid 0.7311).",
        "Nearly the answer: (e^z - e^-z) / (e^z + e^-z), which NumPy has as one function.",
    ),
)
def test_tanh_matches_reference_on_varied_shapes(learner):
    _varied(learner, "tanh", 2201, scale=2.0)


@check(
    "tanh",
    weight=3,
    hint=(
        "Numbers and lists, of ints too, must give float results: an array of z's int "
        "dtype truncates every value, and a number in gives a 0-D result."
    ),
)
def test_tanh_of_python_numbers_lists_and_float32(learner):
    _python_and_float32(learner, "tanh", 2202)


@check(
    "tanh",
    weight=4,
    hint=(
        "The textbook formula with e^z and e^-z is inf over inf once e^z overflows (|z| >"
        " 709); a stable tanh gives -1 and 1 there."
    ),
)
def test_tanh_saturates_at_plus_minus_one_for_large_inputs(learner):
    z = np.array([-1000.0, -400.0, -20.0, 20.0, 400.0, 1000.0])
    expect_close(learner.call("tanh", z), ref.tanh(z.copy()))


@check(
    "tanh",
    weight=2,
    hint=("An in-place operation changes the caller's array; the result belongs in a new array."),
)
def test_tanh_leaves_input_unmodified(learner):
    z = np.linspace(-3.0, 3.0, 25)
    expect_unmodified(learner.call("tanh", z), ref.tanh(z.copy()))


# --- arctan -----------------------------------------------------------------------------------


@check(
    "arctan",
    weight=5,
    hint=(
        "arctan is the inverse of the tangent, in radians: gentler than tanh, not scaled "
        "to (-1, 1) and not in degrees."
    ),
)
def test_arctan_matches_reference_on_varied_shapes(learner):
    _varied(learner, "arctan", 2301, scale=5.0)


@check(
    "arctan",
    weight=3,
    hint=(
        "Numbers and lists, of ints too, must give float results: an array of z's int "
        "dtype truncates every value, and a number in gives a 0-D result."
    ),
)
def test_arctan_of_python_numbers_lists_and_float32(learner):
    _python_and_float32(learner, "arctan", 2302)


@check(
    "arctan",
    weight=4,
    hint=(
        "For large |z| arctan approaches plus or minus pi/2 (about 1.5708, in radians): "
        "not 1 as tanh does, and not 90 degrees."
    ),
)
def test_arctan_approaches_plus_minus_half_pi_for_large_inputs(learner):
    z = np.array([-1e6, -1000.0, -50.0, 50.0, 1000.0, 1e6])
    expect_close(learner.call("arctan", z), ref.arctan(z.copy()))


@check(
    "arctan",
    weight=2,
    hint=("An in-place operation changes the caller's array; the result belongs in a new array."),
)
def test_arctan_leaves_input_unmodified(learner):
    z = np.linspace(-5.0, 5.0, 25)
    expect_unmodified(learner.call("arctan", z), ref.arctan(z.copy()))


# --- relu -------------------------------------------------------------------------------------


@check(
    "relu",
    weight=5,
    hint=(
        "ReLU keeps each positive element and replaces each negative one with 0, element "
        "by element: Python's own max compares whole arrays, and a boolean mask is not "
        "the value."
    ),
)
def test_relu_matches_reference_on_varied_shapes(learner):
    _varied(learner, "relu", 2401, scale=3.0)


@check(
    "relu",
    weight=4,
    hint=(
        "Around the kink relu keeps the value itself: relu(1e-8) is 1e-8, not 1 (a mask "
        "of the positive elements is not the answer), and relu(0) is 0."
    ),
)
def test_relu_at_and_around_the_kink_at_zero(learner):
    inputs = [np.float64(0.0), np.array([-1e-8, -0.0, 0.0, 1e-8, 1e-300, 0.5])]
    for (z,), got in learner.each("relu", [(z,) for z in inputs]):
        # tiny values: relative tolerance only, or the absolute one would hide them
        expect_close(got, ref.relu(np.array(z, dtype=float)), atol=0.0)


@check(
    "relu",
    weight=3,
    hint=(
        "Numbers and lists, of ints too, must give float results: an array of z's int "
        "dtype truncates, and a number in gives a 0-D result."
    ),
)
def test_relu_of_python_numbers_lists_and_float32(learner):
    _python_and_float32(learner, "relu", 2403)


@check(
    "relu",
    weight=3,
    hint=(
        "Zeroing the negative elements of z itself overwrites the caller's array; the "
        "result belongs in a new array."
    ),
)
def test_relu_leaves_input_unmodified(learner):
    z = np.linspace(-3.0, 3.0, 25)
    expect_unmodified(learner.call("relu", z), ref.relu(z.copy()))


# --- leaky_relu -------------------------------------------------------------------------------


@check(
    "leaky_relu",
    weight=4,
    hint=(
        "Positive elements stay as they are; the others are scaled by alpha (0.01 by "
        "default), not set to 0."
    ),
)
def test_leaky_relu_matches_reference_on_varied_shapes(learner):
    _varied(learner, "leaky_relu", 2501, scale=3.0)


@check(
    "leaky_relu",
    weight=5,
    hint=(
        "Use the alpha you are given (by keyword or by position) instead of a fixed 0.01,"
        " and only on the negative side."
    ),
)
def test_leaky_relu_honours_alpha(learner):
    rng = np.random.default_rng(2502)
    calls = [((rng.normal(scale=3.0, size=(4, 5)),), {"alpha": a}) for a in [0.1, 0.2, 0.3, 0.0]]
    calls.append(((rng.normal(scale=3.0, size=(6,)), 0.25), {}))  # alpha by position
    for (args, kwargs), got in zip(calls, learner.calls("leaky_relu", calls), strict=True):
        expect_close(got, ref.leaky_relu(args[0].copy(), *args[1:], **kwargs))


@check(
    "leaky_relu",
    after=("leaky_relu_matches_reference_on_varied_shapes", "leaky_relu_honours_alpha"),
    weight=3,
    hint=(
        "Around z = 0 the two pieces meet: leaky_relu(0) is 0, a tiny negative z gives "
        "alpha times it, and a tiny positive z stays as it is."
    ),
)
def test_leaky_relu_at_and_around_the_kink_at_zero(learner):
    z = np.array([-1e-8, -0.0, 0.0, 1e-8])
    expect_close(learner.call("leaky_relu", np.float64(0.0)), 0.0)
    expect_close(  # tiny values: relative tolerance only, or the absolute one would hide them
        learner.call("leaky_relu", z, alpha=0.5), ref.leaky_relu(z.copy(), alpha=0.5), atol=0.0
    )


@check(
    "leaky_relu",
    weight=2,
    hint=(
        "Numbers and lists, of ints too, must give float results: an int array cannot "
        "hold alpha times z, and a number in gives a 0-D result."
    ),
)
def test_leaky_relu_of_python_numbers_lists_and_float32(learner):
    _python_and_float32(learner, "leaky_relu", 2504)


@check(
    "leaky_relu",
    after=("leaky_relu_matches_reference_on_varied_shapes", "leaky_relu_honours_alpha"),
    weight=3,
    hint=(
        "Scaling the negative elements of z itself overwrites the caller's array; the "
        "result belongs in a new array."
    ),
)
def test_leaky_relu_leaves_input_unmodified(learner):
    z = np.linspace(-3.0, 3.0, 25)
    expect_unmodified(learner.call("leaky_relu", z, alpha=0.1), ref.leaky_relu(z.copy(), alpha=0.1))


# --- softmax ----------------------------------------------------------------------------------


@check(
    "softmax",
    weight=4,
    hint=(
        "softmax makes one probability distribution per slice along the LAST axis by "
        "default (one per row of a matrix), not one over the whole array."
    ),
)
def test_softmax_matches_reference_on_varied_shapes(learner):
    rng = np.random.default_rng(2601)
    _expect_each_close(
        learner,
        "softmax",
        [rng.normal(scale=3.0, size=shape) for shape in [(5,), (3, 4), (2, 3, 4)]],
    )


@check(
    "softmax",
    weight=4,
    hint=(
        "Every reduction (the maximum, the sum) must run along the axis you are given, "
        "and keep that axis so that the result broadcasts back against z."
    ),
)
def test_softmax_along_the_given_axis(learner):
    rng = np.random.default_rng(2602)
    calls = [
        ((rng.normal(scale=3.0, size=shape),), {"axis": axis})
        for shape, axis in [((3, 5), 0), ((3, 5), 1), ((2, 3, 4), 1), ((2, 3, 4), 0), ((4, 2), -1)]
    ]
    for ((z,), kwargs), got in zip(calls, learner.calls("softmax", calls), strict=True):
        expect_close(got, ref.softmax(z.copy(), **kwargs))


@check(
    "softmax",
    after=("softmax_matches_reference_on_varied_shapes", "softmax_along_the_given_axis"),
    weight=2,
    hint=(
        "Each slice along the axis is a probability distribution: it is divided by its "
        "own sum along that axis, not by the sum of the whole array."
    ),
)
def test_softmax_rows_sum_to_one_along_axis(learner):
    rng = np.random.default_rng(2603)
    calls = [((rng.normal(scale=2.0, size=(4, 6)),), {"axis": axis}) for axis in (-1, 0, 1)]
    for ((z,), kwargs), outcome in zip(calls, learner.calls("softmax", calls), strict=True):
        axis = kwargs["axis"]
        expected = ref.softmax(z.copy(), axis=axis)
        result = as_numeric_array(outcome.value, outcome.call_text, z.shape)
        if result.shape != z.shape:
            expect_close(outcome, expected)
        sums = np.sum(result.astype(float), axis=axis)
        expect_close(
            sums,
            np.ones(sums.shape),
            what=f"the sums of softmax(z, axis={axis}) along axis {axis} for z of shape {z.shape}",
        )
        expect_close(outcome, expected)  # sums of 1 earn points only with the right values


@check(
    "softmax",
    after=("softmax_matches_reference_on_varied_shapes", "softmax_along_the_given_axis"),
    weight=3,
    hint=(
        "Subtracting a constant from every score of a slice leaves its softmax unchanged;"
        " each slice's own maximum makes the largest exponent e^0. One maximum for the "
        "whole array is not enough when slices differ a lot."
    ),
)
def test_softmax_gives_finite_correct_values_at_1000(learner):
    cases = [
        (np.array([1000.0, 999.0, 0.0]), -1),
        (np.array([[1000.0, 1000.0, 1000.0], [-1000.0, 0.0, 1.0], [1.0, 2.0, 3.0]]), -1),
        (np.array([[1000.0, 0.0], [998.0, -1000.0]]), 0),
        (np.array([[-1000.0, -999.0, -1001.0]], dtype=np.float32), -1),
    ]
    calls = [((z,), {"axis": axis}) for z, axis in cases]
    for ((z,), kwargs), got in zip(calls, learner.calls("softmax", calls), strict=True):
        expect_close(got, ref.softmax(z.copy(), **kwargs))


@check(
    "softmax",
    after=(
        "softmax_matches_reference_on_varied_shapes",
        "softmax_gives_finite_correct_values_at_1000",
    ),
    weight=3,
    hint=(
        "exp(1000) overflows: shift each slice by its maximum (along the axis) before "
        "exponentiating."
    ),
)
def test_softmax_has_no_overflow_warning_at_1000(learner):
    inputs = [
        (np.array([[1000.0, 999.0, -1000.0], [1.0, 2.0, 3.0]]),),
        (np.array([-1000.0, -1000.0, -999.0]),),
    ]
    for (z,), got in learner.each("softmax", inputs):
        expect_no_warnings(got, ref.softmax(z.copy()))


@check(
    "softmax",
    weight=2,
    hint=(
        "Numbers and lists, of ints too, must give float probabilities (ints would "
        "truncate them to 0 or 1); a single number is its own slice, with softmax 1.0 and"
        " shape ()."
    ),
)
def test_softmax_of_python_numbers_lists_and_float32(learner):
    floats = [3.0, np.float64(-2.0), [1.0, 2.0, 3.0], [[0.5, -0.5], [2.0, 2.0]], _float32(2605)]
    ints = [4, [1, 2, 3], [[0, 5], [-2, 2]]]  # ints: probabilities must not be truncated to 0/1
    _expect_each_close(learner, "softmax", [*floats, *ints])


@check(
    "softmax",
    weight=2,
    hint=(
        "Shifting z in place by its maximum changes the caller's array; the shifted "
        "scores belong in a new array."
    ),
)
def test_softmax_leaves_input_unmodified(learner):
    z = np.random.default_rng(2606).normal(size=(3, 5))
    expect_unmodified(learner.call("softmax", z), ref.softmax(z.copy()))
