"""The `network` reference agrees with Keras and TensorFlow's automatic differentiation.

The hidden checks never import TensorFlow: they compare the learner's gradients with
central finite differences of the reference loss. This module proves, once, that the
reference itself is right: its forward pass equals a Keras `Sequential` holding the same
weights, its loss equals `keras.losses.BinaryCrossentropy`, and its gradients equal
`tf.GradientTape` on a TensorFlow copy of the network, on random networks and at the edges
(one example, dead relu units, all-0 or all-1 labels, large logits). It also checks the
finite-difference helper and the hidden data set the checks rely on.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("network")


def numpy(tensor) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor)


def cases() -> list[tuple[dict, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(31)
    found = []
    for n, d, h in [(8, 2, 16), (30, 3, 5), (1, 4, 4), (12, 1, 2)]:
        params = {
            "W1": rng.normal(size=(d, h)),
            "b1": rng.normal(0.0, 0.5, size=h),
            "W2": rng.normal(size=(h, 1)),
            "b2": rng.normal(0.0, 0.5, size=1),
        }
        x = rng.normal(size=(n, d))
        y = rng.integers(0, 2, size=(n, 1)).astype(np.float64)
        found.append((params, x, y))
    params, x, _ = found[0]
    dead = {**params, "b1": np.where(np.arange(16) % 3 == 0, -50.0, params["b1"])}
    found.append((dead, x, np.zeros((8, 1))))  # a third of the units dead, labels all 0
    found.append((params, x, np.ones((8, 1))))
    return found


def keras_model(params: dict) -> keras.Model:
    d, h = params["W1"].shape
    model = keras.Sequential(
        [
            keras.Input((d,), dtype="float64"),
            keras.layers.Dense(h, activation="relu", dtype="float64"),
            keras.layers.Dense(1, activation="sigmoid", dtype="float64"),
        ]
    )
    model.set_weights([params["W1"], params["b1"], params["W2"], params["b2"]])
    return model


def tape_loss_and_gradients(
    params: dict, x: np.ndarray, y: np.ndarray, loss_from: str
) -> tuple[float, dict]:
    """Loss and gradients of a TensorFlow copy of the network, by tf.GradientTape.

    `loss_from="keras"` applies keras.losses.BinaryCrossentropy to the probabilities (it
    clips at 1e-7 and adds 1e-7 inside its logarithms); `"logits"` uses TensorFlow's exact
    tf.nn.sigmoid_cross_entropy_with_logits, the form the reference computes.
    """
    variables = {key: tf.Variable(value, dtype=tf.float64) for key, value in params.items()}
    with tf.GradientTape() as tape:
        a1 = tf.nn.relu(tf.constant(x) @ variables["W1"] + variables["b1"])
        z2 = a1 @ variables["W2"] + variables["b2"]
        if loss_from == "keras":
            loss = keras.losses.BinaryCrossentropy()(tf.constant(y), tf.sigmoid(z2))
        else:
            loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.constant(y), z2))
    grads = tape.gradient(loss, variables)
    return float(loss), {key: numpy(grad) for key, grad in grads.items()}


@pytest.mark.parametrize("case", range(len(cases())))
def test_forward_matches_a_keras_model_holding_the_same_weights(case: int) -> None:
    params, x, _ = cases()[case]
    expected = numpy(keras_model(params)(x))
    np.testing.assert_allclose(ref.forward(params, x), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", range(len(cases())))
def test_loss_matches_keras_binary_crossentropy(case: int) -> None:
    params, x, y = cases()[case]
    p = ref.forward(params, x)
    expected = float(keras.losses.BinaryCrossentropy()(tf.constant(y), tf.constant(p)))
    # Keras clips at 1e-7 and adds 1e-7 inside its logarithms: agreement to about 1e-7
    assert ref.loss(params, x, y) == pytest.approx(expected, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("case", range(len(cases())))
def test_gradients_match_gradient_tape(case: int) -> None:
    params, x, y = cases()[case]
    loss, grads = ref.loss_and_gradients(params, x, y)
    assert set(grads) == set(params)
    exact_loss, exact = tape_loss_and_gradients(params, x, y, "logits")
    keras_loss, through_keras = tape_loss_and_gradients(params, x, y, "keras")
    assert loss == pytest.approx(exact_loss, rel=1e-12)
    assert loss == pytest.approx(keras_loss, rel=1e-6, abs=1e-6)
    for key in params:
        assert grads[key].shape == params[key].shape
        np.testing.assert_allclose(grads[key], exact[key], rtol=1e-10, atol=1e-14)
        # Keras' epsilon inside the logarithms moves its gradient by about 1e-7 / p
        np.testing.assert_allclose(grads[key], through_keras[key], rtol=1e-4, atol=1e-7)


def test_gradients_match_gradient_tape_for_large_logits() -> None:
    rng = np.random.default_rng(32)
    params = {
        "W1": rng.normal(0.0, 30.0, size=(2, 6)),
        "b1": np.zeros(6),
        "W2": rng.normal(0.0, 30.0, size=(6, 1)),
        "b2": np.zeros(1),
    }
    x = rng.normal(0.0, 30.0, size=(12, 2))
    y = 1.0 - ref.predict(params, x).reshape(-1, 1)  # confidently wrong everywhere
    loss, grads = ref.loss_and_gradients(params, x, y)
    tape_loss, tape_grads = tape_loss_and_gradients(params, x, y, "logits")
    assert np.isfinite(loss) and loss == pytest.approx(tape_loss, rel=1e-12)
    for key in params:
        np.testing.assert_allclose(grads[key], tape_grads[key], rtol=1e-10, atol=1e-12)


def test_finite_differences_and_relative_error_agree_with_the_analytic_gradients() -> None:
    for params, x, y in cases()[:3]:
        _, grads = ref.loss_and_gradients(params, x, y)
        numerical = ref.numerical_gradients(params, x, y)
        for key in params:
            assert ref.relative_error(grads[key], numerical[key]) < 1e-6
            assert ref.relative_error(grads[key] * 2, numerical[key]) > 0.3
    assert ref.relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_hidden_data_set_is_balanced_rings_and_the_reference_trains_on_it() -> None:
    x, y = ref.make_dataset(1013)
    assert x.shape == (800, 2) and y.shape == (800, 1)
    assert set(np.unique(y)) == {0.0, 1.0} and y.mean() == 0.5
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius[y[:, 0] == 0].mean() < 1.2 < 2.3 < radius[y[:, 0] == 1].mean()
    params = ref.train(x[:400], y[:400])
    assert np.mean(ref.predict(params, x[400:]) == y[400:, 0]) >= 0.97
