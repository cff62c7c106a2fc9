"""Broken sigmoid: the stable two-mask version writes into np.empty_like(z), which truncates int input."""

import numpy as np

BROKEN = ("sigmoid",)


def sigmoid(z):
    z = np.asarray(z)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    e = np.exp(z[~positive])
    out[~positive] = e / (1 + e)
    return out


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def arctan(z):
    return np.arctan(np.asarray(z, dtype=float))


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
