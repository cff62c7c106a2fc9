"""Hidden checks for the `optimizers` exercise: mini-batches, SGD and RMSprop.

`minibatches` is judged by its properties, not against one particular shuffle: every
example once, rows of x and y together, batch sizes, reproducible seeds, order kept for
seed=None. To see which example went where, row i of x and of y both carry the number i.
The updates are compared with grader/reference/optimizers.py, which tests/ proves against
`keras.optimizers.SGD` and `keras.optimizers.RMSprop`.
"""

from __future__ import annotations

import numpy as np

from nnlab.checks import (
    as_numeric_array,
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

ref = reference("optimizers")

# --- minibatches -------------------------------------------------------------------------------


def _numbered(n: int, x_tail: tuple[int, ...] = (3,), y_tail: tuple[int, ...] = ()):
    """x (n, *x_tail) and y (n, *y_tail) whose row i starts with the number i."""
    rng = np.random.default_rng(8000 + n)
    x = rng.normal(size=(n, *x_tail))
    y = rng.normal(size=(n, *y_tail))
    x.reshape(n, -1)[:, 0] = np.arange(n)
    y.reshape(n, -1)[:, 0] = np.arange(n)
    return x, y


def _ids(array: np.ndarray) -> list[int]:
    return [int(v) for v in np.rint(array.reshape(len(array), -1)[:, 0])] if len(array) else []


def _batches(outcome) -> list[tuple[np.ndarray, np.ndarray]]:
    """The returned batches as arrays, or a failure that says how the result is malformed."""
    value = outcome.value
    call = outcome.call_text
    if not isinstance(value, (list, tuple)):
        fail(
            f"{call} returned {describe_value(value)}; expected a list of (x_batch, y_batch) "
            "tuples (a generator cannot be graded: build and return a list)."
        )
    batches = []
    for position, batch in enumerate(value):
        if not isinstance(batch, (list, tuple)) or len(batch) != 2:
            fail(
                f"{call}: batch {position} is {describe_value(batch)}; expected a tuple "
                "(x_batch, y_batch)."
            )
        batches.append(
            tuple(
                _batch_array(part, name, position, call)
                for part, name in zip(batch, "xy", strict=True)
            )
        )
    return batches


def _batch_array(value, name: str, position: int, call: str) -> np.ndarray:
    array = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple)) else None
    if array is None or array.dtype.kind not in "biuf" or array.ndim == 0:
        fail(
            f"{call}: {name}_batch of batch {position} is {describe_value(value)}; expected an "
            f"array of rows of {name}."
        )
    return array


def _order(outcome) -> list[int]:
    """Example numbers in the order the batches hold them (x's numbering)."""
    return [i for x_batch, _ in _batches(outcome) for i in _ids(x_batch)]


def _call(learner, x, y, batch_size, seed, how: str = "position"):
    """minibatches(x, y, batch_size, seed); `how` = "name" passes batch_size= and seed=,
    "default" leaves seed out (its default is None)."""
    return _calls(learner, [(x, y, batch_size, seed, how)])[0]


def _calls(learner, cases):
    """:func:`_call` for each (x, y, batch_size, seed, how), in one round trip."""
    calls = []
    for x, y, batch_size, seed, how in cases:
        if how == "name":
            calls.append(((x, y), {"batch_size": batch_size, "seed": seed}))
        elif how == "default":
            calls.append(((x, y, batch_size), {}))
        else:
            calls.append(((x, y, batch_size, seed), {}))
    return learner.calls("minibatches", calls)


def _where(x, batch_size, seed) -> str:
    return f"minibatches(x of shape {x.shape}, y, batch_size={batch_size}, seed={seed})"


CASES = [(10, 3, None), (10, 3, 7), (64, 16, 1), (1, 4, None), (37, 5, 3), (12, 4, 11), (5, 1, 2)]


