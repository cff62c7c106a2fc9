"""A correct `activations` answer written element by element with the math module."""

import math

import numpy as np


def _each(function, z):
    z = np.array(z, dtype=float)
    out = np.zeros(z.shape)
    for index in np.ndindex(z.shape):
        out[index] = function(float(z[index]))
    return out


def _sigmoid(v):
    if v >= 0:
        return 1 / (1 + math.exp(-v))
    e = math.exp(v)
    return e / (1 + e)


def sigmoid(z):
    return _each(_sigmoid, z)


def tanh(z):
    return _each(math.tanh, z)


def arctan(z):
    return _each(math.atan, z)


def relu(z):
    return _each(lambda v: v if v > 0 else 0.0, z)


def leaky_relu(z, alpha=0.01):
    return _each(lambda v: v if v > 0 else alpha * v, z)


def softmax(z, axis=-1):
    z = np.array(z, dtype=float)
    if z.ndim == 0:
        return np.array(1.0)
    moved = np.moveaxis(z, axis, -1)
    out = np.zeros(moved.shape)
    for index in np.ndindex(moved.shape[:-1]):
        row = moved[index]
        biggest = max(row)
        exps = [math.exp(v - biggest) for v in row]
        total = sum(exps)
        out[index] = [e / total for e in exps]
    return np.moveaxis(out, -1, axis)
