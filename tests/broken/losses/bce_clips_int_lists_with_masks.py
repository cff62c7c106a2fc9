"""Broken answer for `losses`: Clips with masks on np.array(y_pred), which keeps Python ints as ints: epsilon truncates to 0 and log(0) gives NaN."""

import numpy as np

BROKEN = ("binary_crossentropy",)


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
    y_true = np.array(y_true)
    p = np.array(y_pred)  # a copy, but it keeps the dtype: ints stay ints
    if y_true.shape != p.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has shape {p.shape}")
    p[p < epsilon] = epsilon  # into an int array: 1e-7 becomes 0
    p[p > 1 - epsilon] = 1 - epsilon
    losses = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return float(np.mean(losses))


def categorical_crossentropy(y_true, y_pred, epsilon=1e-7):
    y_true, y_pred = _same_shape(y_true, y_pred)  # (N, K) each
    p = np.clip(y_pred, epsilon, 1 - epsilon)
    per_example = -np.sum(y_true * np.log(p), axis=-1)  # (N, K) -> (N,)
    return float(np.mean(per_example))
