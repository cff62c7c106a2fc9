"""Hidden checks for `tensors`: rank, describe, broadcasting, element-wise add, matmul, flatten.

Inputs are made here in the parent with private seeds; the learner's results are
compared with the trusted reference in grader/reference/tensors.py.
"""

import numbers

import numpy as np

from nnlab.checks import (
    check,
    describe_value,
    expect_close,
    expect_equal,
    expect_raises,
    expect_unmodified,
    expect_value,
    fail,
    reference,
)

ref = reference("tensors")


# --- rank -------------------------------------------------------------------------------------


@check(
    "rank",
    weight=5,
    hint=(
        "The rank counts the axes of an array (a matrix has 2), not its elements, and not"
        " the length of the first axis alone."
    ),
)
def test_rank_counts_the_axes_of_arrays(learner):
    cases = [(np.zeros(shape),) for shape in [(), (5,), (7, 2), (0, 3), (2, 3, 4), (1, 1, 1, 1)]]
    for (x,), got in learner.each("rank", cases):
        expect_equal(got, ref.rank(x))


@check(
    "rank",
    weight=5,
    hint=(
        "A Python number (rank 0) or a nested list (rank 2 for a list of lists) has no "
        "shape of its own: make it an array first, then count its axes.",
        "The place: the first line of rank, before anything reads x's axes: x may be 3.5 "
        "or [[1.0], [2.0]], which have no .ndim and no .shape.",
        "Nearly the answer: make x a NumPy array (asarray), then return how many axes it has.",
    ),
)
def test_rank_of_python_numbers_and_lists(learner):
    inputs = [3.5, 7, np.float32(2.0), [1.0, 2.0, 3.0], [[1.0], [2.0]], [[[0.5, 1.5]]]]
    for (x,), got in learner.each("rank", [(x,) for x in inputs]):
        expect_equal(got, ref.rank(x))


# --- describe ---------------------------------------------------------------------------------


@check(
    "describe",
    weight=5,
    hint=(
        "All three facts are attributes of the array itself: its number of axes, its "
        'shape, and the name of its dtype (such as "float32").'
    ),
)
def test_describe_arrays_of_several_dtypes(learner):
    rng = np.random.default_rng(1201)
    inputs = [
        rng.normal(size=shape).astype(dtype)
        for shape, dtype in [
            ((2, 3), np.float32),
            ((4,), np.float64),
            ((2, 2, 2), np.int64),
            ((), np.float16),
            ((3, 0), np.float32),
        ]
    ]
    for (x,), got in learner.each("describe", [(x,) for x in inputs]):
        _expect_description(got, ref.describe(x))


@check(
    "describe",
    weight=4,
    hint=(
        "Describe the array NumPy makes from the input: a Python float becomes a 0-D "
        "array of float64 with an empty shape."
    ),
)
def test_describe_python_numbers_and_lists(learner):
    inputs = [2.5, [1.0, 2.0, 3.0], [[1.0, 2.0]], 3]
    for (x,), got in learner.each("describe", [(x,) for x in inputs]):
        _expect_description(got, ref.describe(x))


def _expect_description(outcome, expected: dict) -> None:
    """expect_equal, after a plain-words message for a dtype object in place of its name."""
    value = outcome.value
    if isinstance(value, dict) and "dtype" in value and not isinstance(value["dtype"], str):
        fail(
            f"describe(x)['dtype'] is {describe_value(value['dtype'])}, not a str; expected "
            f"{expected['dtype']!r}, the dtype's name: str(x.dtype).\n{outcome.input_text()}"
        )
    expect_equal(outcome, expected)


@check(
    "describe",
    weight=5,
    hint=(
        'The values must be plain Python: an int for "rank", a tuple of ints for "shape" '
        "and the dtype's name as a str for \"dtype\", not NumPy's dtype object."
    ),
)
def test_describe_returns_plain_python_types(learner):
    x = np.ones((2, 3), dtype=np.float32)
    outcome = learner.call("describe", x)
    value = outcome.value
    if not isinstance(value, dict):
        fail(f"describe(x) returned {describe_value(value)}; expected a dict.\nwith x = {x!r}")
    for key in ("rank", "shape", "dtype"):
        if key not in value:
            fail(f"describe(x) has no key {key!r}; keys are {sorted(map(str, value))}.")
    rank, shape, dtype = value["rank"], value["shape"], value["dtype"]
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral):
        fail(f"describe(x)['rank'] is {describe_value(rank)}; expected the int 2.")
    if type(shape) is not tuple or not all(
        isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in shape
    ):
        fail(f"describe(x)['shape'] is {describe_value(shape)}; expected the tuple (2, 3).")
    if not isinstance(dtype, str):
        fail(
            f"describe(x)['dtype'] is {describe_value(dtype)}; expected the str 'float32', "
            "NumPy's name for the dtype, not a dtype object or a type."
        )
    expect_equal(outcome, ref.describe(x))


