"""Hidden checks for `cnn_numpy`: a small CNN (conv, relu, max pool, dense, softmax) by hand.

Every input is made here, in the parent, from fixed private seeds. Parameters sent to the
learner's cnn_forward, cnn_loss_and_gradients and predict_classes come from the parent, so
each function is judged on its own; gradients are judged one layer at a time (the dense
layer's W and c, then the convolution's K and b behind the pooling and the relu), against
the reference (grader/reference/cnn_numpy.py, proved against tf.GradientTape in tests/) and
against central finite differences, CS231n's way: element-wise relative error
|a - b| / max(|a|, |b|, 1e-8) below a threshold the message names, with the parameter and the
first index that disagrees. train_cnn_numpy is judged by the parent's accuracy on held-out
pictures of keras_cnn's image set, whose labels never cross into the learner's process.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from nnlab.checks import (
    LearnerError,
    as_numeric_array,
    brief,
    call_with_values,
    check,
    describe_value,
    expect_close,
    expect_unmodified,
    fail,
    read_only,
    reference,
)

ref = reference("cnn_numpy")
KEYS = ref.KEYS
TINY = ref.backward.TINY

# Relative error bounds: float64 answers agree with the reference to ~1e-12 and with central
# finite differences (step 1e-5) to 2.5e-9 at worst on the checks' cases (model answer);
# a missing 1/N, the relu mask on the wrong array or the gradient sent to the wrong pixel of
# a pooling window are off by 0.1 or more.
REFERENCE_BOUND = 1e-6
DIFFERENCE_BOUND = 1e-5

# Accuracy train_cnn_numpy must reach, at its defaults (10 epochs, learning_rate 0.05,
# batches of 32), on 600 held-out pictures of keras_cnn's image set (12x12, four shapes,
# guessing scores 0.25) after training on 600 others. Chosen by
# benchmarks/cnn_numpy_threshold.py over 10 seeds (data, weights and shuffles all vary):
#   model answer (He / Glorot start, shuffled):         min 0.617, median 0.712, 10/10 pass
#   minimal (batches in order, N(0, 0.1²) start):        min 0.460, median 0.562, 10/10 pass
#   not trained:                                         max 0.292
# (A start from N(0, 0.01²) learns too slowly for 10 epochs: min 0.25; the message says so.)
THRESHOLD = 0.38
DATA_SEED = 2003  # one of the swept seeds
NUM_CLASSES = 4

# Speed, in CPU time of the child (the load of the machine does not count): 600 images in
# batches of 32 are 19 steps an epoch, 190 in the default 10 epochs. The model answer trains
# in 1.2-1.6 s on the course machine (6-8 ms a step); a conv2d with Python loops over pixels
# takes ~0.6 s a step, about two minutes. One step of the learner's cnn_loss_and_gradients is
# timed first: above STEP_BUDGET the training could not end within TRAIN_TIMEOUT, and the
# check says so at once instead of waiting for the limit.
TRAIN_TIMEOUT = 40.0
STEPS = 190
STEP_BUDGET = TRAIN_TIMEOUT / STEPS  # ~0.21 s of CPU time, some 30x a vectorised step
STEP_TIMEOUT = 5.0
SLOW = "correct but too slow: vectorise conv2d (im2col or stride tricks) and its backward pass"


def _short(value: Any) -> str:
    if isinstance(value, dict) and "K" in value:
        _kh, _kw, c, f = np.shape(value["K"])
        return f"<params C={c}, F={f}, K={np.shape(value['c'])[0]}>"
    return brief(value)


def call_text(outcome: Any) -> str:
    return call_with_values(outcome, _short)


def shapes_of(input_shape, num_classes: int, filters: int) -> dict[str, tuple[int, ...]]:
    h, w, c = input_shape
    return {
        "K": (3, 3, c, filters),
        "b": (filters,),
        "W": ((h // 2) * (w // 2) * filters, num_classes),
        "c": (num_classes,),
    }


def expect_params(value: Any, call: str, shapes: dict) -> dict[str, np.ndarray]:
    """A dict with exactly K, b, W, c of the given shapes and finite float values."""
    if not isinstance(value, dict) or set(value) != set(KEYS):
        keys = sorted(map(str, value)) if isinstance(value, dict) else None
        fail(
            f"{call} returned {f'a dict with keys {keys}' if keys else describe_value(value)}; "
            f"expected a dict with exactly the keys {list(KEYS)}."
        )
    arrays = {}
    for key in KEYS:
        array = np.asarray(value[key])
        if array.shape != shapes[key]:
            flatten = (
                " (W has H//2 * W//2 * F rows: valid pooling drops an odd row)"
                if key == "W"
                else ""
            )
            fail(f"{call}[{key!r}] has shape {array.shape}; expected {shapes[key]}{flatten}.")
        if array.dtype.kind != "f" or not np.isfinite(array).all():
            fail(f"{call}[{key!r}] is {describe_value(array)}; expected finite floats.")
        arrays[key] = array
    return arrays


def random_params(rng: np.random.Generator, input_shape, num_classes: int, filters: int) -> dict:
    """Weights with non-zero biases, so that every layer's gradient has work to do."""
    shapes = shapes_of(input_shape, num_classes, filters)
    return {
        "K": rng.normal(0.0, 0.5, size=shapes["K"]),
        "b": rng.normal(0.0, 0.3, size=shapes["b"]),
        "W": rng.normal(0.0, 0.5, size=shapes["W"]),
        "c": rng.normal(0.0, 0.3, size=shapes["c"]),
    }


