"""The `cnn_numpy` reference agrees with TensorFlow: the same network built of TensorFlow ops
(`tf.nn.conv2d` "SAME", `tf.nn.relu`, `tf.nn.max_pool2d` 2x2 "VALID", a matmul, softmax
cross-entropy on integer labels), in float64, gives the same probabilities, loss and
`tf.GradientTape` gradients; the gradients agree with central finite differences too; and a
Keras Sequential holding the same weights predicts the same probabilities.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("cnn_numpy")

SIZES = [(4, (6, 6, 1), 3, 2), (3, (5, 7, 2), 4, 3), (5, (12, 12, 1), 4, 8), (2, (9, 8, 3), 2, 1)]


def random_case(rng: np.random.Generator, n, shape, k, f):
    params = ref.init_cnn(shape, k, filters=f, seed=int(rng.integers(1000)))
    params = {key: value + rng.normal(0.0, 0.2, size=value.shape) for key, value in params.items()}
    return params, rng.normal(size=(n, *shape)), rng.integers(0, k, size=n)


def tf_network(params: dict, x: np.ndarray, y: np.ndarray):
    variables = {key: tf.constant(value, tf.float64) for key, value in params.items()}
    with tf.GradientTape() as tape:
        tape.watch(list(variables.values()))
        z = tf.nn.bias_add(
            tf.nn.conv2d(tf.constant(x, tf.float64), variables["K"], 1, "SAME"), variables["b"]
        )
        pooled = tf.nn.max_pool2d(tf.nn.relu(z), 2, 2, "VALID")
        logits = tf.reshape(pooled, (len(x), -1)) @ variables["W"] + variables["c"]
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(y), logits)
        )
    grads = tape.gradient(loss, variables)
    return tf.nn.softmax(logits).numpy(), float(loss), {k: g.numpy() for k, g in grads.items()}


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[1]}-F{size[3]}")
def test_forward_loss_and_gradients_match_gradient_tape(size) -> None:
    rng = np.random.default_rng(sum(size[1]) + size[3])
    for _ in range(3):
        params, x, y = random_case(rng, *size)
        probabilities, loss, grads = tf_network(params, x, y)
        np.testing.assert_allclose(ref.cnn_forward(params, x), probabilities, rtol=1e-10)
        ours_loss, ours = ref.cnn_loss_and_gradients(params, x, y)
        assert ours_loss == pytest.approx(loss, rel=1e-10)
        assert ref.loss(params, x, y) == pytest.approx(loss, rel=1e-10)
        for key in ref.KEYS:
            np.testing.assert_allclose(ours[key], grads[key], rtol=1e-9, atol=1e-12)


def test_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(14)
    worst = 0.0
    for size in SIZES[:2]:
        params, x, y = random_case(rng, *size)
        _, grads = ref.cnn_loss_and_gradients(params, x, y)
        numerical = ref.numerical_gradients(params, x, y)
        for key in ref.KEYS:
            worst = max(
                worst, float(np.max(ref.backward.relative_error(grads[key], numerical[key])))
            )
    assert worst < 1e-6


def test_a_keras_sequential_with_the_same_weights_predicts_the_same() -> None:
    rng = np.random.default_rng(15)
    params, x, _ = random_case(rng, 6, (7, 9, 2), 3, 4)
    model = keras.Sequential(
        [
            keras.Input((7, 9, 2)),
            keras.layers.Conv2D(4, 3, padding="same", activation="relu", dtype="float64"),
            keras.layers.MaxPooling2D(2, dtype="float64"),
            keras.layers.Flatten(dtype="float64"),
            keras.layers.Dense(3, activation="softmax", dtype="float64"),
        ]
    )
    model.set_weights([params["K"], params["b"], params["W"], params["c"]])
    expected = keras.ops.convert_to_numpy(model(x))
    # measured: Keras' float64 max pooling rounds through float32 (relative 1e-8 here)
    np.testing.assert_allclose(ref.cnn_forward(params, x), expected, rtol=1e-6)
    np.testing.assert_array_equal(ref.predict_classes(params, x), expected.argmax(axis=1))
