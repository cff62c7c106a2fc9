"""Trusted NumPy reference for the `activations` exercise (parent side; also drawn by `nnlab plot`).

Results are float64 whatever the input dtype, so comparisons never lose precision here.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _float(z: Any) -> np.ndarray:
    return np.asarray(z, dtype=np.float64)


def sigmoid(z: Any) -> np.ndarray:
    z = _float(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: no overflow, and full relative precision for z << 0
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(z: Any) -> np.ndarray:
    return np.tanh(_float(z))


def arctan(z: Any) -> np.ndarray:
    return np.arctan(_float(z))


def relu(z: Any) -> np.ndarray:
    z = _float(z)
    return np.where(z > 0, z, 0.0)


def leaky_relu(z: Any, alpha: float = 0.01) -> np.ndarray:
    z = _float(z)
    return np.where(z > 0, z, alpha * z)


def softmax(z: Any, axis: int = -1) -> np.ndarray:
    z = _float(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)