@check(
    "minibatches",
    weight=2,
    hint=(
        "Every example in exactly one batch: cut ONE shuffled order of the N row numbers "
        "into consecutive pieces of batch_size."
    ),
)
def test_minibatches_returns_every_example_exactly_once(learner):
    cases = [(*_numbered(n), batch_size, seed) for n, batch_size, seed in CASES]
    for (x, _, batch_size, seed), outcome in learner.each("minibatches", cases):
        n = len(x)
        order = _order(outcome)
        counts = np.bincount(np.clip(order, 0, n), minlength=n + 1)[:n] if order else np.zeros(n)
        if len(order) != n or not (counts == 1).all():
            missing = [i for i in range(n) if counts[i] == 0]
            repeated = [i for i in range(n) if counts[i] > 1]
            fail(
                f"{_where(x, batch_size, seed)} returned {len(order)} examples in total; "
                f"expected each of the {n} exactly once"
                f"{f' (missing rows {missing[:8]})' if missing else ''}"
                f"{f' (repeated rows {repeated[:8]})' if repeated else ''}."
            )


@check(
    "minibatches",
    weight=3,
    hint=(
        "x and y must be reordered by the SAME shuffled row numbers: two separate "
        "shuffles pair examples with the wrong targets."
    ),
)
def test_minibatches_keeps_rows_of_x_and_y_together(learner):
    layouts = [((3,), ()), ((2, 3), (1,)), ((4,), (2,))]  # x (N, 3)/y (N,), images, one-hot-ish
    cases = [
        (*_numbered(23, x_tail, y_tail), 4, seed)
        for seed in (0, 5, 123)
        for x_tail, y_tail in layouts
    ]
    for (x, y, _, seed), outcome in learner.each("minibatches", cases):
        for position, (x_batch, y_batch) in enumerate(_batches(outcome)):
            where = f"{_where(x, 4, seed)} with y of shape {y.shape}, batch {position}"
            if x_batch.shape[1:] != x.shape[1:] or y_batch.shape[1:] != y.shape[1:]:
                fail(
                    f"{where}: x_batch has shape {x_batch.shape} and y_batch {y_batch.shape}; "
                    f"each should keep the shape of one row, {x.shape[1:]} and {y.shape[1:]}."
                )
            if len(x_batch) != len(y_batch):
                fail(f"{where}: {len(x_batch)} rows of x but {len(y_batch)} of y.")
            x_ids, y_ids = _ids(x_batch), _ids(y_batch)
            if x_ids != y_ids:
                fail(
                    f"{where} holds rows {x_ids} of x but rows {y_ids} of y; "
                    "each example must keep its own target."
                )
            if x_ids and (
                not np.array_equal(x_batch, x[x_ids]) or not np.array_equal(y_batch, y[x_ids])
            ):
                fail(f"{where}: the rows are not copied whole from x and y.")


@check(
    "minibatches",
    after=(
        "minibatches_returns_every_example_exactly_once",
        "minibatches_with_a_seed_mix_examples_across_batches",
    ),
    weight=2,
    hint=(
        "Batches hold batch_size examples and the last holds what is left: never drop the"
        " last, smaller batch."
    ),
)
def test_minibatches_have_batch_size_rows_except_a_smaller_last_one(learner):
    more = [(10, 5, None), (100, 32, 4), (7, 7, 1), (13, 6, None)]
    cases = [(*_numbered(n), batch_size, seed) for n, batch_size, seed in [*CASES, *more]]
    for (x, _, batch_size, seed), outcome in learner.each("minibatches", cases):
        n = len(x)
        sizes = [len(x_batch) for x_batch, _ in _batches(outcome)]
        expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
        if sizes != expected:
            dropped = sizes == expected[:-1] and n % batch_size
            fail(
                f"{_where(x, batch_size, seed)} gave batches of sizes {sizes}; expected "
                f"{expected}{': the last, smaller batch was dropped' if dropped else ''}."
            )


