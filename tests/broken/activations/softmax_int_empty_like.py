"""Broken softmax: writes the probabilities into np.empty_like(z) (int input -> zeros and ones)."""

import numpy as np

BROKEN = ("softmax",)


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
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def softmax(z, axis=-1):
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    out = np.empty_like(z)
    out[...] = e / np.sum(e, axis=axis, keepdims=True)
    return out
