"""The `derivatives` reference agrees with TensorFlow's automatic differentiation.

The hidden checks never import TensorFlow; this module proves, once, that the NumPy
reference they compare against gives the gradients ``tf.GradientTape`` gives — on random
inputs and exactly at the kink ``z == 0``.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("derivatives")

ACTIVATIONS = {
    "sigmoid_derivative": tf.sigmoid,
    "tanh_derivative": tf.tanh,
    "arctan_derivative": tf.math.atan,
    "relu_derivative": tf.nn.relu,
}


def tape_gradient(activation, z: np.ndarray) -> np.ndarray:
    """d activation(z) / dz, element-wise, by automatic differentiation in float64."""
    variable = tf.constant(z, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(variable)
        output = activation(variable)
    return tape.gradient(output, variable).numpy()


def inputs() -> np.ndarray:
    rng = np.random.default_rng(7)
    random = rng.normal(scale=4.0, size=200)
    edges = [0.0, -0.0, 1e-9, -1e-9, 30.0, -30.0, 1000.0, -1000.0]
    return np.concatenate([random, edges])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_reference_matches_gradient_tape(name: str) -> None:
    z = inputs()
    np.testing.assert_allclose(
        getattr(ref, name)(z.copy()), tape_gradient(ACTIVATIONS[name], z), rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize("alpha", [0.01, 0.2, 0.5])
def test_leaky_relu_reference_matches_gradient_tape(alpha: float) -> None:
    z = inputs()
    expected = tape_gradient(lambda x: tf.nn.leaky_relu(x, alpha=alpha), z)
    np.testing.assert_allclose(ref.leaky_relu_derivative(z.copy(), alpha=alpha), expected)


def test_kinks_take_the_left_slope_like_tensorflow() -> None:
    zero = np.array([0.0])
    assert tape_gradient(tf.nn.relu, zero)[0] == ref.relu_derivative(0.0) == 0.0
    leaky = tape_gradient(lambda x: tf.nn.leaky_relu(x, alpha=0.3), zero)[0]
    assert leaky == pytest.approx(0.3)
    assert ref.leaky_relu_derivative(0.0, alpha=0.3) == pytest.approx(0.3)


def test_reference_keeps_the_input_shape() -> None:
    assert ref.sigmoid_derivative(0.0).shape == ()
    assert ref.leaky_relu_derivative(np.zeros((2, 3, 1)), alpha=0.1).shape == (2, 3, 1)