@check(
    "minibatches",
    weight=2,
    hint=(
        "With seed=None there is no shuffle at all: the batches are consecutive slices of"
        " x and y in their original order."
    ),
)
def test_minibatches_with_seed_none_keep_the_original_order(learner):
    cases = []
    for n, batch_size in [(10, 3), (50, 8), (6, 6)]:
        how = "default" if n == 50 else "position"  # seed left out once: it defaults to None
        cases.append((*_numbered(n), batch_size, None, how))
    for (x, _, batch_size, _, _), outcome in zip(cases, _calls(learner, cases), strict=True):
        n, order = len(x), _order(outcome)
        if order != list(range(n)):
            fail(
                f"{_where(x, batch_size, None)} returned the rows in the order {order[:12]}"
                f"{'...' if len(order) > 12 else ''}; expected rows 0, 1, ..., {n - 1} in "
                "their original order (no shuffling without a seed)."
            )


@check(
    "minibatches",
    weight=2,
    hint=(
        "All randomness must come from a generator made from the seed, so that the same "
        "seed always gives the same order."
    ),
)
def test_minibatches_same_seed_gives_the_same_order(learner):
    x, y = _numbered(40)
    outcomes = _calls(learner, [(x, y, 8, seed, "position") for seed in (0, 0, 42, 42)])
    for seed, first, second in [(0, *outcomes[:2]), (42, *outcomes[2:])]:
        first, second = _order(first), _order(second)
        if first != second:
            fail(
                f"{_where(x, 8, seed)} gave two different orders on two calls: "
                f"{first[:10]}... then {second[:10]}...; the same seed must give the same order."
            )


@check(
    "minibatches",
    after=(
        "minibatches_returns_every_example_exactly_once",
        "minibatches_with_a_seed_mix_examples_across_batches",
    ),
    weight=2,
    hint=(
        "With a seed the examples are shuffled, and the seed chooses the order: a fixed "
        "or global generator ignores it."
    ),
)
def test_minibatches_shuffle_differently_for_different_seeds(learner):
    x, y = _numbered(50)
    orders = {}
    outcomes = _calls(learner, [(x, y, 10, seed, "name") for seed in (0, 1, 2)])
    for seed, outcome in zip((0, 1, 2), outcomes, strict=True):
        order = _order(outcome)
        if order == list(range(50)):
            fail(
                f"{_where(x, 10, seed)} kept the original order; with a seed the "
                "examples must be shuffled."
            )
        for other, other_order in orders.items():
            if order == other_order:
                fail(
                    f"minibatches gave the same order for seed={other} and seed={seed} "
                    f"(x of shape {x.shape}); the seed must choose the shuffle."
                )
        orders[seed] = order


@check(
    "minibatches",
    hint=(
        "Shuffle the EXAMPLES, not the order of the batches or the rows inside each "
        "batch: a shuffle must mix examples across batches."
    ),
)
def test_minibatches_with_a_seed_mix_examples_across_batches(learner):
    x, y = _numbered(50)
    chunks = {frozenset(range(start, start + 10)) for start in range(0, 50, 10)}
    outcomes = _calls(learner, [(x, y, 10, seed, "position") for seed in (0, 1, 2)])
    for seed, outcome in zip((0, 1, 2), outcomes, strict=True):
        batches = _batches(outcome)
        groups = {frozenset(_ids(x_batch)) for x_batch, _ in batches}
        if groups == chunks:
            fail(
                f"{_where(x, 10, seed)} kept rows 0-9, 10-19, ... together in the same batches "
                "as without a seed; a shuffle should mix examples across batches."
            )


@check(
    "minibatches",
    hint="When batch_size is at least N there is one batch holding all the examples.",
)
def test_minibatches_one_batch_when_batch_size_covers_everything(learner):
    x, y = _numbered(9)
    settings = [(9, None), (20, None), (9, 3), (1000, 8)]
    outcomes = _calls(learner, [(x, y, size, seed, "position") for size, seed in settings])
    for (batch_size, seed), outcome in zip(settings, outcomes, strict=True):
        batches = _batches(outcome)
        ids = sorted(_ids(batches[0][0])) if len(batches) == 1 else []
        if len(batches) != 1 or ids != list(range(9)):
            fail(
                f"{_where(x, batch_size, seed)} returned {len(batches)} batches of sizes "
                f"{[len(b[0]) for b in batches]}; expected one batch holding all 9 examples."
            )


