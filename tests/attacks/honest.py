"""A correct `activations` module: every attack in this folder is appended to it.

The attack then redefines (or breaks) what it attacks; the other functions stay right,
so a verdict that is not "passed" is caused by the attack alone.
"""

import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def arctan(z):
    return np.arctan(np.asarray(z, dtype=float))


def relu(z):
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, alpha * z)


def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)