# --- broadcast_shape --------------------------------------------------------------------------


@check(
    "broadcast_shape",
    weight=4,
    hint=("Axis by axis: equal lengths stay, and a length of 1 stretches to the other length."),
)
def test_broadcast_shape_of_shapes_with_the_same_rank(learner):
    cases = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 1, 5), (2, 3, 1)), ((1,), (6,))]
    for (a, b), got in learner.each("broadcast_shape", cases):
        expect_equal(got, ref.broadcast_shape(a, b))


@check(
    "broadcast_shape",
    weight=6,
    hint=(
        "The shapes line up on the RIGHT (the last axes face each other) and the shorter "
        "one is padded with 1s on the left; lining them up on the left is the usual "
        "mistake."
    ),
)
def test_broadcast_shape_aligns_trailing_axes(learner):
    cases = [
        ((8, 1, 6), (7, 1)),
        ((5, 4), (4,)),
        ((2, 3, 4), (4,)),
        ((3, 1), (4,)),
        ((6,), (4, 1, 1)),
        ((2, 3, 4), (3, 1)),
    ]
    for (a, b), got in learner.each("broadcast_shape", cases):
        expect_equal(got, ref.broadcast_shape(a, b))


@check(
    "broadcast_shape",
    after=("broadcast_shape_of_shapes_with_the_same_rank", "broadcast_shape_aligns_trailing_axes"),
    weight=3,
    hint=(
        "An empty shape is a scalar and fits anything; a length of 1 stretches even to 0,"
        " so the larger of the two lengths is not the rule."
    ),
)
def test_broadcast_shape_with_empty_shapes_and_zero_lengths(learner):
    cases = [((), (3, 2)), ((), ()), ((4,), ()), ((0,), (1,)), ((2, 1), (0,))]
    for (a, b), got in learner.each("broadcast_shape", cases):
        expect_equal(got, ref.broadcast_shape(a, b))


@check(
    "broadcast_shape",
    after=(
        "broadcast_shape_of_shapes_with_the_same_rank",
        "broadcast_shape_aligns_trailing_axes",
        "broadcast_shape_with_empty_shapes_and_zero_lengths",
    ),
    weight=5,
    hint=(
        "Two lengths that differ, with neither equal to 1, cannot be broadcast: that is a"
        " ValueError."
    ),
)
def test_broadcast_shape_raises_for_incompatible_shapes(learner):
    cases = [((3, 4), (3,)), ((2, 3), (3, 2)), ((4,), (5,)), ((2, 1, 3), (4, 2)), ((0,), (3,))]
    right, *refused = learner.call_many("broadcast_shape", [((5, 1), (3,)), *cases])
    valid = (right, lambda got: expect_equal(got, ref.broadcast_shape((5, 1), (3,))))
    for got in refused:
        expect_raises(got, "ValueError", valid=valid)


def _expect_refusals(learner, function: str, valid_case: tuple, cases: list, why: str) -> None:
    """``function(a, b)`` raises ValueError for each of ``cases``; ``valid_case``, sent first
    in the same round trip, must come out right (refusing alone earns nothing)."""
    right, *refused = learner.call_many(function, [valid_case, *cases])
    valid = (right, getattr(ref, function)(*valid_case))
    for outcome in refused:
        _expect_refused(outcome, why, valid)


def _expect_refused(outcome, why: str, valid: tuple) -> None:
    """ValueError expected; a returned result is reported by the input shapes, not values."""
    expect_value(*valid)
    if outcome.raised is None:
        a, b = (np.shape(arg) for arg in outcome.args)
        fail(
            f"{outcome.function}(a, b) returned a result for a of shape {a} and b of shape "
            f"{b}; expected ValueError, because {why}."
        )
    expect_raises(outcome, "ValueError", valid=valid)


# --- elementwise_add --------------------------------------------------------------------------


@check(
    "elementwise_add",
    weight=5,
    hint=(
        "Element-wise: each output element is the sum of the two elements at the same "
        "index, and the result has the inputs' shape."
    ),
)
def test_elementwise_add_matches_reference_on_varied_shapes(learner):
    rng = np.random.default_rng(1301)
    cases = [
        (rng.normal(size=shape), rng.normal(scale=10, size=shape))
        for shape in [(), (5,), (3, 4), (2, 3, 4)]
    ]
    for (a, b), got in learner.each("elementwise_add", cases):
        expect_close(got, ref.elementwise_add(a, b))