@check(
    "minibatches",
    after=(
        "minibatches_returns_every_example_exactly_once",
        "minibatches_keeps_rows_of_x_and_y_together",
        "minibatches_have_batch_size_rows_except_a_smaller_last_one",
        "minibatches_with_seed_none_keep_the_original_order",
    ),
    hint=(
        "Shuffling x or y in place reorders the caller's arrays: shuffle row numbers and "
        "pick rows with them instead."
    ),
)
def test_minibatches_leave_x_and_y_unmodified(learner):
    x, y = _numbered(30, (2,), (1,))
    for seed in (None, 4):
        expect_unmodified(
            _call(learner, x, y, 7, seed), lambda got, seed=seed: _judge_batches(got, x, y, 7, seed)
        )


def _judge_batches(outcome, x, y, batch_size: int, seed) -> None:
    """The batches of ``outcome`` are right: sizes of batch_size (a smaller last one), every
    example once with its own target, in the original order when seed is None."""
    n = len(x)
    batches = _batches(outcome)
    sizes = [len(x_batch) for x_batch, _ in batches]
    expected = [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])
    order = [i for x_batch, _ in batches for i in _ids(x_batch)]
    in_order = seed is not None or order == list(range(n))
    if sizes != expected or sorted(order) != list(range(n)) or not in_order:
        fail(
            f"{_where(x, batch_size, seed)} gave batches of sizes {sizes} holding rows "
            f"{order[:12]}{'...' if len(order) > 12 else ''}; expected sizes {expected} "
            f"holding each of the {n} rows once{' in order' if seed is None else ''}."
        )
    for position, (x_batch, y_batch) in enumerate(batches):
        ids = _ids(x_batch)
        if not np.array_equal(x_batch, x[ids]) or not np.array_equal(y_batch, y[ids]):
            fail(
                f"{_where(x, batch_size, seed)}: batch {position} is not rows {ids} of x and of y."
            )


@check(
    "minibatches",
    after=(
        "minibatches_returns_every_example_exactly_once",
        "minibatches_keeps_rows_of_x_and_y_together",
        "minibatches_have_batch_size_rows_except_a_smaller_last_one",
    ),
    hint=(
        "x and y may be nested Python lists, which cannot be indexed by a list of row "
        "numbers: make them arrays first."
    ),
)
def test_minibatches_accept_lists(learner):
    x, y = _numbered(11, (2,), ())
    for seed in (None, 3):
        outcome = _call(learner, x.tolist(), y.tolist(), 4, seed)
        batches = _batches(outcome)
        where = f"minibatches(x as a list of {len(x)} rows, y as a list, batch_size=4, seed={seed})"
        sizes = [len(x_batch) for x_batch, _ in batches]
        order = [i for x_batch, _ in batches for i in _ids(x_batch)]
        if sizes != [4, 4, 3] or sorted(order) != list(range(11)):
            fail(
                f"{where} gave batches of sizes {sizes} holding rows {order}; expected sizes "
                "[4, 4, 3] holding each of the 11 rows once."
            )
        for position, (x_batch, y_batch) in enumerate(batches):
            ids, y_ids = _ids(x_batch), _ids(y_batch)
            if y_ids != ids:
                fail(
                    f"{where}: batch {position} holds rows {ids} of x but rows {y_ids} of y; "
                    "each example must keep its own target."
                )
            if (
                x_batch.shape != (len(ids), 2)
                or y_batch.shape != (len(ids),)
                or not np.array_equal(x_batch, x[ids])
                or not np.array_equal(y_batch, y[ids])
            ):
                fail(
                    f"{where}: batch {position} should be rows {ids} of x, shape "
                    f"({len(ids)}, 2), and of y, shape ({len(ids)},); got x_batch of shape "
                    f"{x_batch.shape} and y_batch of shape {y_batch.shape}."
                )


