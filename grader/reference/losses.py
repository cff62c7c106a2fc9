"""Trusted NumPy reference for the `losses` exercise (runs in the grading parent).

Every loss returns a Python float. Shapes of ``y_true`` and ``y_pred`` must be equal
(no broadcasting: ``(N, 1)`` against ``(N,)`` is a ValueError). Cross-entropies clip
the predicted probabilities to ``[epsilon, 1 - epsilon]`` before taking logarithms.
``tests/test_reference_losses.py`` proves these against ``keras.losses``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _pair(y_true: ArrayLike, y_pred: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.array(y_true, dtype=np.float64)
    y_pred = np.array(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}")
    return y_true, y_pred


def mean_squared_error(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def binary_crossentropy(y_true: ArrayLike, y_pred: ArrayLike, epsilon: float = 1e-7) -> float:
    y_true, y_pred = _pair(y_true, y_pred)
    p = np.clip(y_pred, epsilon, 1.0 - epsilon)
    return float(-np.mean(y_true * np.log(p) + (1.0 - y_true) * np.log(1.0 - p)))


def categorical_crossentropy(y_true: ArrayLike, y_pred: ArrayLike, epsilon: float = 1e-7) -> float:
    y_true, y_pred = _pair(y_true, y_pred)  # (N, K) each
    p = np.clip(y_pred, epsilon, 1.0 - epsilon)
    per_sample = -np.sum(y_true * np.log(p), axis=-1)  # (N, K) -> (N,)
    return float(np.mean(per_sample))