def expect_params_unmodified(learner: Any, outcome: Any) -> None:
    """The call behind ``outcome`` left the caller's params dict as it was (probe)."""
    params, *args = outcome.args
    after = learner.probe("params_after_call", "cnn_numpy", outcome.function, params, *args).value
    if not isinstance(after, dict) or set(after) != set(params):
        fail(f"{call_text(outcome)} changed the keys of the caller's params dict.")
    for key in KEYS:
        now = after[key]
        if not (isinstance(now, np.ndarray) and np.array_equal(now, params[key])):
            fail(f"{call_text(outcome)} changed params[{key!r}] in place; use new arrays.")


# --- init_cnn ----------------------------------------------------------------------------------


@check(
    "init_cnn",
    weight=2,
    hint=(
        "Four arrays: the 3x3 kernels K (3, 3, C, filters), their biases b (filters,), "
        "the dense weights W (one row per pooled value, one column per class) and its "
        "biases c (classes,)."
    ),
)
def test_init_cnn_has_the_four_keys_and_shapes(learner):
    cases = [((12, 12, 1), 4, {}), ((7, 9, 3), 5, {"filters": 4}), ((6, 5, 2), 2, {"filters": 1})]
    outcomes = learner.calls("init_cnn", [((shape, k), kwargs) for shape, k, kwargs in cases])
    for (shape, k, kwargs), outcome in zip(cases, outcomes, strict=True):
        expect_params(
            outcome.value, call_text(outcome), shapes_of(shape, k, kwargs.get("filters", 8))
        )


@check(
    "init_cnn",
    weight=1,
    hint=(
        "Biases start at zero; weights small and random (He scaling for the kernels, "
        "Glorot for the dense layer, as the module docstring says), never all equal: "
        "equal filters stay equal forever."
    ),
)
def test_init_cnn_biases_zero_and_weights_small_random(learner):
    outcome = learner.call("init_cnn", (12, 12, 1), 4, filters=8, seed=0)
    params = expect_params(outcome.value, call_text(outcome), shapes_of((12, 12, 1), 4, 8))
    for key in ("b", "c"):
        if np.any(params[key] != 0):
            fail(f"{call_text(outcome)}[{key!r}] is not all zeros; biases start at zero.")
    for key in ("K", "W"):
        weights = params[key]
        if np.unique(weights).size < weights.size // 2:
            fail(f"{call_text(outcome)}[{key!r}] repeats its values; draw them at random.")
        if np.max(np.abs(weights)) >= 5:
            fail(
                f"{call_text(outcome)}[{key!r}] holds {np.max(np.abs(weights)):.3g}; keep weights small."
            )