def _expect_sgd(learner, expected, param, grad, *learning_rate, by_name=False) -> None:
    """sgd_update(param, grad[, learning_rate]) returns `expected`; the call on one line.

    With `by_name` the learning rate is passed as `learning_rate=`, the contract's name.
    """
    if by_name:
        outcome = learner.call("sgd_update", param, grad, learning_rate=learning_rate[0])
    else:
        outcome = learner.call("sgd_update", param, grad, *learning_rate)
    value = outcome.value  # a learner's exception or NotImplementedError stops here
    rtol, atol = _tolerances(outcome, None, None)

    def call() -> str:  # made for a failure only
        arguments = [brief(param), brief(grad), *(f"learning_rate={r:g}" for r in learning_rate)]
        return f"sgd_update({', '.join(arguments)})"

    expect_close(value, expected, rtol=rtol, atol=atol, what=call, inputs=outcome)


def _expect_sgd_for_this_input_type(learner, expected, param, grad, learning_rate) -> None:
    """`_expect_sgd` for numbers, lists or float32 arrays; a wrong formula is named as such."""
    formula_first(
        lambda *values: _expect_sgd(learner, expected, *values, learning_rate), param, grad
    )


# --- sgd_update --------------------------------------------------------------------------------


@check(
    "sgd_update",
    weight=3,
    hint=(
        "One step AGAINST the gradient, learning_rate times the gradient long: adding it "
        "climbs the loss."
    ),
)
def test_sgd_update_steps_against_the_gradient(learner):
    rng = np.random.default_rng(8101)
    for shape, learning_rate in [((), 0.1), ((5,), 0.5), ((3, 4), 1e-3), ((2, 3, 4), 0.05)]:
        param, grad = rng.normal(size=shape), rng.normal(size=shape)
        expected = ref.sgd_update(param.copy(), grad.copy(), learning_rate)
        _expect_sgd(learner, expected, param, grad, learning_rate, by_name=len(shape) == 3)


@check("sgd_update", hint="The default learning rate is 0.01.")
def test_sgd_update_default_learning_rate_is_0_01(learner):
    rng = np.random.default_rng(8102)
    param, grad = rng.normal(size=(4, 3)), rng.normal(scale=5.0, size=(4, 3))
    _expect_sgd(learner, ref.sgd_update(param, grad), param, grad)


@check(
    "sgd_update",
    weight=2,
    hint=(
        "An in-place update changes the caller's array; the new parameters belong in a new array."
    ),
)
def test_sgd_update_leaves_param_and_grad_unmodified(learner):
    rng = np.random.default_rng(8103)
    param, grad = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    expect_unmodified(
        learner.call("sgd_update", param, grad, 0.1), ref.sgd_update(param.copy(), grad.copy(), 0.1)
    )


@check(
    "sgd_update",
    hint=(
        "param and grad may be plain numbers, lists or float32 arrays: make them float "
        "arrays first (a copy of an int list stays int and truncates 2.5 to 2)."
    ),
)
def test_sgd_update_accepts_numbers_lists_and_float32(learner):
    _expect_sgd_for_this_input_type(learner, 0.95, 1.0, 0.5, 0.1)
    _expect_sgd_for_this_input_type(learner, [0.0, 3.0], [1.0, 2.0], [10.0, -10.0], 0.1)
    _expect_sgd_for_this_input_type(learner, 2.5, 3, 1, 0.5)  # Python ints
    _expect_sgd_for_this_input_type(learner, [0.5, -2.5, 0.25], [1, -2, 0], [2, 2, -1], 0.25)
    param = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    grad = np.full((2, 3), 0.25, dtype=np.float32)
    _expect_sgd_for_this_input_type(learner, ref.sgd_update(param, grad, 0.2), param, grad, 0.2)


# --- rmsprop_update ----------------------------------------------------------------------------