@check(
    "elementwise_add",
    weight=3,
    hint=(
        "Python numbers and lists are tensors too: they need to become arrays before they"
        " can be added element by element."
    ),
)
def test_elementwise_add_of_python_numbers_lists_and_float32(learner):
    rng = np.random.default_rng(1302)
    a32, b32 = (
        rng.normal(size=(4, 3)).astype(np.float32),
        rng.normal(size=(4, 3)).astype(np.float32),
    )
    cases = [
        (1.5, 2.25),
        ([[1.0, 2.0], [3.0, 4.0]], [[10.0, 20.0], [30.0, 40.0]]),
        (a32, b32),
    ]
    for (a, b), got in learner.each("elementwise_add", cases):
        expect_close(got, ref.elementwise_add(a, b))


@check(
    "elementwise_add",
    weight=5,
    hint=(
        "This function adds equal shapes only, and NumPy's addition would broadcast (3,) "
        "against (1, 3) or a number against a vector without a word: compare the shapes "
        "yourself first."
    ),
)
def test_elementwise_add_refuses_different_shapes(learner):
    rng = np.random.default_rng(1303)
    cases = [
        (rng.normal(size=shape_a), rng.normal(size=shape_b))
        for shape_a, shape_b in [
            ((3,), (1, 3)),
            ((2, 3), (3,)),
            ((), (3,)),
            ((4, 1), (4,)),
            ((2, 3), (3, 2)),
            ((3, 1), (3, 4)),  # same rank and broadcastable: comparing ndim is not enough
            ((1, 2, 3), (4, 2, 3)),
        ]
    ]
    valid = (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)))
    _expect_refusals(learner, "elementwise_add", valid, cases, "the shapes differ")


@check(
    "elementwise_add",
    weight=3,
    hint=(
        "An in-place addition writes the result into the caller's array; the sum belongs "
        "in a new array."
    ),
)
def test_elementwise_add_leaves_inputs_unmodified(learner):
    rng = np.random.default_rng(1304)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    expect_unmodified(learner.call("elementwise_add", a, b), ref.elementwise_add(a, b))


# --- broadcast_add ----------------------------------------------------------------------------


@check(
    "broadcast_add",
    weight=6,
    hint=(
        "Once both inputs are arrays, NumPy's addition broadcasts by itself; the result "
        "has the shape that broadcast_shape gives."
    ),
)
def test_broadcast_add_matches_reference_on_compatible_shapes(learner):
    rng = np.random.default_rng(1401)
    cases = [
        (rng.normal(size=shape_a), rng.normal(size=shape_b))
        for shape_a, shape_b in [
            ((3, 4), (4,)),
            ((3, 1), (1, 4)),
            ((2, 3, 4), (3, 1)),
            ((), (2, 2)),
            ((5,), ()),
            ((4, 1), (3,)),
            ((2, 3), (2, 3)),
        ]
    ]
    for (a, b), got in learner.each("broadcast_add", cases):
        expect_close(got, ref.broadcast_add(a, b))


@check(
    "broadcast_add",
    weight=2,
    hint="Python numbers and lists broadcast too, once they are arrays.",
)
def test_broadcast_add_of_python_numbers_and_lists(learner):
    cases = [([[0.0], [10.0], [20.0]], [1.0, 2.0]), (1.5, 2.5), ([1.0, 2.0, 3.0], 0.5)]
    for (a, b), got in learner.each("broadcast_add", cases):
        expect_close(got, ref.broadcast_add(a, b))


@check(
    "broadcast_add",
    weight=3,
    hint="Shapes that do not broadcast, such as (3, 4) against (3,), are a ValueError.",
)
def test_broadcast_add_raises_for_incompatible_shapes(learner):
    rng = np.random.default_rng(1403)
    shapes = [((3, 4), (3,)), ((2, 3), (3, 2)), ((4,), (5,))]
    cases = [(rng.normal(size=shape_a), rng.normal(size=shape_b)) for shape_a, shape_b in shapes]
    valid = (rng.normal(size=(3, 1)), rng.normal(size=(4,)))
    _expect_refusals(learner, "broadcast_add", valid, cases, "these shapes do not broadcast")


@check(
    "broadcast_add",
    weight=3,
    hint=(
        "An in-place addition writes into the caller's array (and cannot grow it when the"
        " other input is the bigger one); the sum belongs in a new array."
    ),
)
def test_broadcast_add_leaves_inputs_unmodified(learner):
    rng = np.random.default_rng(1404)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(4,))
    expect_unmodified(learner.call("broadcast_add", a, b), ref.broadcast_add(a, b))


# --- matmul -----------------------------------------------------------------------------------


