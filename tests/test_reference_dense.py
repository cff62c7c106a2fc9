"""The `dense` reference agrees with Keras: forward with `keras.layers.Dense` holding the
same weights, backward with `tf.GradientTape`.

The layers are built in float64, so the agreement is close to float64 precision; one case
runs Keras' default float32 to show the reference also fits what learners see in Keras.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("dense")

# (N, n_in, units), including a single example and a single unit
SHAPES = [(1, 1, 1), (1, 4, 3), (5, 3, 1), (8, 6, 4), (32, 10, 7)]


def keras_dense(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, activation: str, dtype: str):
    layer = keras.layers.Dense(kernel.shape[1], activation=activation, dtype=dtype)
    layer.build((None, kernel.shape[0]))
    layer.set_weights([kernel, bias])
    return keras.ops.convert_to_numpy(layer(x.astype(dtype)))


def case(seed: int, n: int, n_in: int, units: int, scale: float = 1.5):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(scale=scale, size=(n, n_in)),
        rng.normal(size=(n_in, units)),
        rng.normal(size=(units,)),
    )


@pytest.mark.filterwarnings("ignore:You are using a softmax over axis")  # units=1 on purpose
@pytest.mark.parametrize("activation", ref.ACTIVATIONS)
def test_forward_matches_keras_dense_for_every_activation(activation: str) -> None:
    for seed, shape in enumerate(SHAPES):
        x, kernel, bias = case(seed, *shape)
        expected = keras_dense(x, kernel, bias, activation, "float64")
        got = ref.dense_forward(x, kernel, bias, activation)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_forward_matches_keras_dense_for_large_preactivations(activation: str) -> None:
    x = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.5]])
    kernel = np.array([[1000.0, -1000.0, 0.0], [0.0, 800.0, -900.0]])
    bias = np.array([0.0, 10.0, -5.0])
    expected = keras_dense(x, kernel, bias, activation, "float64")
    got = ref.dense_forward(x, kernel, bias, activation)
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_forward_matches_keras_default_float32_layer() -> None:
    x, kernel, bias = case(7, 16, 5, 4)
    for activation in ref.ACTIVATIONS:
        expected = keras_dense(x, kernel, bias, activation, "float32")
        got = ref.dense_forward(x.astype(np.float32), kernel, bias, activation)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_keras_rejects_what_the_reference_rejects() -> None:
    x, kernel, bias = case(8, 4, 3, 5)
    with pytest.raises(ValueError):
        ref.dense_forward(x, kernel, bias, "softplus-ish")
    with pytest.raises(ValueError):
        keras.activations.get("softplus-ish")
    for bad in [(x, kernel[:2], bias), (x, kernel, bias[:1]), (x, kernel, np.append(bias, 0.5))]:
        with pytest.raises(ValueError):
            ref.dense_forward(*bad)


@pytest.mark.parametrize("shape", [*SHAPES, (4, 5, 5)])
def test_backward_matches_gradient_tape(shape: tuple[int, int, int]) -> None:
    x, kernel, bias = case(sum(shape), *shape)
    upstream = np.random.default_rng(99).normal(size=(shape[0], shape[2]))
    tx, tk, tb = (tf.Variable(a, dtype=tf.float64) for a in (x, kernel, bias))
    with tf.GradientTape() as tape:
        z = tf.matmul(tx, tk) + tb
        loss = tf.reduce_sum(z * upstream)  # d loss / d z = upstream
    expected = [g.numpy() for g in tape.gradient(loss, [tx, tk, tb])]
    got = ref.dense_backward(upstream, x, kernel)
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-12)


def test_backward_matches_gradient_tape_through_a_keras_dense_layer() -> None:
    x, kernel, bias = case(5, 6, 4, 3)
    upstream = np.random.default_rng(5).normal(size=(6, 3))
    layer = keras.layers.Dense(3, dtype="float64")
    layer.build((None, 4))
    layer.set_weights([kernel, bias])
    tx = tf.Variable(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(tx) * upstream)
    grad_x, grad_kernel, grad_bias = tape.gradient(loss, [tx, layer.kernel, layer.bias])
    got = ref.dense_backward(upstream, x, kernel)
    for g, e in zip(got, (grad_x, grad_kernel, grad_bias), strict=True):
        np.testing.assert_allclose(g, keras.ops.convert_to_numpy(e), rtol=1e-12, atol=1e-12)
