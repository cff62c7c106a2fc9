"""Trusted NumPy reference for the `derivatives` exercise (runs in the grading parent).

Each ``*_derivative`` is the slope of an activation with respect to ``z``, evaluated at
``z``, element-wise, returning float64 in the input's shape (0-d for a scalar). At the
kink ``z == 0`` ReLU and leaky ReLU take the slope on the left, as TensorFlow's
gradients do. ``tests/test_reference_derivatives.py`` proves these against
``tf.GradientTape``.

The activations themselves are here too: the checks differentiate them numerically
(central differences) to confirm the closed forms away from the kink.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _as_float(z: ArrayLike) -> np.ndarray:
    return np.array(z, dtype=np.float64)  # a copy: the caller's array is never touched


# --- the activations (what the derivatives are slopes of) --------------------------------------


def sigmoid(z: ArrayLike) -> np.ndarray:
    # 1 / (1 + e^-z) written with tanh: no overflow at |z| = 1000
    return 0.5 * (1.0 + np.tanh(0.5 * _as_float(z)))


def tanh(z: ArrayLike) -> np.ndarray:
    return np.tanh(_as_float(z))


def arctan(z: ArrayLike) -> np.ndarray:
    return np.arctan(_as_float(z))


def relu(z: ArrayLike) -> np.ndarray:
    return np.maximum(_as_float(z), 0.0)


def leaky_relu(z: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    z = _as_float(z)
    return np.where(z > 0, z, alpha * z)


# --- the contract functions -------------------------------------------------------------------


def sigmoid_derivative(z: ArrayLike) -> np.ndarray:
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_derivative(z: ArrayLike) -> np.ndarray:
    t = np.tanh(_as_float(z))
    return 1.0 - t * t


def arctan_derivative(z: ArrayLike) -> np.ndarray:
    z = _as_float(z)
    return 1.0 / (1.0 + z * z)


def relu_derivative(z: ArrayLike) -> np.ndarray:
    z = _as_float(z)
    return np.where(z > 0, 1.0, 0.0)  # z == 0 takes the left slope, 0


def leaky_relu_derivative(z: ArrayLike, alpha: float = 0.01) -> np.ndarray:
    z = _as_float(z)
    return np.where(z > 0, 1.0, float(alpha))  # z == 0 takes the left slope, alpha
