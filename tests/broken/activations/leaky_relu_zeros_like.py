"""Broken leaky_relu: fills np.zeros_like(z), so alpha * z is truncated for int input."""

import numpy as np

BROKEN = ("leaky_relu",)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def arctan(z):
    return np.arctan(np.asarray(z, dtype=float))


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.maximum(z, 0.0)


def leaky_relu(z, alpha=0.01):
    z = np.asarray(z)
    out = np.zeros_like(z)
    out[z > 0] = z[z > 0]
    out[z <= 0] = alpha * z[z <= 0]
    return out


def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    z = z - np.max(z, axis=axis, keepdims=True)  # largest value becomes 0: exp cannot overflow
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)
