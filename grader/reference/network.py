"""Trusted NumPy reference for the `network` exercise (parent side only).

The network is fixed by the contract: x (N, d) -> Dense(h, relu) -> Dense(1, sigmoid),
loss = mean binary cross-entropy. Besides the contract functions this module holds the
central finite-difference gradient the checks compare the learner's backprop with, the
CS231n relative error, and the hidden data set `train` is graded on.
"""

from __future__ import annotations

import numpy as np

KEYS = ("W1", "b1", "W2", "b2")


def init_params(n_in: int, n_hidden: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Small Gaussian weights N(0, 0.5²), zero biases, float64."""
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(0.0, 0.5, size=(n_in, n_hidden)),
        "b1": np.zeros(n_hidden),
        "W2": rng.normal(0.0, 0.5, size=(n_hidden, 1)),
        "b2": np.zeros(1),
    }


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # tanh form: no exp of a large positive number, so no overflow for any z
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _as_params(params: dict) -> dict[str, np.ndarray]:
    return {key: np.asarray(params[key], dtype=np.float64) for key in KEYS}


def logits(params: dict, x: np.ndarray) -> np.ndarray:
    """The output layer's pre-activation z2, (N, 1)."""
    p = _as_params(params)
    x = np.asarray(x, dtype=np.float64)
    hidden = np.maximum(x @ p["W1"] + p["b1"], 0.0)  # (N, d) @ (d, h) -> (N, h)
    return hidden @ p["W2"] + p["b2"]  # (N, h) @ (h, 1) -> (N, 1)


def forward(params: dict, x: np.ndarray) -> np.ndarray:
    """Probabilities, (N, 1)."""
    return _sigmoid(logits(params, x))


def loss(params: dict, x: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy in its stable form, straight from the logits.

    -[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z, and softplus(z) =
    max(z, 0) + log1p(exp(-|z|)) never overflows. For |z| < 16 (probabilities inside
    [1e-7, 1 - 1e-7]) this equals the clipped formula the stub allows.
    """
    z = logits(params, x)
    y = np.asarray(y, dtype=np.float64).reshape(z.shape)
    softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(softplus - y * z))


def loss_and_gradients(
    params: dict, x: np.ndarray, y: np.ndarray
) -> tuple[float, dict[str, np.ndarray]]:
    """The loss and its gradient with respect to every parameter (same keys and shapes)."""
    p = _as_params(params)
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    z1 = x @ p["W1"] + p["b1"]  # (N, h)
    a1 = np.maximum(z1, 0.0)  # (N, h)
    z2 = a1 @ p["W2"] + p["b2"]  # (N, 1)
    prob = _sigmoid(z2)
    y = np.asarray(y, dtype=np.float64).reshape(z2.shape)
    dz2 = (prob - y) / n  # (N, 1): sigmoid + BCE, averaged over N
    dz1 = (dz2 @ p["W2"].T) * (z1 > 0)  # (N, 1) @ (1, h) -> (N, h), relu mask on z1
    grads = {
        "W1": x.T @ dz1,  # (d, N) @ (N, h) -> (d, h)
        "b1": dz1.sum(axis=0),  # (h,)
        "W2": a1.T @ dz2,  # (h, N) @ (N, 1) -> (h, 1)
        "b2": dz2.sum(axis=0),  # (1,)
    }
    return loss(p, x, y), grads


def train(
    x: np.ndarray,
    y: np.ndarray,
    n_hidden: int = 16,
    epochs: int = 200,
    learning_rate: float = 0.5,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Full-batch gradient descent from init_params."""
    x = np.asarray(x, dtype=np.float64)
    params = init_params(x.shape[1], n_hidden, seed)
    for _ in range(epochs):
        _, grads = loss_and_gradients(params, x, y)
        params = {key: params[key] - learning_rate * grads[key] for key in KEYS}
    return params


def predict(params: dict, x: np.ndarray) -> np.ndarray:
    """(N,) int64 labels: 1 where the probability is at least 0.5."""
    return (forward(params, x)[:, 0] >= 0.5).astype(np.int64)


# --- what the checks measure with ---------------------------------------------------------------


def numerical_gradients(
    params: dict, x: np.ndarray, y: np.ndarray, step: float = 1e-5
) -> dict[str, np.ndarray]:
    """Central finite differences (L(w + step) - L(w - step)) / (2 step) of `loss`, per entry."""
    base = _as_params(params)
    grads = {}
    for key in KEYS:
        grad = np.zeros_like(base[key])
        for index in np.ndindex(base[key].shape):
            shifted = {k: v.copy() for k, v in base.items()}
            shifted[key][index] += step
            above = loss(shifted, x, y)
            shifted[key][index] -= 2 * step
            below = loss(shifted, x, y)
            grad[index] = (above - below) / (2 * step)
        grads[key] = grad
    return grads


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """CS231n's max |a - b| / max(1e-8, |a| + |b|), taken element-wise."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # a learner's inf gives NaN: wrong
        return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def make_dataset(seed: int, n: int = 800) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric noisy rings in 2-D: x (n, 2) float64, y (n, 1) of 0/1 (1 = outer ring).

    Radii 1.0 and 2.5 with Gaussian noise of std 0.25 on the radius, angles uniform, half the
    points in each ring. No straight line separates them (a linear classifier stays near 50%),
    yet a relu layer of 16 units learns the round boundary within 200 full-batch steps.
    """
    rng = np.random.default_rng(seed)
    y = np.repeat([0.0, 1.0], n // 2)
    radius = np.where(y == 1, 2.5, 1.0) + rng.normal(0.0, 0.25, size=n)
    angle = rng.uniform(0.0, 2 * np.pi, size=n)
    x = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    order = rng.permutation(n)
    return x[order], y[order].reshape(-1, 1)