@check(
    "init_cnn",
    weight=1,
    hint=(
        "All randomness must come from a generator made from the seed argument; keep the "
        "defaults filters=8 and seed=0."
    ),
)
def test_init_cnn_is_reproducible_per_seed_with_the_contracts_defaults(learner):
    calls = [
        (((8, 8, 1), 3), {"seed": 3}),
        (((8, 8, 1), 3), {"seed": 3}),
        (((8, 8, 1), 3), {"seed": 4}),
        (((8, 8, 1), 3), {"filters": 8, "seed": 0}),
        (((8, 8, 1), 3), {}),
    ]
    first, again, other, spelled, default = (
        expect_params(o.value, call_text(o), shapes_of((8, 8, 1), 3, 8))
        for o in learner.calls("init_cnn", calls)
    )
    if any(not np.array_equal(first[key], again[key]) for key in KEYS):
        fail("init_cnn((8, 8, 1), 3, seed=3) gave different weights on two calls.")
    if np.array_equal(first["K"], other["K"]):
        fail("init_cnn with seed=3 and seed=4 gave the same K; use the seed.")
    if any(not np.array_equal(spelled[key], default[key]) for key in KEYS):
        fail("init_cnn((8, 8, 1), 3) differs from init_cnn(..., filters=8, seed=0).")


@check(
    "init_cnn",
    weight=1,
    hint="Draw the weights around zero: a normal distribution of mean 0 (He's spread for K, "
    "Glorot's for W), not around 1.",
)
def test_init_cnn_weights_are_centred_on_zero(learner):
    # zero-mean draws: |mean| is about std / sqrt(n), n >= 432 values here, so 0.25 * std is
    # 5 standard errors away; init weights of mean 1 (nnlab verify --mutants) fail
    outcome = learner.call("init_cnn", (12, 12, 3), 4, filters=16, seed=0)
    params = expect_params(outcome.value, call_text(outcome), shapes_of((12, 12, 3), 4, 16))
    for key in ("K", "W"):
        mean, spread = float(np.mean(params[key])), float(np.std(params[key]))
        if abs(mean) > 0.25 * spread:
            fail(
                f"{call_text(outcome)}[{key!r}] has mean {mean:.3g} for a spread (std) of "
                f"{spread:.3g}; weights start centred on 0."
            )


# --- cnn_forward -------------------------------------------------------------------------------


@functools.cache
def _forward_cases(seed: int, sizes: tuple) -> tuple:
    rng = np.random.default_rng(seed)
    cases = []
    for n, shape, k, f in sizes:
        params = random_params(rng, shape, k, f)
        x = rng.normal(size=(n, *shape))
        expected = ref.cnn_forward(params, x)
        read_only(x, expected, *params.values())
        cases.append((params, x, expected))
    return tuple(cases)


FORWARD_SIZES = ((4, (6, 6, 1), 3, 2), (3, (7, 5, 2), 4, 3), (1, (8, 8, 3), 2, 4))


@check(
    "cnn_forward",
    weight=4,
    hint=(
        'The layers in order: a "same" convolution with its bias, relu, a 2x2 max pool '
        '("valid": an odd last row or column is dropped), flatten each image, the dense '
        "layer, then softmax over the classes."
    ),
)
def test_cnn_forward_matches_reference(learner):
    cases = _forward_cases(14101, FORWARD_SIZES)
    outcomes = learner.call_many("cnn_forward", [(params, x) for params, x, _ in cases])
    for (_, _, expected), outcome in zip(cases, outcomes, strict=True):
        expect_close(outcome, expected, what=lambda o=outcome: call_text(o))


