"""Trusted NumPy reference for the `dense` exercise (parent side; proven against Keras in tests/)."""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    if activation == "linear":
        return z
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * z))  # same function, no exp overflow
    if activation == "tanh":
        return np.tanh(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def dense_forward(x, kernel, bias, activation: str = "linear") -> np.ndarray:
    """`activation(x @ kernel + bias)`: x (N, n_in), kernel (n_in, units), bias (units,)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    x, kernel, bias = (np.asarray(a, dtype=np.float64) for a in (x, kernel, bias))
    if x.ndim != 2 or kernel.ndim != 2 or bias.ndim != 1:
        raise ValueError("expected x (N, n_in), kernel (n_in, units), bias (units,)")
    if x.shape[1] != kernel.shape[0] or bias.shape[0] != kernel.shape[1]:
        raise ValueError(
            f"shapes do not fit: x {x.shape}, kernel {kernel.shape}, bias {bias.shape}"
        )
    return _activate(x @ kernel + bias, activation)


def dense_backward(grad_out, x, kernel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`(grad_x, grad_kernel, grad_bias)` of `x @ kernel + bias` given dLoss/dz `(N, units)`."""
    grad_out, x, kernel = (np.asarray(a, dtype=np.float64) for a in (grad_out, x, kernel))
    return grad_out @ kernel.T, x.T @ grad_out, grad_out.sum(axis=0)
