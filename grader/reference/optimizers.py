"""Trusted NumPy reference for the `optimizers` exercise (parent side; proven against
`keras.optimizers.SGD` and `keras.optimizers.RMSprop` in tests/)."""

from __future__ import annotations

import numpy as np


def minibatches(
    x, y, batch_size: int, seed: int | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """`(x_batch, y_batch)` pairs over a permutation of the rows (the identity when seed is None)."""
    x, y = np.asarray(x), np.asarray(y)
    n = x.shape[0]
    order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    return [
        (x[order[i : i + batch_size]], y[order[i : i + batch_size]])
        for i in range(0, n, batch_size)
    ]


def sgd_update(param, grad, learning_rate: float = 0.01) -> np.ndarray:
    return np.asarray(param, dtype=np.float64) - learning_rate * np.asarray(grad, dtype=np.float64)


def rmsprop_update(
    param, grad, velocity, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7
) -> tuple[np.ndarray, np.ndarray]:
    """Keras' RMSprop (momentum=0, centered=False): epsilon inside the square root."""
    param, grad, velocity = (np.asarray(a, dtype=np.float64) for a in (param, grad, velocity))
    velocity = rho * velocity + (1.0 - rho) * np.square(grad)
    return param - learning_rate * grad / np.sqrt(velocity + epsilon), velocity
