"""Broken answer for `derivatives`: Overwrites the caller's array (np.asarray does not copy a float64 array)."""

import numpy as np

BROKEN = ("relu_derivative",)


def _sigmoid(z):
    # 1 / (1 + e^-z), computed through tanh so that no exp can overflow
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sigmoid_derivative(z):
    z = np.asarray(z, dtype=float)
    s = _sigmoid(z)
    return s * (1.0 - s)


def tanh_derivative(z):
    z = np.asarray(z, dtype=float)
    t = np.tanh(z)
    return 1.0 - t**2


def arctan_derivative(z):
    z = np.asarray(z, dtype=float)
    return 1.0 / (1.0 + z**2)


def relu_derivative(z):
    z = np.asarray(z, dtype=float)
    positive = z > 0
    z[positive] = 1.0
    z[~positive] = 0.0
    return z  # z == 0 takes the slope on the left: 0


def leaky_relu_derivative(z, alpha=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, alpha)  # z == 0 takes the slope on the left: alpha
