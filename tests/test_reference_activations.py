"""The `activations` reference agrees with Keras and TensorFlow.

The hidden checks never import TensorFlow; this module proves, once, that the NumPy
reference they compare against gives what `keras.activations` and `tf.math.atan` give —
on random inputs of several shapes and at the edges (the kink at 0, |z| = 1000).
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("activations")

KERAS = {
    "sigmoid": keras.activations.sigmoid,
    "tanh": keras.activations.tanh,
    "arctan": tf.math.atan,
    "relu": keras.activations.relu,
}
EDGES = np.array([0.0, -0.0, 1e-9, -1e-9, 1e-300, 30.0, -30.0, 710.0, -710.0, 1000.0, -1000.0])


def numpy(tensor) -> np.ndarray:
    return keras.ops.convert_to_numpy(tensor)


def inputs() -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    return [rng.normal(scale=4.0, size=shape) for shape in [(), (50,), (6, 7), (3, 4, 5)]] + [EDGES]


@pytest.mark.parametrize("name", sorted(KERAS))
def test_reference_matches_keras(name: str) -> None:
    for z in inputs():
        expected = numpy(KERAS[name](tf.constant(z, dtype=tf.float64)))
        got = getattr(ref, name)(z.copy())
        assert got.shape == z.shape
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.3, 0.0])
def test_leaky_relu_reference_matches_keras(alpha: float) -> None:
    for z in inputs():
        expected = numpy(
            keras.activations.leaky_relu(tf.constant(z, dtype=tf.float64), negative_slope=alpha)
        )
        # TensorFlow keeps the slope as a 32-bit float attribute: agreement to float32 precision
        np.testing.assert_allclose(ref.leaky_relu(z.copy(), alpha=alpha), expected, rtol=1e-7)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_reference_matches_keras_along_each_axis(axis: int) -> None:
    rng = np.random.default_rng(12)
    for z in [rng.normal(scale=5.0, size=(4, 6)), rng.normal(scale=5.0, size=(2, 3, 4))]:
        expected = numpy(keras.activations.softmax(tf.constant(z, dtype=tf.float64), axis=axis))
        got = ref.softmax(z.copy(), axis=axis)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(got.sum(axis=axis), 1.0, rtol=1e-12)


def test_softmax_reference_matches_keras_at_1000_without_warnings() -> None:
    z = np.array([[1000.0, 999.0, -1000.0], [-1000.0, 0.0, 1.0], [1000.0, 1000.0, 1000.0]])
    expected = numpy(keras.activations.softmax(tf.constant(z, dtype=tf.float64)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="warn", under="ignore"):
            got = ref.softmax(z.copy())
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


def test_sigmoid_reference_is_finite_and_silent_at_1000() -> None:
    z = np.array([-1000.0, -750.0, 0.0, 750.0, 1000.0])
    expected = numpy(keras.activations.sigmoid(tf.constant(z, dtype=tf.float64)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="warn", under="ignore"):
            got = ref.sigmoid(z.copy())
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)
    assert got[0] == 0.0 and got[-1] == 1.0


def test_softmax_of_a_single_number_is_one() -> None:
    assert ref.softmax(3.0).shape == ()
    assert ref.softmax(3.0) == 1.0


def test_references_leave_their_input_unmodified_and_accept_lists() -> None:
    z = np.linspace(-3.0, 3.0, 13)
    before = z.copy()
    for name in ("sigmoid", "tanh", "arctan", "relu", "leaky_relu", "softmax"):
        getattr(ref, name)(z)
        np.testing.assert_array_equal(z, before)
        np.testing.assert_allclose(getattr(ref, name)(list(z)), getattr(ref, name)(z))
