"""Broken answer for `losses`: categorical cross-entropy clips only from below (np.maximum), so a perfect prediction costs 0 instead of -log(1 - epsilon)."""

import numpy as np

BROKEN = ("categorical_crossentropy",)
MESSAGE = "predicted 0.995, above 1 - epsilon"


def _same_shape(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}")
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _same_shape(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def binary_crossentropy(y_true, y_pred, epsilon=1e-7):
    y_true, y_pred = _same_shape(y_true, y_pred)
    p = np.clip(y_pred, epsilon, 1 - epsilon)  # a new array: log(0) can no longer happen
    losses = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return float(np.mean(losses))


def categorical_crossentropy(y_true, y_pred, epsilon=1e-7):
    y_true, y_pred = _same_shape(y_true, y_pred)  # (N, K) each
    p = np.maximum(y_pred, epsilon)
    per_example = -np.sum(y_true * np.log(p), axis=-1)  # (N, K) -> (N,)
    return float(np.mean(per_example))
