"""Loop-by-loop answer for `losses`, with epsilon inside the logarithms as Keras 2 wrote it.

It must pass every correctness check: at predictions of exactly 0 and 1 the checks accept
both ways of applying epsilon (clipping alone, or clipping plus epsilon inside the log).
"""

import math

import numpy as np


def _same_shape(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"shapes differ: {y_true.shape} and {y_pred.shape}")
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _same_shape(y_true, y_pred)
    total = 0.0
    for index in np.ndindex(y_true.shape):
        total += (y_true[index] - y_pred[index]) ** 2
    return total / y_true.size


def binary_crossentropy(y_true, y_pred, epsilon=1e-7):
    y_true, y_pred = _same_shape(y_true, y_pred)
    total = 0.0
    for index in np.ndindex(y_true.shape):
        y = y_true[index]
        p = min(max(y_pred[index], epsilon), 1 - epsilon)
        total -= y * math.log(p + epsilon) + (1 - y) * math.log(1 - p + epsilon)
    return total / y_true.size


def categorical_crossentropy(y_true, y_pred, epsilon=1e-7):
    y_true, y_pred = _same_shape(y_true, y_pred)
    n, k = y_true.shape
    total = 0.0
    for i in range(n):
        for j in range(k):
            p = min(max(y_pred[i, j], epsilon), 1 - epsilon)
            total -= y_true[i, j] * math.log(p + epsilon)
    return total / n