@check(
    "cnn_forward",
    weight=1,
    hint=(
        "Large logits overflow exp: shift each row by its own maximum before the softmax;"
        " each row still sums to 1."
    ),
)
def test_cnn_forward_is_stable_for_large_logits(learner):
    rng = np.random.default_rng(14102)
    params = random_params(rng, (6, 6, 1), 3, 2)
    params["W"] = params["W"] * 400.0  # logits in the hundreds
    x = rng.normal(size=(5, 6, 6, 1))
    outcome = learner.call("cnn_forward", params, x)
    expect_close(outcome, ref.cnn_forward(params, x), what=call_text(outcome))
    if outcome.warnings:
        fail(
            f"{call_text(outcome)} emitted {outcome.warnings[0]['category']}: subtract the row maximum."
        )


@check(
    "cnn_forward",
    weight=1,
    hint="Never change params or x in place; keep intermediate values in local variables.",
)
def test_cnn_forward_leaves_its_inputs_unmodified(learner):
    ((params, x, expected),) = _forward_cases(14103, ((3, (6, 6, 2), 3, 2),))
    outcome = learner.call("cnn_forward", params, x)
    expect_unmodified(outcome, expected)
    expect_params_unmodified(learner, outcome)


# --- cnn_loss_and_gradients --------------------------------------------------------------------


def split_result(outcome: Any) -> tuple[float, dict]:
    value = outcome.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        fail(f"{call_text(outcome)} returned {describe_value(value)}; expected (loss, grads).")
    loss, grads = value
    if np.ndim(loss) != 0 or not np.issubdtype(np.asarray(loss).dtype, np.number):
        fail(f"{call_text(outcome)} returned loss {describe_value(loss)}; expected one number.")
    if not isinstance(grads, dict):
        fail(f"{call_text(outcome)} returned grads {describe_value(grads)}; expected a dict.")
    return float(loss), grads


