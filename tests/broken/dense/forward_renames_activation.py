"""Broken answer for `dense`: Renames activation to act: a call with activation=... fails."""

import numpy as np

BROKEN = ("dense_forward",)

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax")


def _sigmoid(z):
    # exp of a non-positive number only: no overflow for large |z|
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)  # largest value per row becomes 0
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def dense_forward(x, kernel, bias, act="linear"):
    activation = act
    """Forward pass of a dense layer: `activation(x @ kernel + bias)`, shape (N, units)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; use one of {ACTIVATIONS}")
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    bias = np.asarray(bias, dtype=float)
    if x.ndim != 2 or kernel.ndim != 2 or bias.ndim != 1:
        raise ValueError(
            f"expected x (N, n_in), kernel (n_in, units), bias (units,); "
            f"got {x.shape}, {kernel.shape}, {bias.shape}"
        )
    if kernel.shape[0] != x.shape[1]:
        raise ValueError(f"x has {x.shape[1]} columns but kernel has {kernel.shape[0]} rows")
    if bias.shape[0] != kernel.shape[1]:
        raise ValueError(f"kernel has {kernel.shape[1]} units but bias has {bias.shape[0]} values")

    z = x @ kernel + bias  # (N, n_in) @ (n_in, units) + (units,) -> (N, units)
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "sigmoid":
        return _sigmoid(z)
    if activation == "tanh":
        return np.tanh(z)
    if activation == "softmax":
        return _softmax(z)
    return z


def dense_backward(grad_out, x, kernel):
    """Gradients `(grad_x, grad_kernel, grad_bias)` of `z = x @ kernel + bias`."""
    grad_out = np.asarray(grad_out, dtype=float)
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    grad_x = grad_out @ kernel.T  # (N, units) @ (units, n_in) -> (N, n_in)
    grad_kernel = x.T @ grad_out  # (n_in, N) @ (N, units) -> (n_in, units)
    grad_bias = grad_out.sum(axis=0)  # (N, units) -> (units,)
    return grad_x, grad_kernel, grad_bias
