"""Broken answer for `derivatives`: np.ones_like(z) keeps an int z's dtype, so alpha = 0.01 is stored as 0 for integer inputs."""

import numpy as np

BROKEN = ("leaky_relu_derivative",)


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
    return np.where(z > 0, 1.0, 0.0)  # z == 0 takes the slope on the left: 0


def leaky_relu_derivative(z, alpha=0.01):
    z = np.asarray(z)
    grad = np.ones_like(z)  # keeps the dtype of z: ints stay ints
    grad[z <= 0] = alpha
    return grad