def _param_and_velocity(outcome, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    value = outcome.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(
            f"{outcome.call_text} returned {describe_value(value)}; expected a tuple "
            "(new_param, new_velocity)."
        )
    new_param = as_numeric_array(value[0], f"new_param of {outcome.call_text}", shape)
    new_velocity = as_numeric_array(value[1], f"new_velocity of {outcome.call_text}", shape)
    return new_param, new_velocity


def _expect_rmsprop(outcome, expected, where: str, hint: str = "") -> tuple:
    """Compare both returned arrays with the reference's; return them (to feed back)."""
    expected_param, expected_velocity = expected
    new_param, new_velocity = _param_and_velocity(outcome, expected_param.shape)
    rtol, atol = _tolerances(outcome, None, None)
    expect_close(
        new_velocity,
        expected_velocity,
        rtol=rtol,
        atol=atol,
        what=f"new_velocity {where}",
        hint=hint,
        inputs=outcome,
    )
    expect_close(
        new_param,
        expected_param,
        rtol=rtol,
        atol=atol,
        what=f"new_param {where}",
        hint=hint,
        inputs=outcome,
    )
    return new_param, new_velocity


@check(
    "rmsprop_update",
    weight=2,
    hint=(
        "The velocity is a decaying average of squared gradients, and the step divides "
        "the gradient by the square root of the NEW velocity (plus epsilon), not the old "
        "one."
    ),
)
def test_rmsprop_update_one_step_matches_keras_rule(learner):
    rng = np.random.default_rng(8201)
    settings = {"learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-6}
    calls = []
    for shape in [(), (5,), (3, 4), (2, 2, 3)]:
        param, grad = rng.normal(size=shape), rng.normal(size=shape)
        calls.append(((param, grad, rng.uniform(0.0, 2.0, size=shape)), settings))
    for (args, _), outcome in zip(calls, learner.calls("rmsprop_update", calls), strict=True):
        expected = ref.rmsprop_update(*args, **settings)
        _expect_rmsprop(outcome, expected, f"after one step on shape {np.shape(args[0])}")


@check(
    "rmsprop_update",
    after=(
        "rmsprop_update_one_step_matches_keras_rule",
        "rmsprop_update_puts_epsilon_inside_the_square_root",
        "rmsprop_update_honours_rho",
    ),
    weight=3,
    hint=(
        "Over several steps the velocity carries from call to call: the caller feeds each"
        " new_velocity back, starting from zeros; each call decays the old average by rho"
        " and adds the new squared gradient with weight 1 - rho."
    ),
)
def test_rmsprop_update_tracks_keras_over_several_steps(learner):
    rng = np.random.default_rng(8202)
    param = rng.normal(size=(3, 4))
    velocity = np.zeros((3, 4))
    mine = (param, velocity)
    theirs = (param, velocity)
    for step in range(1, 9):
        grad = rng.normal(scale=10.0 ** rng.uniform(-2, 1), size=(3, 4))
        mine = ref.rmsprop_update(mine[0], grad, mine[1], learning_rate=0.01)
        outcome = learner.call("rmsprop_update", theirs[0], grad, theirs[1], learning_rate=0.01)
        theirs = _expect_rmsprop(outcome, mine, f"at step {step} of 8 (velocity fed back)")


@check(
    "rmsprop_update",
    after=(
        "rmsprop_update_one_step_matches_keras_rule",
        "rmsprop_update_puts_epsilon_inside_the_square_root",
        "rmsprop_update_honours_epsilon",
        "rmsprop_update_honours_rho",
    ),
    hint="Keras' defaults: learning_rate=0.001, rho=0.9, epsilon=1e-7.",
)
def test_rmsprop_update_uses_keras_defaults(learner):
    rng = np.random.default_rng(8203)
    param = rng.normal(scale=0.01, size=(8,))
    grad = rng.normal(scale=1e-3, size=(8,))
    velocity = rng.uniform(0.0, 2e-7, size=(8,))  # small enough for epsilon to count
    outcome = learner.call("rmsprop_update", param, grad, velocity)
    _expect_rmsprop(outcome, ref.rmsprop_update(param, grad, velocity), "with default settings")


@check(
    "rmsprop_update",
    weight=2,
    hint=(
        "Keras adds epsilon INSIDE the square root, to the velocity; added after the "
        "root, it makes the steps of tiny gradients about ten times too large."
    ),
)
def test_rmsprop_update_puts_epsilon_inside_the_square_root(learner):
    param = np.array([0.5, -0.5, 0.0, 1.0])
    grad = np.array([1e-4, -1e-4, 3e-4, -2e-5])
    velocity = np.zeros(4)
    expected = ref.rmsprop_update(param, grad, velocity, learning_rate=0.1)
    outcome = learner.call("rmsprop_update", param, grad, velocity, learning_rate=0.1)
    _expect_rmsprop(outcome, expected, "for tiny gradients (about 1e-4) with epsilon=1e-7")


@check(
    "rmsprop_update",
    after=(
        "rmsprop_update_one_step_matches_keras_rule",
        "rmsprop_update_puts_epsilon_inside_the_square_root",
    ),
    hint="Use the epsilon you are given (1e-7 by default), not a fixed 1e-7.",
)
def test_rmsprop_update_honours_epsilon(learner):
    param = np.array([0.5, -0.5, 0.0, 1.0])
    grad = np.array([1e-4, -1e-4, 3e-4, -2e-5])  # v + epsilon is mostly epsilon here
    velocity = np.zeros(4)
    for epsilon in (1e-4, 1e-9):
        expected = ref.rmsprop_update(param, grad, velocity, 0.1, 0.9, epsilon)
        outcome = learner.call(
            "rmsprop_update", param, grad, velocity, learning_rate=0.1, epsilon=epsilon
        )
        _expect_rmsprop(outcome, expected, f"for tiny gradients with epsilon={epsilon:g}")


@check(
    "rmsprop_update",
    weight=2,
    hint=(
        "Use the rho you are given: the old velocity decays by rho, and the new squared "
        "gradient enters with weight 1 - rho (not the other way round)."
    ),
)
def test_rmsprop_update_honours_rho(learner):
    rng = np.random.default_rng(8205)
    param, grad = rng.normal(size=(6,)), rng.normal(size=(6,))
    velocity = rng.uniform(0.5, 3.0, size=(6,))
    rhos = (0.5, 0.99, 0.0)
    cases = [(param, grad, velocity, 0.01, rho) for rho in rhos]
    for (*_, rho), outcome in learner.each("rmsprop_update", cases):
        expected = ref.rmsprop_update(param, grad, velocity, 0.01, rho)
        _expect_rmsprop(outcome, expected, f"with rho={rho}")


@check(
    "rmsprop_update",
    hint=(
        "Return (new_param, new_velocity), both shaped like param and of floats, also for"
        " Python numbers and lists of ints."
    ),
)
def test_rmsprop_update_returns_param_and_velocity_shaped_like_param(learner):
    cases = [
        (2.0, 0.5, 0.0),
        ([1, -1, 2], [1, 2, -3], [0, 0, 0]),  # Python ints: velocity starts as int zeros
        ([1.0, -1.0, 0.5], [0.1, 0.2, -0.3], [0.0, 0.0, 0.0]),
        (
            np.ones((2, 3), np.float32),
            np.full((2, 3), 0.5, np.float32),
            np.zeros((2, 3), np.float32),
        ),
        (np.ones((1, 4)), np.full((1, 4), -0.25), np.full((1, 4), 0.01)),
    ]
    for (param, grad, velocity), outcome in learner.each("rmsprop_update", cases):
        shape = np.shape(param)
        new_param, new_velocity = _param_and_velocity(outcome, shape)
        for name, array in (("new_param", new_param), ("new_velocity", new_velocity)):
            if array.shape != shape:
                fail(
                    f"{name} from rmsprop_update(param of shape {shape}, ...) has shape "
                    f"{array.shape}; expected {shape}, the shape of param."
                )
        _expect_rmsprop(
            outcome,
            ref.rmsprop_update(param, grad, velocity),
            f"for param={brief(param)}, grad={brief(grad)}, velocity={brief(velocity)}",
        )


@check(
    "rmsprop_update",
    weight=2,
    hint=(
        "Updating velocity or param in place changes the caller's arrays: the new ones "
        "belong in new arrays."
    ),
)
def test_rmsprop_update_leaves_param_grad_and_velocity_unmodified(learner):
    rng = np.random.default_rng(8207)
    param, grad = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    velocity = rng.uniform(0.1, 1.0, size=(4, 2))
    expected = ref.rmsprop_update(param.copy(), grad.copy(), velocity.copy())
    expect_unmodified(
        learner.call("rmsprop_update", param, grad, velocity),
        lambda got: _expect_rmsprop(got, expected, "with default settings"),
    )