@check(
    "matmul",
    weight=5,
    hint=(
        "A matrix product is not an element-wise product: output (i, j) is row i of a "
        "dotted with column j of b, so (n, k) times (k, m) gives (n, m)."
    ),
)
def test_matmul_matches_reference_on_varied_shapes(learner):
    rng = np.random.default_rng(1501)
    sizes = [(2, 3, 4), (1, 5, 1), (4, 4, 4), (5, 1, 3), (3, 2, 1)]
    cases = [(rng.normal(size=(n, k)), rng.normal(size=(k, m))) for n, k, m in sizes]
    for (a, b), got in learner.each("matmul", cases):
        expect_close(got, ref.matmul(a, b))


@check(
    "matmul",
    weight=2,
    hint=(
        "Nested lists and float32 arrays are valid inputs: they need to become arrays "
        "before the product."
    ),
)
def test_matmul_of_lists_and_float32(learner):
    rng = np.random.default_rng(1502)
    a, b = rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(4, 2)).astype(np.float32)
    cases = [
        ([[1.0, 2.0, 3.0]], [[1.0], [0.0], [-1.0]]),
        ([[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [1.0, 0.0]]),
        (a, b),
    ]
    for (left, right), got in learner.each("matmul", cases):
        expect_close(got, ref.matmul(left, right))


@check(
    "matmul",
    weight=4,
    hint=(
        "NumPy's matrix product also accepts vectors and stacks of matrices; the contract"
        " takes 2-D arrays only, so check the number of axes of both inputs first."
    ),
)
def test_matmul_refuses_inputs_that_are_not_2d(learner):
    rng = np.random.default_rng(1503)
    shapes = [((3,), (3, 2)), ((2, 3), (3,)), ((2, 2, 3), (3, 4)), ((), (2, 2)), ((4,), (4,))]
    cases = [(rng.normal(size=shape_a), rng.normal(size=shape_b)) for shape_a, shape_b in shapes]
    valid = (rng.normal(size=(2, 3)), rng.normal(size=(3, 4)))
    _expect_refusals(learner, "matmul", valid, cases, "matmul takes 2-D arrays only")


@check(
    "matmul",
    weight=3,
    hint=(
        "The inner lengths must agree: the columns of a and the rows of b; otherwise it "
        "is a ValueError."
    ),
)
def test_matmul_refuses_mismatched_inner_dimensions(learner):
    rng = np.random.default_rng(1504)
    shapes = [((2, 3), (2, 3)), ((4, 2), (3, 4)), ((1, 5), (4, 1))]
    cases = [(rng.normal(size=shape_a), rng.normal(size=shape_b)) for shape_a, shape_b in shapes]
    valid = (rng.normal(size=(4, 2)), rng.normal(size=(2, 3)))
    _expect_refusals(learner, "matmul", valid, cases, "a.shape[1] and b.shape[0] differ")


# --- batch_flatten ----------------------------------------------------------------------------


@check(
    "batch_flatten",
    weight=6,
    hint=(
        "The batch axis stays; each example's remaining axes are laid out in row-major "
        "(C) order, the order Keras' Flatten uses, without transposing anything."
    ),
)
def test_batch_flatten_matches_keras_flatten_on_varied_shapes(learner):
    rng = np.random.default_rng(1601)
    shapes = [(2, 3, 4), (5, 2, 2, 3), (1, 7, 1), (3, 6), (4, 1), (2, 3, 1, 2, 2)]
    cases = [(rng.normal(size=shape),) for shape in shapes]
    for (x,), got in learner.each("batch_flatten", cases):
        expect_close(got, ref.batch_flatten(x))


@check(
    "batch_flatten",
    weight=2,
    hint=("Nested lists and float32 arrays are valid inputs: they need to become arrays first."),
)
def test_batch_flatten_of_lists_and_float32(learner):
    x32 = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    cases = [([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]],), (x32,)]
    for (x,), got in learner.each("batch_flatten", cases):
        expect_close(got, ref.batch_flatten(x))


@check(
    "batch_flatten",
    weight=3,
    hint=(
        "A 1-D (or 0-D) input has no feature axis to keep: that is a ValueError, not an "
        "(N, 1) or (1, N) result."
    ),
)
def test_batch_flatten_refuses_1d_and_0d_inputs(learner):
    x = np.random.default_rng(1603).normal(size=(2, 3, 2))
    cases = [(x,), (np.arange(5.0),), (3.0,), ([1.0, 2.0],)]
    right, *refused = learner.call_many("batch_flatten", cases)
    for got in refused:
        expect_raises(got, "ValueError", valid=(right, ref.batch_flatten(x)))


@check(
    "batch_flatten",
    weight=3,
    hint=(
        "Setting an array's shape attribute reshapes the caller's array itself; a "
        "reshaped copy or view leaves it alone."
    ),
)
def test_batch_flatten_leaves_input_unmodified(learner):
    x = np.random.default_rng(1604).normal(size=(3, 2, 5))
    expect_unmodified(learner.call("batch_flatten", x), ref.batch_flatten(x))
