"""Loop-by-loop answer for `derivatives`: one element at a time with the math module."""

import math

import numpy as np


def _each(z, slope):
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape)
    for index in np.ndindex(z.shape):
        out[index] = slope(float(z[index]))
    return out


def _sigmoid(x):
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)  # x < 0: e^x cannot overflow
    return e / (1 + e)


def sigmoid_derivative(z):
    return _each(z, lambda x: _sigmoid(x) * (1 - _sigmoid(x)))


def tanh_derivative(z):
    return _each(z, lambda x: 1 - math.tanh(x) ** 2)


def arctan_derivative(z):
    return _each(z, lambda x: 1 / (1 + x * x))


def relu_derivative(z):
    return _each(z, lambda x: 1.0 if x > 0 else 0.0)


def leaky_relu_derivative(z, alpha=0.01):
    return _each(z, lambda x: 1.0 if x > 0 else alpha)
