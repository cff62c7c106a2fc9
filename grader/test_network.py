"""Hidden checks for `network`: a two-layer relu/sigmoid network trained by hand.

Every input is made here, in the parent, from fixed private seeds. Parameters sent to the
learner's `forward`, `loss_and_gradients` and `predict` come from the parent too, so each
function is judged on its own. Gradients are compared with central finite differences of the
parent's own loss; `train` is judged by the parent's accuracy on held-out points whose labels
never cross into the learner's process.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from nnlab.checks import (
    CheckFailed,
    LearnerError,
    as_numeric_array,
    call_with_values,
    check,
    describe_value,
    expect_close,
    expect_equal,
    expect_unmodified,
    fail,
    read_only,
    reference,
    tolerances,
)

ref = reference("network")
KEYS = ("W1", "b1", "W2", "b2")

# Relative error (CS231n: max |a-b| / max(1e-8, |a|+|b|)) allowed between the learner's
# gradients and central finite differences (step 1e-5) of the reference loss. Measured with
# the model answer over 160 random networks (N 1-10, d 2-4, h 2-8): median 8e-11, worst
# 1.1e-7. A missing 1/N, a relu mask on the wrong array or a transposed gradient gives
# errors of order 0.1-1, four orders of magnitude above the bound.
GRADIENT_BOUND = 1e-5

# Accuracy `train` must reach, at its default arguments, on held-out points of the hidden
# two-ring data set (grader/reference/network.py: make_dataset; 400 training + 400 test
# points). Chosen by benchmarks/network_threshold.py over 20 data seeds: every correct
# implementation tried (full-batch gradient descent from N(0, 0.5²), N(0, 1), N(0, 0.1²),
# N(0, 0.01²), He, Glorot normal/uniform; mini-batches of 32) scored at least 0.990 (median
# 0.998-1.000), a margin of 0.09 above the threshold; a linear model (no hidden layer, or
# the relu left out) scored at most 0.672 and an untrained network at most 0.525.
ACCURACY_THRESHOLD = 0.90
DATA_SEED = 1013  # one of the swept seeds
N_TRAIN = 400

# Each train call's time limit, in seconds of CPU time of the child (the wall clock, which 40
# busy processes on two cores stretch ~20x, only guards against a hang: nnlab.checks.Learner).
# The 200-epoch call takes ~2 s in the loop-by-loop answer (tests/loop_answers), ~0.015 s in a
# vectorised one.
TRAIN_TIMEOUT = 60


def _short(value: Any) -> str:
    """An argument in a message: params by their sizes, arrays by their shapes."""
    if isinstance(value, dict) and "W1" in value:
        d, h = np.shape(value["W1"])
        return f"<params d={d}, h={h}>"
    if isinstance(value, np.ndarray):
        dtype = "" if value.dtype == np.float64 else f", {value.dtype}"
        return f"<array {value.shape}{dtype}>"
    if isinstance(value, list):
        return f"<list of {len(value)} rows>"
    return repr(value)


def call_text(outcome: Any) -> str:
    """`forward(params=<params d=3, h=4>, x=<array (8, 3)>)`: the call with its sizes."""
    return call_with_values(outcome, _short)


def expect_output(outcome: Any, expected: Any, *, exact: bool = False) -> None:
    """The returned array equals `expected` (float32 inputs get the looser tolerance)."""
    value = outcome.value  # a learner's exception or NotImplementedError stops here
    rtol, atol = (0.0, 0.0) if exact else tolerances(outcome, None, None)
    expect_close(value, expected, rtol=rtol, atol=atol, what=call_text(outcome), inputs=outcome)


def expect_quiet(outcome: Any) -> None:
    """No warning (overflow in exp, divide by zero in log) during the call."""
    _ = outcome.value
    if outcome.warnings:
        first = outcome.warnings[0]
        fail(f"{call_text(outcome)} emitted {first['category']}: {first['message']}.")


def random_params(rng: np.random.Generator, d: int, h: int, scale: float = 1.0) -> dict:
    """A network with non-zero biases, so that `x @ W1` and `z1` differ."""
    return {
        "W1": rng.normal(0.0, scale, size=(d, h)),
        "b1": rng.normal(0.0, 0.5, size=h),
        "W2": rng.normal(0.0, scale, size=(h, 1)),
        "b2": rng.normal(0.0, 0.5, size=1),
    }


def labels(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 2, size=(n, 1)).astype(np.float64)


def expect_params(value: Any, call: str, n_in: int, n_hidden: int) -> dict[str, np.ndarray]:
    """A dict with exactly W1 (d, h), b1 (h,), W2 (h, 1), b2 (1,) of finite floats."""
    if not isinstance(value, dict):
        fail(f"{call} returned {describe_value(value)}; expected a dict with keys {list(KEYS)}.")
    if set(value) != set(KEYS):
        fail(
            f"{call} returned a dict with keys {sorted(map(str, value))}; "
            f"expected exactly {list(KEYS)}."
        )
    shapes = {"W1": (n_in, n_hidden), "b1": (n_hidden,), "W2": (n_hidden, 1), "b2": (1,)}
    arrays = {}
    for key in KEYS:
        array = np.asarray(value[key])
        if array.shape != shapes[key]:
            advice = " (transposed?)" if array.shape == shapes[key][::-1] else ""
            fail(
                f"{call}[{key!r}] has shape {array.shape}; expected {shapes[key]}{advice} "
                f"for n_in={n_in}, n_hidden={n_hidden}."
            )
        if array.dtype.kind != "f":
            fail(f"{call}[{key!r}] has dtype {array.dtype}; expected float64.")
        if not np.isfinite(array).all():
            fail(f"{call}[{key!r}] holds NaN or inf values.")
        arrays[key] = array
    return arrays


def split_result(outcome: Any) -> tuple[float, dict]:
    """(loss, grads) from a loss_and_gradients outcome, with a message if it is not that."""
    value = outcome.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(
            f"{call_text(outcome)} returned {describe_value(value)}; expected a pair (loss, grads)."
        )
    loss, grads = value
    if np.ndim(loss) != 0 or not np.issubdtype(np.asarray(loss).dtype, np.number):
        fail(f"{call_text(outcome)} returned loss {describe_value(loss)}; expected one number.")
    if not isinstance(grads, dict):
        fail(f"{call_text(outcome)} returned grads {describe_value(grads)}; expected a dict.")
    return float(loss), grads


def expect_loss_and_gradients(outcome: Any, params: dict, x: Any, y: Any) -> None:
    """The loss and every gradient of ``outcome`` equal the reference's."""
    loss, grads = split_result(outcome)
    expected_loss, expected = ref.loss_and_gradients(params, x, y)
    expect_close(loss, expected_loss, what=f"the loss of {call_text(outcome)}", inputs=outcome)
    grads = expect_params(grads, f"the grads of {call_text(outcome)}", *np.shape(params["W1"]))
    for key in KEYS:
        expect_close(
            grads[key],
            expected[key],
            what=f"grads[{key!r}] of {call_text(outcome)}",
            inputs=outcome,
        )