@functools.cache
def _gradient_cases(seed: int) -> tuple:
    """(params, x, y, reference loss, reference grads, finite differences) per size; made once
    per grading process (the differences take a few hundred loss evaluations), read-only."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, shape, k, f in ((4, (6, 6, 1), 3, 2), (3, (5, 7, 2), 4, 3)):  # odd sizes: rows dropped
        params = random_params(rng, shape, k, f)
        x, y = rng.normal(size=(n, *shape)), rng.integers(0, k, size=n)
        loss, grads = ref.cnn_loss_and_gradients(params, x, y)
        numerical = ref.numerical_gradients(params, x, y)
        read_only(x, y, *params.values(), *grads.values(), *numerical.values())
        cases.append((params, x, y, loss, grads, numerical))
    return tuple(cases)


LAYER = {
    "W": "the dense layer",
    "c": "the dense layer",
    "K": "the convolution",
    "b": "the convolution",
}


def expect_gradients(learner, keys: tuple[str, ...], *, against: str) -> None:
    cases = _gradient_cases(14201)
    outcomes = learner.call_many("cnn_loss_and_gradients", [case[:3] for case in cases])
    for (_params, x, _, _, grads, numerical), outcome in zip(cases, outcomes, strict=True):
        _, got = split_result(outcome)
        expected_set, bound, what = (
            (grads, REFERENCE_BOUND, "the reference (the chain rule, layer by layer)")
            if against == "reference"
            else (numerical, DIFFERENCE_BOUND, "central finite differences of the loss")
        )
        for key in keys:
            if key not in got:
                fail(f"the grads of {call_text(outcome)} have no key {key!r}.")
            expected = expected_set[key]
            array = as_numeric_array(got[key], f"grads[{key!r}]", expected.shape)
            if array.shape != expected.shape:
                fail(
                    f"grads[{key!r}] of {call_text(outcome)} has shape {array.shape}; expected "
                    f"{expected.shape}, the shape of params[{key!r}]."
                )
            error = ref.backward.relative_error(array, expected)
            wrong = ~(error <= bound)
            if wrong.any():
                index = tuple(int(i) for i in np.argwhere(wrong)[0])
                where = ", ".join(map(str, index))
                fail(
                    f"grads[{key!r}] ({LAYER[key]}) of {call_text(outcome)} with x of shape "
                    f"{x.shape} disagrees with {what} at [{where}]: expected "
                    f"{expected[index]:.6g}, got {float(array[index]):.6g} (relative error "
                    f"|a - b| / max(|a|, |b|, {TINY:g}) = {float(error[index]):.2g}, threshold "
                    f"{bound:g}; {int(wrong.sum())} of {wrong.size} entries disagree)."
                )


@check(
    "cnn_loss_and_gradients",
    weight=3,
    hint=(
        "The loss is the negative mean, over the N images, of the log of the probability "
        "given to each image's TRUE class; y holds integer labels, not one-hot rows."
    ),
)
def test_cnn_loss_matches_reference(learner):
    cases = _gradient_cases(14201)
    outcomes = learner.call_many("cnn_loss_and_gradients", [case[:3] for case in cases])
    for case, outcome in zip(cases, outcomes, strict=True):
        loss, _ = split_result(outcome)
        expect_close(loss, case[3], what=f"the loss of {call_text(outcome)}")


LOSS_BASICS = (
    "cnn_loss_matches_reference",
    "cnn_dense_layer_gradients_match_reference",
    "cnn_convolution_gradients_match_reference",
)


@check(
    "cnn_loss_and_gradients",
    after=LOSS_BASICS,
    weight=1,
    hint='grads needs the keys "K", "b", "W", "c", each with its parameter\'s shape.',
)
def test_cnn_gradients_have_the_parameters_keys_and_shapes(learner):
    ((params, x, y, _, grads, _), _) = _gradient_cases(14201)
    outcome = learner.call("cnn_loss_and_gradients", params, x, y)
    _, got = split_result(outcome)
    expect_params(got, f"the grads of {call_text(outcome)}", {k: v.shape for k, v in grads.items()})
    for key in KEYS:
        expect_close(got[key], grads[key], what=f"grads[{key!r}] of {call_text(outcome)}")


@check(
    "cnn_loss_and_gradients",
    weight=4,
    hint=(
        "Start from the logits' gradient, the probabilities minus the one-hot labels, "
        "divided by N; the dense weights' gradient pairs it with the flattened pooled "
        "features, and c's sums it over the batch."
    ),
)
def test_cnn_dense_layer_gradients_match_reference(learner):
    expect_gradients(learner, ("W", "c"), against="reference")


@check(
    "cnn_loss_and_gradients",
    after=("cnn_loss_matches_reference", "cnn_dense_layer_gradients_match_reference"),
    weight=5,
    hint=(
        "Go back through the layers in reverse: through W to the pooled features "
        "(reshaped like them), through the max pool to each window's maximum (0 for a "
        "dropped row or column), through relu's slope, then through the convolution."
    ),
)
def test_cnn_convolution_gradients_match_reference(learner):
    expect_gradients(learner, ("K", "b"), against="reference")


@check(
    "cnn_loss_and_gradients",
    after=LOSS_BASICS,
    weight=3,
    hint="Nudge one weight by h: the loss moves by about h times its gradient. The message "
    "names the gradient and the first entry that disagrees; check that layer's step.",
)
def test_cnn_gradients_match_finite_differences(learner):
    expect_gradients(learner, KEYS, against="finite differences")


@check(
    "cnn_loss_and_gradients",
    after=LOSS_BASICS,
    weight=1,
    hint="Never change params, x or y in place: the gradient step belongs in the training loop.",
)
def test_cnn_loss_and_gradients_leave_inputs_unmodified(learner):
    ((params, x, y, loss, grads, _), _) = _gradient_cases(14201)
    outcome = learner.call("cnn_loss_and_gradients", params, x, y)

    def judge(got: Any) -> None:
        got_loss, got_grads = split_result(got)
        expect_close(got_loss, loss, what=f"the loss of {call_text(got)}")
        for key in KEYS:
            if key not in got_grads:
                fail(f"the grads of {call_text(got)} have no key {key!r}.")
            expect_close(got_grads[key], grads[key], what=f"grads[{key!r}] of {call_text(got)}")

    expect_unmodified(outcome, judge)
    expect_params_unmodified(learner, outcome)


# --- train_cnn_numpy ---------------------------------------------------------------------------


@functools.cache
def hidden_images() -> dict[str, np.ndarray]:
    problem = ref.image_problem(DATA_SEED)
    read_only(*problem.values())
    return problem


def expect_fast_enough(learner) -> None:
    """Time one step (cnn_loss_and_gradients on a batch of 32 hidden images) before training:
    an answer too slow to train within the limit is told why at once, once per grading."""

    def measure() -> tuple[float, str]:
        images = hidden_images()
        params = ref.init_cnn((12, 12, 1), NUM_CLASSES, seed=1)
        x, y = images["x_train"][:32], images["y_train"][:32]
        try:
            with learner.time_limit(STEP_TIMEOUT):
                outcome = learner.call("cnn_loss_and_gradients", params, x, y)
                _ = outcome.value
        except LearnerError as error:
            if error.reason == "cpu":
                return STEP_TIMEOUT, f"was stopped after {STEP_TIMEOUT:g} s of CPU time"
            if error.status == "timeout":
                raise
            return 0.0, ""  # a broken step is the gradient checks' business, not this one's
        return outcome.cpu_seconds, ""

    seconds, note = learner.once("one training step", measure)
    if seconds > STEP_BUDGET:
        took = note or f"took {seconds:.2f} s of CPU time"
        fail(
            f"train_cnn_numpy would be {SLOW}: one step, cnn_loss_and_gradients on a batch of "
            f"32 images of 12x12, {took} (budget {STEP_BUDGET:.2f} s; a vectorised step takes "
            f"well under 0.05 s), and training takes {STEPS} steps, about "
            f"{STEPS * seconds:.0f} s or more against the time limit of {TRAIN_TIMEOUT:g} s of "
            "CPU time (the load of the machine does not count)."
        )


def train(learner, *args, **kwargs):
    """train_cnn_numpy(*args, **kwargs) after the speed test; a time-out is named for what it
    means here (a conv2d with Python loops), not reported as a bare time limit."""
    expect_fast_enough(learner)
    try:
        outcome = learner.call("train_cnn_numpy", *args, **kwargs)
        _ = outcome.value
    except LearnerError as error:
        if error.reason != "cpu":
            raise
        raise LearnerError(
            f"train_cnn_numpy did not finish within {TRAIN_TIMEOUT:g} s of CPU time: {SLOW}. "
            "A vectorised answer trains in one or two seconds.",
            "timeout",
            "cpu",
        ) from None
    return outcome


def trained_with_defaults(learner):
    images = hidden_images()
    return learner.once(
        "train_cnn_numpy with defaults",
        lambda: train(learner, images["x_train"], images["y_train"], NUM_CLASSES),
    )


def _accuracy(params: dict) -> float:
    images = hidden_images()
    return ref.accuracy(params, images["x_test"], images["y_test"])


@check(
    "train_cnn_numpy",
    after="train_cnn_numpy_is_repeatable_and_uses_the_seed",
    weight=8,
    timeout=TRAIN_TIMEOUT,
    hint=(
        "Each epoch: shuffle, cut into batches of batch_size, and step every parameter "
        "against its gradient on each batch. Start from the scales of the module "
        "docstring, and check the gradients first."
    ),
)
def test_train_cnn_numpy_reaches_the_accuracy_on_hidden_images(learner):
    outcome = trained_with_defaults(learner)
    params = expect_params(outcome.value, call_text(outcome), shapes_of((12, 12, 1), 4, 8))
    accuracy = _accuracy(params)
    if accuracy < THRESHOLD:
        fail(
            f"{call_text(outcome)} (defaults: epochs=10, learning_rate=0.05, batch_size=32) "
            f"trained a network with test accuracy {accuracy:.3f} on 600 held-out pictures of "
            f"four shapes (guessing scores 0.25); expected at least {THRESHOLD:.2f}. Correct "
            "answers reach 0.46-0.75. Weights started much smaller than He / Glorot (e.g. "
            "N(0, 0.01²)) learn too slowly for 10 epochs."
        )


@check(
    "train_cnn_numpy",
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint=(
        "Return the params dict of init_cnn for the images' shape and the number of "
        "classes (8 filters), trained."
    ),
)
def test_train_cnn_numpy_returns_params_for_the_given_sizes(learner):
    rng = np.random.default_rng(14301)
    x, y = rng.normal(size=(20, 7, 6, 2)), rng.integers(0, 5, size=20)
    outcome = train(learner, x, y, 5, epochs=2, batch_size=8, seed=1)
    expect_params(outcome.value, call_text(outcome), shapes_of((7, 6, 2), 5, 8))


@check(
    "train_cnn_numpy",
    after=(
        "train_cnn_numpy_reaches_the_accuracy_on_hidden_images",
        "train_cnn_numpy_is_repeatable_and_uses_the_seed",
    ),
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint="Every step is scaled by the learning_rate argument: with 0 nothing may move.",
)
def test_train_cnn_numpy_with_zero_learning_rate_changes_nothing(learner):
    images = hidden_images()
    x, y = images["x_train"][:64], images["y_train"][:64]
    one = train(learner, x, y, NUM_CLASSES, epochs=1, learning_rate=0.0, seed=2)
    many = train(learner, x, y, NUM_CLASSES, epochs=3, learning_rate=0.0, seed=2)
    shapes = shapes_of((12, 12, 1), 4, 8)
    start, after = (
        expect_params(one.value, call_text(one), shapes),
        expect_params(many.value, call_text(many), shapes),
    )
    for key in KEYS:
        if not np.array_equal(start[key], after[key]):
            fail(f"{call_text(many)} moved {key!r} with learning_rate=0.0; no step may move it.")


@check(
    "train_cnn_numpy",
    after=(),
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint="Seed both init_cnn and the shuffles from the seed argument, so that a run repeats; "
    "keep the default seed=0.",
)
def test_train_cnn_numpy_is_repeatable_and_uses_the_seed(learner):
    images = hidden_images()
    x, y = images["x_train"][:64], images["y_train"][:64]
    shapes = shapes_of((12, 12, 1), 4, 8)
    runs = [train(learner, x, y, NUM_CLASSES, epochs=1, seed=seed) for seed in (5, 5, 6)]
    first, again, other = (expect_params(r.value, call_text(r), shapes) for r in runs)
    if any(not np.array_equal(first[key], again[key]) for key in KEYS):
        fail(f"{call_text(runs[0])} gave different params on two calls with the same seed.")
    if np.array_equal(first["K"], other["K"]):
        fail("train_cnn_numpy with seed=5 and seed=6 returned the same K; use the seed.")


@check(
    "train_cnn_numpy",
    after=(
        "train_cnn_numpy_reaches_the_accuracy_on_hidden_images",
        "train_cnn_numpy_with_zero_learning_rate_changes_nothing",
    ),
    weight=1,
    timeout=TRAIN_TIMEOUT,
    hint="With batch_size equal to the number of examples an epoch is ONE step of your "
    "cnn_loss_and_gradients on all of them: the first batch starts at the first example of "
    "the shuffled order and every batch holds batch_size examples (the last may hold fewer).",
)
def test_train_cnn_numpy_one_batch_of_everything_is_one_gradient_step(learner):
    # found by nnlab verify --mutants: a batch that skips or drops an example still trains
    images = hidden_images()
    x, y = images["x_train"][:40], images["y_train"][:40]
    settings = {"epochs": 1, "batch_size": 40, "seed": 7}
    still = train(learner, x, y, NUM_CLASSES, learning_rate=0.0, **settings)
    stepped = train(learner, x, y, NUM_CLASSES, learning_rate=0.05, **settings)
    shapes = shapes_of((12, 12, 1), 4, 8)
    start = expect_params(still.value, call_text(still), shapes)  # its own initial weights
    got = expect_params(stepped.value, call_text(stepped), shapes)
    # the learner's own gradients (their checks judge them): a batch bug alone fails here
    gradient = learner.call("cnn_loss_and_gradients", start, x, y)
    value = gradient.value
    if not (isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[1], dict)):
        fail(f"{call_text(gradient)} returned {describe_value(value)}, not (loss, grads).")
    grads = value[1]
    for key in KEYS:
        expect_close(
            got[key],
            start[key]
            - 0.05 * as_numeric_array(grads.get(key), call_text(gradient), start[key].shape),
            what=f"{call_text(stepped)}[{key!r}] (one step of 0.05 * your gradient on all 40 "
            "examples, from the params it returns with learning_rate=0.0)",
        )


@check("train_cnn_numpy", weight=1, timeout=TRAIN_TIMEOUT, hint="Do not change x or y in place.")
def test_train_cnn_numpy_leaves_its_inputs_unmodified(learner):
    outcome = trained_with_defaults(learner)

    def judge(got: Any) -> None:  # the right value: a trained network
        params = expect_params(got.value, call_text(got), shapes_of((12, 12, 1), 4, 8))
        if _accuracy(params) < THRESHOLD:
            fail(f"{call_text(got)} did not train to the accuracy of the first check.")

    expect_unmodified(outcome, judge)


# --- predict_classes ---------------------------------------------------------------------------


@check(
    "predict_classes",
    weight=2,
    hint="The class of each image is the position of its largest probability.",
)
def test_predict_classes_matches_reference(learner):
    cases = _forward_cases(14401, ((40, (6, 6, 1), 4, 3), (7, (5, 7, 2), 3, 2)))
    outcomes = learner.call_many("predict_classes", [(params, x) for params, x, _ in cases])
    for (params, x, _), outcome in zip(cases, outcomes, strict=True):
        expect_close(
            outcome, ref.predict_classes(params, x), rtol=0, atol=0, what=call_text(outcome)
        )


@check(
    "predict_classes",
    weight=1,
    hint=(
        "One integer class per image, shape (N,): not a column (N, 1), not one-hot rows, "
        "not floats."
    ),
)
def test_predict_classes_returns_integer_labels_of_shape_n(learner):
    ((params, x, _),) = _forward_cases(14402, ((9, (6, 6, 1), 3, 2),))
    outcome = learner.call("predict_classes", params, x)
    value = np.asarray(outcome.value)
    if value.shape != (9,) or not np.issubdtype(value.dtype, np.integer):
        fail(
            f"{call_text(outcome)} returned shape {value.shape}, dtype {value.dtype}; "
            "expected integer labels of shape (9,)."
        )
    expect_close(value, ref.predict_classes(params, x), rtol=0, atol=0, what=call_text(outcome))


@check("predict_classes", weight=1, hint="Never change params or x in place.")
def test_predict_classes_leaves_its_inputs_unmodified(learner):
    ((params, x, _),) = _forward_cases(14403, ((6, (6, 6, 1), 3, 2),))
    outcome = learner.call("predict_classes", params, x)
    expect_unmodified(outcome, ref.predict_classes(params, x))
    expect_params_unmodified(learner, outcome)
