"""The `losses` reference agrees with ``keras.losses``.

Keras computes in float32, so the agreement is to float32 precision. At predictions of
exactly 0 and 1 the contract asks for the clipped formula within 10%: float32 rounds
``1 - 1e-7``, and Keras 2 also added ``epsilon`` inside its logarithms.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nnlab.checks import reference

pytestmark = pytest.mark.tensorflow

ref = reference("losses")
FLOAT32 = {"rtol": 1e-5, "atol": 1e-6}


def softmax_rows(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    logits = rng.normal(scale=2.0, size=(n, k))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def one_hot(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return np.eye(k)[rng.integers(0, k, size=n)]


@pytest.mark.parametrize("shape", [(6, 1), (5, 3), (4, 2, 3)])
def test_mean_squared_error_matches_keras(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(11)
    y_true, y_pred = rng.normal(size=shape), rng.normal(size=shape)
    expected = float(keras.losses.MeanSquaredError()(y_true, y_pred))
    np.testing.assert_allclose(ref.mean_squared_error(y_true, y_pred), expected, **FLOAT32)


@pytest.mark.parametrize("shape", [(8, 1), (5, 3), (4, 2, 3)])
def test_binary_crossentropy_matches_keras_inside_0_1(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(12)
    y_true = rng.integers(0, 2, size=shape).astype(float)
    y_pred = rng.uniform(0.001, 0.999, size=shape)
    expected = float(keras.losses.BinaryCrossentropy()(y_true, y_pred))
    np.testing.assert_allclose(ref.binary_crossentropy(y_true, y_pred), expected, **FLOAT32)


def test_binary_crossentropy_at_0_and_1_is_within_10_percent_of_keras() -> None:
    y_true = np.array([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0]])
    y_pred = np.array([[0.0, 1.0, 1.0, 0.0, 0.5, 0.3]])
    expected = float(keras.losses.BinaryCrossentropy()(y_true, y_pred))
    got = ref.binary_crossentropy(y_true, y_pred)
    assert np.isfinite(got)
    assert got == pytest.approx(expected, rel=0.10)


@pytest.mark.parametrize("n, k", [(1, 3), (6, 4), (10, 10)])
def test_categorical_crossentropy_matches_keras(n: int, k: int) -> None:
    rng = np.random.default_rng(13)
    y_true, y_pred = one_hot(rng, n, k), softmax_rows(rng, n, k)
    expected = float(keras.losses.CategoricalCrossentropy()(y_true, y_pred))
    np.testing.assert_allclose(ref.categorical_crossentropy(y_true, y_pred), expected, **FLOAT32)


def test_categorical_crossentropy_at_0_and_1_is_within_10_percent_of_keras() -> None:
    y_true = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    y_pred = np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
    expected = float(keras.losses.CategoricalCrossentropy()(y_true, y_pred))
    got = ref.categorical_crossentropy(y_true, y_pred)
    assert np.isfinite(got)
    assert got == pytest.approx(expected, rel=0.10)


def test_reference_refuses_shapes_that_differ() -> None:
    with pytest.raises(ValueError):
        ref.mean_squared_error(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError):
        ref.binary_crossentropy(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError):
        ref.categorical_crossentropy(np.zeros((2, 3)), np.zeros((3, 2)))
