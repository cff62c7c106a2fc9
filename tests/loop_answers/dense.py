"""A correct `dense` answer written with explicit loops, one weighted sum at a time."""

import math

import numpy as np


def _activate_row(z_row, activation):
    if activation == "linear":
        return list(z_row)
    if activation == "relu":
        return [z if z > 0 else 0.0 for z in z_row]
    if activation == "sigmoid":
        out = []
        for z in z_row:
            if z >= 0:
                out.append(1.0 / (1.0 + math.exp(-z)))
            else:
                e = math.exp(z)
                out.append(e / (1.0 + e))
        return out
    if activation == "tanh":
        return [math.tanh(z) for z in z_row]
    biggest = max(z_row)
    exps = [math.exp(z - biggest) for z in z_row]
    total = sum(exps)
    return [e / total for e in exps]


def dense_forward(x, kernel, bias, activation="linear"):
    if activation not in ("linear", "relu", "sigmoid", "tanh", "softmax"):
        raise ValueError(f"unknown activation {activation}")
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    bias = np.asarray(bias, dtype=float)
    n, n_in = x.shape
    rows, units = kernel.shape
    if rows != n_in or bias.shape != (units,):
        raise ValueError("shapes of x, kernel and bias do not fit together")
    out = np.zeros((n, units))
    for i in range(n):
        z_row = []
        for j in range(units):
            z = bias[j]
            for k in range(n_in):
                z += x[i, k] * kernel[k, j]
            z_row.append(z)
        out[i] = _activate_row(z_row, activation)
    return out


def dense_backward(grad_out, x, kernel):
    grad_out = np.asarray(grad_out, dtype=float)
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    n, n_in = x.shape
    units = kernel.shape[1]
    grad_x = np.zeros((n, n_in))
    grad_kernel = np.zeros((n_in, units))
    grad_bias = np.zeros(units)
    for i in range(n):
        for j in range(units):
            g = grad_out[i, j]
            grad_bias[j] += g
            for k in range(n_in):
                grad_x[i, k] += g * kernel[k, j]
                grad_kernel[k, j] += g * x[i, k]
    return grad_x, grad_kernel, grad_bias
