"""The hidden data of the `keras_model` checks, made here in the parent (nothing is downloaded).

A tabular binary problem that a straight line cannot solve but a small dense network learns
in a few hundred RMSprop steps: the label is 1 when

    s = x0 + x1 - 0.8 * (x2**2 - 1) + 0.8 * x0 * x1 > 0

(a curved boundary with an interaction term). Every further column is pure noise, so the same
rule serves any ``input_dim >= 3``. The test set is balanced (half of each class), so a model
that always answers the same class scores exactly 0.5. Labels of the test set never leave the
parent: the checks send only its inputs to the child and compute the accuracy here.
"""

from __future__ import annotations

import numpy as np


def label(x: np.ndarray) -> np.ndarray:
    """The rule behind the labels: (N, D) -> (N,) of 0.0 / 1.0."""
    s = x[:, 0] + x[:, 1] - 0.8 * (x[:, 2] ** 2 - 1.0) + 0.8 * x[:, 0] * x[:, 1]
    return (s > 0).astype(np.float32)


def binary_problem(
    seed: int, input_dim: int = 4, n_train: int = 640, n_val: int = 200, n_test: int = 1000
) -> dict[str, np.ndarray]:
    """Training, validation and (balanced) test splits, float32 inputs, float32 0/1 labels."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_train + n_val, input_dim)).astype(np.float32)
    y = label(x)
    pool = rng.normal(size=(3 * n_test, input_dim)).astype(np.float32)
    pool_y = label(pool)
    half = n_test // 2
    chosen = np.concatenate(
        [np.flatnonzero(pool_y == 0)[:half], np.flatnonzero(pool_y == 1)[:half]]
    )
    chosen = rng.permutation(chosen)
    return {
        "x_train": x[:n_train],
        "y_train": y[:n_train],
        "x_val": x[n_train:],
        "y_val": y[n_train:],
        "x_test": pool[chosen],
        "y_test": pool_y[chosen],
    }


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows where (probability > 0.5) equals the 0/1 label; probabilities (N,) or (N, 1)."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(len(labels))
    return float(np.mean((p > 0.5) == (np.asarray(labels) > 0.5)))
