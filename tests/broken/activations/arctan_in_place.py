"""Broken activations: writes the result into the caller's array (np.arctan(z, out=z))."""

import numpy as np

BROKEN = ("arctan",)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def arctan(z):
    z = np.asarray(z, dtype=float)
    return np.arctan(z, out=z)


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0)


def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    z = z - np.max(z, axis=axis, keepdims=True)  # largest value becomes 0: exp cannot overflow
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)