def expect_params_unmodified(learner: Any, outcome: Any) -> None:
    """The call behind `outcome` left the caller's params dict as it was: keys and arrays.

    The child reports array arguments after a call but not the arrays inside a dict, so the
    call is repeated through a probe that returns the dict as the call left it.
    """
    _ = outcome.value  # a learner's exception or NotImplementedError is reported as it is
    params, *args = outcome.args
    after = learner.probe("params_after_call", "network", outcome.function, params, *args).value
    call = call_text(outcome)
    if not isinstance(after, dict) or set(after) != set(params):
        added = sorted(map(str, set(after) - set(params))) if isinstance(after, dict) else []
        removed = sorted(map(str, set(params) - set(after))) if isinstance(after, dict) else []
        change = "; ".join(
            [f"added keys {added}"] * bool(added) + [f"removed keys {removed}"] * bool(removed)
        )
        fail(f"{call} changed the caller's params dict: {change or 'replaced it'}.")
    for key in KEYS:
        now = after[key]
        if not (
            isinstance(now, np.ndarray)
            and now.shape == params[key].shape
            and np.array_equal(now, params[key])
        ):
            fail(
                f"{call} changed params[{key!r}] in place ({describe_value(params[key])} "
                f"became {describe_value(now)})."
            )


@functools.cache
def hidden_rings() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The two-ring data (train x, y, test x, y), made once per grading process; read-only."""
    x, y = ref.make_dataset(DATA_SEED)
    read_only(x, y)
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


def trained_with_defaults(learner):
    """``train(x_train, y_train)`` on the hidden rings, everything else left to its default:
    one 200-epoch run that the accuracy check judges and the defaults check compares with
    the same call spelled out (Learner.once: the second check reuses the first's outcome)."""
    x_train, y_train, _, _ = hidden_rings()
    return learner.once("train with defaults", lambda: learner.call("train", x_train, y_train))


# --- init_params ------------------------------------------------------------------------------


@check(
    "init_params",
    weight=2,
    hint="Four arrays: W1 (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, 1) and b2 (1,).",
)
def test_init_params_has_the_four_keys_and_shapes(learner):
    sizes = [(2, 16), (3, 5), (7, 4), (1, 1)]
    for (n_in, n_hidden), outcome in learner.each("init_params", sizes, seed=0):
        expect_params(outcome.value, call_text(outcome), n_in, n_hidden)


@check("init_params", weight=1, hint="Biases start at exactly zero; only the weights are random.")
def test_init_params_biases_are_zero(learner):
    for n_in, n_hidden, seed in [(2, 16, 0), (4, 3, 7)]:
        outcome = learner.call("init_params", n_in, n_hidden, seed=seed)
        params = expect_params(outcome.value, call_text(outcome), n_in, n_hidden)
        for key in ("b1", "b2"):
            if np.any(params[key] != 0):
                fail(
                    f"{call_text(outcome)}[{key!r}] holds {np.count_nonzero(params[key])} "
                    f"non-zero values (largest {np.max(np.abs(params[key])):.3g}); expected zeros."
                )


@check(
    "init_params",
    weight=2,
    hint=(
        "Weights start small and random: all-zero or all-equal weights keep every hidden "
        "unit identical forever."
    ),
)
def test_init_params_weights_are_small_random_and_not_symmetric(learner):
    # 5 bounds every sane scheme here: a N(0, 1) draw exceeds it with probability 6e-7;
    # He for n_in=1 has std 1.4; weights near 5+ already saturate the sigmoid.
    outcome = learner.call("init_params", 3, 16, seed=0)
    params = expect_params(outcome.value, call_text(outcome), 3, 16)
    for key in ("W1", "W2"):
        weights = params[key]
        if np.all(weights == 0):
            fail(f"{call_text(outcome)}[{key!r}] is all zeros; start from small random weights.")
        if np.max(np.abs(weights)) >= 5:
            fail(
                f"{call_text(outcome)}[{key!r}] holds {np.max(np.abs(weights)):.4g}; "
                "expected small weights (all |w| < 5)."
            )
    if np.unique(params["W1"]).size < 2 or np.unique(params["W2"]).size < 2:
        fail(f"{call_text(outcome)} gives every weight the same value; draw them at random.")
    columns = params["W1"].T
    if any(np.array_equal(columns[i], columns[j]) for i in range(16) for j in range(i)):
        fail(f"{call_text(outcome)}: two hidden units start with identical weights.")


@check(
    "init_params",
    after=(
        "init_params_has_the_four_keys_and_shapes",
        "init_params_weights_are_small_random_and_not_symmetric",
    ),
    weight=1,
    hint=(
        "Draw the weights centred on zero, about as many negative as positive: a draw "
        "around 1 starts every unit pointing the same way."
    ),
)
def test_init_params_weights_are_centred_on_zero(learner):
    # Every scheme the stub names (N(0, s²), He, Glorot normal or uniform) is symmetric
    # about 0: of the 4000 weights of W1 and the 400 of W2 each sign takes 50% ± 0.8% and
    # ± 2.5% (one standard deviation); the bounds are 8 of them away. N(1, 0.5²) draws 2%
    # negative weights.
    outcome = learner.call("init_params", 10, 400, seed=0)
    params = expect_params(outcome.value, call_text(outcome), 10, 400)
    for key in ("W1", "W2"):
        negative = float(np.mean(params[key] < 0))
        if not 0.3 <= negative <= 0.7:
            fail(
                f"{call_text(outcome)}[{key!r}]: {negative:.0%} of its {params[key].size} "
                f"weights are negative (mean {np.mean(params[key]):.3g}); expected about half,"
                " from a draw centred on 0."
            )


@check(
    "init_params",
    after=(
        "init_params_has_the_four_keys_and_shapes",
        "init_params_weights_are_small_random_and_not_symmetric",
    ),
    weight=1,
    hint=(
        "All randomness must come from a generator made from the seed argument, not from "
        "NumPy's global state; the default seed is 0."
    ),
)
def test_init_params_is_reproducible_per_seed(learner):
    seeds = [{"seed": 3}, {"seed": 3}, {"seed": 4}, {"seed": 0}, {}]  # {}: the default seed
    first, again, other, zero, default = learner.calls(
        "init_params", [((3, 8), seeded) for seeded in seeds]
    )
    a = expect_params(first.value, call_text(first), 3, 8)
    b = expect_params(again.value, call_text(again), 3, 8)
    c = expect_params(other.value, call_text(other), 3, 8)
    if any(not np.array_equal(a[key], b[key]) for key in KEYS):
        fail(f"{call_text(first)} gave different weights on two calls; the seed must fix them.")
    if np.array_equal(a["W1"], c["W1"]):
        fail("init_params(3, 8, seed=3) and seed=4 gave the same W1; use the seed.")
    # the default seed is 0: leaving it out must give the weights of seed=0, every time
    z = expect_params(zero.value, call_text(zero), 3, 8)
    d = expect_params(default.value, call_text(default), 3, 8)
    if any(not np.array_equal(z[key], d[key]) for key in KEYS):
        fail(
            "init_params(3, 8) gave other weights than init_params(3, 8, seed=0); "
            "the default is seed=0, not a fresh random seed."
        )


# --- forward ----------------------------------------------------------------------------------


@check(
    "forward",
    weight=3,
    hint=(
        "Two layers: a relu hidden layer (weights, then bias, then relu), then one "
        "sigmoid output unit; the result has shape (N, 1)."
    ),
)
def test_forward_matches_reference_on_varied_sizes(learner):
    rng = np.random.default_rng(9201)
    cases = []
    for n, d, h in [(6, 2, 16), (10, 3, 5), (1, 4, 4), (25, 1, 3)]:
        params = random_params(rng, d, h)
        cases.append((params, rng.normal(0.0, 1.5, size=(n, d))))
    for (params, x), got in learner.each("forward", cases):
        expect_output(got, ref.forward(params, x))


@check(
    "forward",
    weight=1,
    hint=("x may be a nested list or a float32 array: it needs to become a float array first."),
)
def test_forward_accepts_lists_and_float32(learner):
    rng = np.random.default_rng(9202)
    params = random_params(rng, 2, 6)
    x = rng.normal(size=(5, 2))
    for given in (x.tolist(), x.astype(np.float32)):
        try:
            expect_output(learner.call("forward", params, given), ref.forward(params, given))
        except CheckFailed as failure:
            as_array = np.asarray(given, dtype=np.float64)
            try:
                expect_output(learner.call("forward", params, as_array), ref.forward(params, given))
            except (CheckFailed, LearnerError):
                raise CheckFailed(
                    f"{failure}"
                    + "\n(It is wrong for the same values given as a float64 array too: fix the formula first.)"
                ) from None
            raise


@check(
    "forward",
    weight=1,
    hint=(
        "The sigmoid overflows when it exponentiates a large positive number (and a "
        "choice between two branches computes both): use a stable sigmoid."
    ),
)
def test_forward_is_stable_for_large_inputs(learner):
    rng = np.random.default_rng(9203)
    params = random_params(rng, 3, 8)
    x = rng.normal(0.0, 1000.0, size=(20, 3))
    outcome = learner.call("forward", params, x)
    expect_output(outcome, ref.forward(params, x))
    expect_quiet(outcome)  # no warning is worth points only with the right output


@check(
    "forward",
    weight=1,
    hint=(
        "Intermediate values belong in local variables: storing them in params, or "
        "changing x in place, changes the caller's data."
    ),
)
def test_forward_leaves_inputs_unmodified(learner):
    rng = np.random.default_rng(9204)
    params = random_params(rng, 3, 4)
    x = rng.normal(size=(8, 3))
    outcome = learner.call("forward", params, x)
    expect_unmodified(outcome, lambda got: expect_output(got, ref.forward(params, x)))
    expect_params_unmodified(learner, outcome)


# --- loss_and_gradients -----------------------------------------------------------------------


@check(
    "loss_and_gradients",
    weight=2,
    hint=(
        "Binary cross-entropy: the negative mean over the N examples of y log p plus (1 -"
        " y) log(1 - p), with p clipped to [1e-7, 1 - 1e-7]."
    ),
)
def test_loss_matches_reference(learner):
    rng = np.random.default_rng(9301)
    cases = []
    for n, d, h in [(8, 2, 16), (30, 3, 5), (1, 2, 3)]:
        params = random_params(rng, d, h)
        cases.append((params, rng.normal(size=(n, d)), labels(rng, n)))
    for (params, x, y), outcome in learner.each("loss_and_gradients", cases):
        loss, _ = split_result(outcome)
        expect_close(
            loss, ref.loss(params, x, y), what=f"the loss of {call_text(outcome)}", inputs=outcome
        )


@check(
    "loss_and_gradients",
    weight=1,
    hint="grads needs the keys W1, b1, W2 and b2, each with its parameter's shape.",
)
def test_gradients_have_the_parameters_keys_and_shapes(learner):
    rng = np.random.default_rng(9302)
    for n, d, h in [(8, 2, 16), (5, 3, 4)]:
        params = random_params(rng, d, h)
        x, y = rng.normal(size=(n, d)), labels(rng, n)
        outcome = learner.call("loss_and_gradients", params, x, y)
        _, grads = split_result(outcome)
        expect_params(grads, f"the grads of {call_text(outcome)}", d, h)


@functools.cache
def finite_difference_cases(seed: int) -> tuple[tuple[Any, ...], ...]:
    """(n, d, h, params, x, y, the reference loss's central differences) for each size, made
    once per grading process (grade-batch grades many submissions in one; the differences
    take ~40 loss evaluations each); read-only, so no check can change them by mistake."""
    rng = np.random.default_rng(seed)
    cases = []
    # d == h in one case, so a transposed gradient has the right shape and wrong values
    for n, d, h in [(7, 3, 5), (10, 4, 4), (6, 2, 8)]:
        params = random_params(rng, d, h)
        x, y = rng.normal(size=(n, d)), labels(rng, n)
        numerical = ref.numerical_gradients(params, x, y)
        read_only(*params.values(), x, y, *numerical.values())
        cases.append((n, d, h, params, x, y, numerical))
    return tuple(cases)


def expect_matches_finite_differences(learner: Any, keys: tuple[str, ...], seed: int) -> None:
    for n, d, h, params, x, y, numerical in finite_difference_cases(seed):
        outcome = learner.call("loss_and_gradients", params, x, y)
        _, grads = split_result(outcome)
        for key in keys:
            if key not in grads:
                fail(f"the grads of {call_text(outcome)} have no key {key!r}.")
            got = as_numeric_array(grads[key], f"grads[{key!r}]", numerical[key].shape)
            if got.shape != numerical[key].shape:
                fail(
                    f"grads[{key!r}] has shape {got.shape}; expected {numerical[key].shape}, the "
                    f"shape of params[{key!r}], for N={n}, d={d}, h={h}."
                )
            error = ref.relative_error(got, numerical[key])
            if not error < GRADIENT_BOUND:
                worst = np.unravel_index(
                    np.argmax(np.abs(got - numerical[key])), numerical[key].shape
                )
                index = ", ".join(str(int(i)) for i in worst)
                fail(
                    f"grads[{key!r}] disagrees with central finite differences of the loss "
                    f"(relative error {error:.2g}, bound {GRADIENT_BOUND:g}), for N={n}, d={d}, "
                    f"h={h}: at [{index}] expected {numerical[key][worst]:.6g}, "
                    f"got {got[worst]:.6g}."
                )


@check(
    "loss_and_gradients",
    after=("loss_matches_reference", "gradients_have_the_parameters_keys_and_shapes"),
    weight=3,
    hint=(
        "Start from the output's error, p minus y, divided by N (the mean brings the "
        "1/N); the output weights' gradient pairs it with the hidden activations, and the"
        " output bias sums it over the batch."
    ),
)
def test_output_layer_gradients_match_finite_differences(learner):
    expect_matches_finite_differences(learner, ("W2", "b2"), 9303)


@check(
    "loss_and_gradients",
    after=(
        "loss_matches_reference",
        "gradients_have_the_parameters_keys_and_shapes",
        "output_layer_gradients_match_finite_differences",
    ),
    weight=3,
    hint=(
        "Send the output error back through W2, then through relu's slope, which is taken"
        " at the hidden pre-activation (before relu, bias included); the first layer's "
        "gradients pair that with x."
    ),
)
def test_hidden_layer_gradients_match_finite_differences(learner):
    expect_matches_finite_differences(learner, ("W1", "b1"), 9304)


@check(
    "loss_and_gradients",
    after=(
        "loss_matches_reference",
        "gradients_have_the_parameters_keys_and_shapes",
        "output_layer_gradients_match_finite_differences",
        "hidden_layer_gradients_match_finite_differences",
    ),
    weight=1,
    hint=(
        "Clip p into [1e-7, 1 - 1e-7] before the logarithms, and compute the sigmoid "
        "without overflow."
    ),
)
def test_loss_stays_finite_when_the_network_is_confidently_wrong(learner):
    rng = np.random.default_rng(9305)
    params = random_params(rng, 2, 6, scale=30.0)
    x = rng.normal(0.0, 30.0, size=(12, 2))
    y = 1.0 - ref.predict(params, x).reshape(-1, 1)  # every label wrong: p near 0 or 1
    outcome = learner.call("loss_and_gradients", params, x, y)
    loss, grads = split_result(outcome)
    if not np.isfinite(loss) or loss <= 1.0:
        fail(
            f"{call_text(outcome)} returned loss {loss!r} when every prediction is confidently "
            "wrong; expected a large finite number (about 16 with clipping at 1e-7)."
        )
    grads = expect_params(grads, f"the grads of {call_text(outcome)}", 2, 6)
    _, expected = ref.loss_and_gradients(params, x, y)
    for key in KEYS:
        expect_close(
            grads[key],
            expected[key],
            what=f"grads[{key!r}] of {call_text(outcome)}",
            inputs=outcome,
        )
    expect_quiet(outcome)  # no warning is worth points only with the right values


@functools.cache
def nearly_saturated_network(seed: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """(params, x, y): every logit 14.5 to 15.5 away from 0 and every label wrong, so that
    each probability is 1.9e-7 to 5e-7 away from the wrong answer: inside the contract's
    clip [1e-7, 1 - 1e-7], where clipping and a stable log-sigmoid give the same loss, but
    not inside a wider clip such as [1e-6, 1 - 1e-6]. Made once per grading process;
    read-only."""
    rng = np.random.default_rng(seed)
    n, d, h = 8, 3, 12
    params = random_params(rng, d, h)
    x = rng.normal(size=(n, d))
    hidden = np.maximum(x @ params["W1"] + params["b1"], 0.0)  # (N, h)
    signs = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    targets = signs * rng.uniform(14.5, 15.5, size=n)
    # W2 and b2 that give exactly these logits: N = 8 equations, h + 1 = 13 unknowns
    solution = np.linalg.lstsq(np.hstack([hidden, np.ones((n, 1))]), targets, rcond=None)[0]
    params["W2"], params["b2"] = solution[:h].reshape(h, 1), solution[h:]
    z2 = ref.logits(params, x)[:, 0]
    assert np.all((np.abs(z2) > 14.4) & (np.abs(z2) < 15.6)), z2  # the grader's own mistake
    y = (z2 < 0).astype(np.float64).reshape(n, 1)  # p near 1 gets label 0 and the reverse
    read_only(*params.values(), x, y)
    return params, x, y


def keras2_loss(params: dict, x: np.ndarray, y: np.ndarray, epsilon: float = 1e-7) -> float:
    """The clipped loss with epsilon added inside the logarithms too, as Keras 2 computed it."""
    p = np.clip(ref.forward(params, x), epsilon, 1 - epsilon)
    return float(-np.mean(y * np.log(p + epsilon) + (1 - y) * np.log(1 - p + epsilon)))


@check(
    "loss_and_gradients",
    after=("loss_matches_reference",),
    weight=1,
    hint=(
        "The clip's bounds are 1e-7 and 1 - 1e-7, no wider: a probability of 3e-7 lies "
        "inside them and keeps its own logarithm."
    ),
)
def test_loss_clips_at_1e_7_not_wider(learner):
    params, x, y = nearly_saturated_network(9307)
    outcome = learner.call("loss_and_gradients", params, x, y)
    loss, _ = split_result(outcome)
    expected, keras2 = ref.loss(params, x, y), keras2_loss(params, x, y)
    if abs(loss - keras2) <= 1e-5 * abs(keras2):
        return  # epsilon inside the logarithms too (Keras 2) is accepted, as in `losses`
    expect_close(
        loss,
        expected,
        what=(
            f"the loss of {call_text(outcome)}, where every label is wrong and every "
            "probability is 1.9e-7 to 5e-7 away from it"
        ),
        inputs=outcome,
    )


@check(
    "loss_and_gradients",
    after=(
        "loss_matches_reference",
        "gradients_have_the_parameters_keys_and_shapes",
        "output_layer_gradients_match_finite_differences",
        "hidden_layer_gradients_match_finite_differences",
    ),
    weight=1,
    hint="Do not change params, x or y in place: the gradient step belongs in train, and "
    "caches belong in local variables.",
)
def test_loss_and_gradients_leave_inputs_unmodified(learner):
    rng = np.random.default_rng(9306)
    params = random_params(rng, 3, 4)
    x, y = rng.normal(size=(9, 3)), labels(rng, 9)
    outcome = learner.call("loss_and_gradients", params, x, y)
    expect_unmodified(outcome, lambda got: expect_loss_and_gradients(got, params, x, y))
    expect_params_unmodified(learner, outcome)


# --- train ------------------------------------------------------------------------------------


@check(
    "train",
    after="train_is_repeatable_and_uses_the_seed",
    weight=5,
    timeout=TRAIN_TIMEOUT,
    hint=(
        "Start from init_params with the seed; each epoch, compute the gradients on the "
        "training set and step every parameter against its gradient. Check your gradients"
        " first."
    ),
)
def test_train_reaches_the_accuracy_on_hidden_rings(learner):
    _, _, x_test, y_test = hidden_rings()
    outcome = trained_with_defaults(learner)
    params = expect_params(outcome.value, call_text(outcome), 2, 16)
    accuracy = float(np.mean(ref.predict(params, x_test) == y_test[:, 0]))
    if accuracy < ACCURACY_THRESHOLD:
        fail(
            f"{call_text(outcome)} (defaults: n_hidden=16, epochs=200, learning_rate=0.5) "
            f"trained a network with test accuracy {accuracy:.3f} on {len(x_test)} held-out "
            f"points of two noisy rings (inner = 0, outer = 1); expected at least "
            f"{ACCURACY_THRESHOLD:.2f}. Correct answers reach about 0.99."
        )


@check(
    "train",
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint="Return the params dict, shaped like init_params(d, n_hidden).",
)
def test_train_returns_params_for_the_given_sizes(learner):
    rng = np.random.default_rng(9401)
    for n, d, h in [(30, 3, 5), (12, 1, 2)]:
        x, y = rng.normal(size=(n, d)), labels(rng, n)
        outcome = learner.call("train", x, y, n_hidden=h, epochs=3, learning_rate=0.1, seed=1)
        expect_params(outcome.value, call_text(outcome), d, h)


@check(
    "train",
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint="Every step is scaled by the learning_rate argument: with 0 nothing may move.",
)
def test_train_with_zero_learning_rate_changes_nothing(learner):
    x_train, y_train, _, _ = hidden_rings()
    x, y = x_train[:100], y_train[:100]
    one = learner.call("train", x, y, n_hidden=8, epochs=1, learning_rate=0.0, seed=2)
    many = learner.call("train", x, y, n_hidden=8, epochs=40, learning_rate=0.0, seed=2)
    start = expect_params(one.value, call_text(one), 2, 8)
    after = expect_params(many.value, call_text(many), 2, 8)
    for key in KEYS:
        if not np.array_equal(after[key], start[key]):
            fail(
                f"{call_text(many)} differs from the same call with epochs=1 in {key!r}: with "
                "learning_rate=0.0 no step may move the parameters."
            )


@check(
    "train",
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint=(
        "One gradient step (or one pass of mini-batches) per epoch, for the number of epochs asked."
    ),
)
def test_train_more_epochs_lower_the_training_loss(learner):
    x_train, y_train, _, _ = hidden_rings()
    x, y = x_train[:200], y_train[:200]
    few = learner.call("train", x, y, n_hidden=16, epochs=2, learning_rate=0.5, seed=3)
    many = learner.call("train", x, y, n_hidden=16, epochs=50, learning_rate=0.5, seed=3)
    loss_few = ref.loss(expect_params(few.value, call_text(few), 2, 16), x, y)
    loss_many = ref.loss(expect_params(many.value, call_text(many), 2, 16), x, y)
    if not loss_many < loss_few - 1e-6:
        fail(
            f"training loss after 50 epochs is {loss_many:.6g}, after 2 epochs {loss_few:.6g} "
            "(same data, seed and learning_rate=0.5); more epochs should lower it."
        )


@check(
    "train",
    after=(),
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint=(
        "Pass the seed on to init_params, so that the same seed repeats and another seed "
        "differs; the default seed is 0."
    ),
)
def test_train_is_repeatable_and_uses_the_seed(learner):
    x_train, y_train, _, _ = hidden_rings()
    x, y = x_train[:100], y_train[:100]
    runs = [
        learner.call("train", x, y, n_hidden=8, epochs=5, learning_rate=0.5, seed=seed)
        for seed in (5, 5, 6)
    ]
    first, again, other = (expect_params(r.value, call_text(r), 2, 8) for r in runs)
    if any(not np.array_equal(first[key], again[key]) for key in KEYS):
        fail(f"{call_text(runs[0])} gave different params on two calls with the same seed.")
    if np.array_equal(first["W1"], other["W1"]):
        fail("train(..., seed=5) and train(..., seed=6) returned the same W1; use the seed.")
    defaults = [
        learner.call("train", x, y, n_hidden=8, epochs=5, learning_rate=0.5) for _ in range(2)
    ]
    one, two = (expect_params(r.value, call_text(r), 2, 8) for r in defaults)
    if any(not np.array_equal(one[key], two[key]) for key in KEYS):
        fail(
            f"{call_text(defaults[0])} gave different params on two calls; the default is "
            "seed=0, so leaving the seed out must be repeatable too."
        )


@check(
    "train",
    after=("train_reaches_the_accuracy_on_hidden_rings", "train_is_repeatable_and_uses_the_seed"),
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint=("Keep the contract's defaults: n_hidden=16, epochs=200, learning_rate=0.5, seed=0."),
)
def test_train_defaults_are_the_contracts(learner):
    x, y, _, _ = hidden_rings()
    default = trained_with_defaults(learner)
    spelled_out = learner.call("train", x, y, n_hidden=16, epochs=200, learning_rate=0.5, seed=0)
    got = expect_params(default.value, call_text(default), 2, 16)
    expected = expect_params(spelled_out.value, call_text(spelled_out), 2, 16)
    for key in KEYS:
        if not np.array_equal(got[key], expected[key]):
            fail(
                f"{call_text(default)} returned other params than {call_text(spelled_out)} "
                f"(first in {key!r}); the defaults must be n_hidden=16, epochs=200, "
                "learning_rate=0.5, seed=0."
            )


@check(
    "train",
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint=("x and y belong to the caller: shuffle or scale copies, never the arrays themselves."),
)
def test_train_leaves_inputs_unmodified(learner):
    x_train, y_train, _, _ = hidden_rings()
    outcome = learner.call("train", x_train[:50].copy(), y_train[:50].copy(), n_hidden=4, epochs=3)
    # train has no one right result: its value is judged as the params it must return
    expect_unmodified(outcome, lambda got: expect_params(got.value, call_text(got), 2, 4))


# --- predict ----------------------------------------------------------------------------------


def probabilities_near_the_threshold(seed: int, n: int) -> tuple[dict, np.ndarray]:
    """A network and inputs whose logits spread over [-3, 3], many with p in (0.5, 0.62)."""
    rng = np.random.default_rng(seed)
    params = random_params(rng, 3, 6)
    x = rng.normal(size=(n, 3))
    z2 = ref.logits(params, x)[:, 0]
    # centre the logits near 0, off by a little so that no probability is exactly 0.5
    params["b2"] = params["b2"] - np.median(z2) + 0.0371
    return params, x


@check(
    "predict",
    weight=2,
    hint=(
        "A label is 1 where the predicted PROBABILITY (the sigmoid's output, not the "
        "logit) is at least 0.5, and 0 elsewhere."
    ),
)
def test_predict_matches_reference_labels(learner):
    for seed, n in [(9501, 200), (9502, 37)]:
        params, x = probabilities_near_the_threshold(seed, n)
        outcome = learner.call("predict", params, x)
        expect_output(outcome, ref.predict(params, x), exact=True)


@check(
    "predict",
    weight=1,
    hint=(
        "One integer label per example, shape (N,): not a column (N, 1), not floats or booleans."
    ),
)
def test_predict_returns_integer_labels_of_shape_n(learner):
    params, x = probabilities_near_the_threshold(9503, 10)
    for rows in (10, 1):
        outcome = learner.call("predict", params, x[:rows])
        value = np.asarray(outcome.value)
        if value.shape != (rows,):
            fail(f"{call_text(outcome)} returned shape {value.shape}; expected ({rows},).")
        if not np.issubdtype(value.dtype, np.integer):
            fail(
                f"{call_text(outcome)} returned dtype {value.dtype}; expected integer labels "
                "(use .astype(int))."
            )
        expect_equal(
            value.tolist(), ref.predict(params, x[:rows]).tolist(), what=call_text(outcome)
        )


@check("predict", weight=1, hint="x and params belong to the caller: compute into new arrays.")
def test_predict_leaves_inputs_unmodified(learner):
    params, x = probabilities_near_the_threshold(9504, 12)
    outcome = learner.call("predict", params, x)
    expect_unmodified(outcome, lambda got: expect_output(got, ref.predict(params, x), exact=True))
    expect_params_unmodified(learner, outcome)
