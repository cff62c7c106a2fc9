"""How the `network` exercise's accuracy threshold was chosen: a sweep over data seeds.

Run from a checkout:  python benchmarks/network_threshold.py [--seeds 20]

The hidden data set is `make_dataset` of grader/reference/network.py (two rings, 400
training + 400 test points). Every *correct* implementation below trains at the contract's
defaults (n_hidden=16, epochs=200, learning_rate=0.5) and must clear THRESHOLD on every
seed; the *wrong* ones (no hidden non-linearity, or no training at all) must stay below it.
The figures this prints are copied next to THRESHOLD in grader/test_network.py.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from nnlab.checks import reference

ref = reference("network")
N_TRAIN = 400
EPOCHS, LEARNING_RATE, N_HIDDEN = 200, 0.5, 16


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def gaussian(std1: float, std2: float) -> Callable:
    def init(d: int, h: int, rng: np.random.Generator) -> dict:
        return {
            "W1": rng.normal(0.0, std1, (d, h)),
            "b1": np.zeros(h),
            "W2": rng.normal(0.0, std2, (h, 1)),
            "b2": np.zeros(1),
        }

    return init


def glorot_uniform(d: int, h: int, rng: np.random.Generator) -> dict:
    limit1, limit2 = np.sqrt(6 / (d + h)), np.sqrt(6 / (h + 1))
    return {
        "W1": rng.uniform(-limit1, limit1, (d, h)),
        "b1": np.zeros(h),
        "W2": rng.uniform(-limit2, limit2, (h, 1)),
        "b2": np.zeros(1),
    }


def he(d: int, h: int, rng: np.random.Generator) -> dict:
    return gaussian(np.sqrt(2 / d), np.sqrt(2 / h))(d, h, rng)


def glorot_normal(d: int, h: int, rng: np.random.Generator) -> dict:
    return gaussian(np.sqrt(2 / (d + h)), np.sqrt(2 / (h + 1)))(d, h, rng)


def gradient_descent(init: Callable, batch_size: int | None = None) -> Callable:
    """A correct trainer: `init`, then full-batch (or shuffled mini-batch) gradient descent."""

    def train(x: np.ndarray, y: np.ndarray, seed: int) -> dict:
        rng = np.random.default_rng(seed)
        params = init(x.shape[1], N_HIDDEN, rng)
        n = len(x)
        size = batch_size or n
        for _ in range(EPOCHS):
            order = rng.permutation(n) if batch_size else np.arange(n)
            for start in range(0, n, size):
                rows = order[start : start + size]
                _, grads = ref.loss_and_gradients(params, x[rows], y[rows])
                params = {k: params[k] - LEARNING_RATE * grads[k] for k in params}
        return params

    return train


def logistic_regression(x: np.ndarray, y: np.ndarray, seed: int) -> dict:
    """No hidden layer: the best a straight line can do (trained the same way)."""
    w = np.random.default_rng(seed).normal(0.0, 0.5, (x.shape[1], 1))
    b = np.zeros(1)
    for _ in range(EPOCHS):
        dz = (sigmoid(x @ w + b) - y) / len(x)
        w, b = w - LEARNING_RATE * x.T @ dz, b - LEARNING_RATE * dz.sum(axis=0)
    return {"linear": (w, b)}


def relu_missing(x: np.ndarray, y: np.ndarray, seed: int) -> dict:
    """The two layers without the relu: a linear model in disguise."""
    params = gaussian(0.5, 0.5)(x.shape[1], N_HIDDEN, np.random.default_rng(seed))
    for _ in range(EPOCHS):
        a1 = x @ params["W1"] + params["b1"]
        dz2 = (sigmoid(a1 @ params["W2"] + params["b2"]) - y) / len(x)
        dz1 = dz2 @ params["W2"].T
        grads = {"W1": x.T @ dz1, "b1": dz1.sum(0), "W2": a1.T @ dz2, "b2": dz2.sum(0)}
        params = {k: params[k] - LEARNING_RATE * grads[k] for k in params}
    return {"no_relu": params}


def untrained(x: np.ndarray, y: np.ndarray, seed: int) -> dict:
    return gaussian(0.5, 0.5)(x.shape[1], N_HIDDEN, np.random.default_rng(seed))


def accuracy(params: dict, x: np.ndarray, y: np.ndarray) -> float:
    if "linear" in params:
        w, b = params["linear"]
        labels = (sigmoid(x @ w + b)[:, 0] >= 0.5).astype(int)
    elif "no_relu" in params:
        p = params["no_relu"]
        labels = (((x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"])[:, 0] >= 0).astype(int)
    else:
        labels = ref.predict(params, x)
    return float(np.mean(labels == y[:, 0]))


CORRECT = {
    "full-batch, N(0, 0.5^2)": gradient_descent(gaussian(0.5, 0.5)),
    "full-batch, N(0, 1)": gradient_descent(gaussian(1.0, 1.0)),
    "full-batch, N(0, 0.1^2)": gradient_descent(gaussian(0.1, 0.1)),
    "full-batch, N(0, 0.01^2)": gradient_descent(gaussian(0.01, 0.01)),
    "full-batch, He normal": gradient_descent(he),
    "full-batch, Glorot normal": gradient_descent(glorot_normal),
    "full-batch, Glorot uniform": gradient_descent(glorot_uniform),
    "mini-batch 32, N(0, 0.5^2)": gradient_descent(gaussian(0.5, 0.5), batch_size=32),
    "mini-batch 32, He normal": gradient_descent(he, batch_size=32),
    "reference train": lambda x, y, seed: ref.train(x, y, seed=seed),
}
WRONG = {
    "logistic regression": logistic_regression,
    "relu missing": relu_missing,
    "untrained init": untrained,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="number of data seeds")
    args = parser.parse_args()
    seeds = range(1000, 1000 + args.seeds)
    data = {}
    for seed in seeds:
        x, y = ref.make_dataset(seed)
        data[seed] = (x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:])
    lows: dict[str, float] = {}
    highs: dict[str, float] = {}
    for group, implementations in (("correct", CORRECT), ("wrong", WRONG)):
        print(
            f"{group} implementations ({args.seeds} data seeds): min / median / max test accuracy"
        )
        for name, train in implementations.items():
            started = time.perf_counter()
            scores = [
                accuracy(train(x_tr, y_tr, seed), x_te, y_te)
                for seed, (x_tr, y_tr, x_te, y_te) in data.items()
            ]
            per_run = (time.perf_counter() - started) / len(scores)
            lows[name], highs[name] = min(scores), max(scores)
            print(
                f"  {name:28s} {min(scores):.3f} / {np.median(scores):.3f} / {max(scores):.3f}"
                f"   ({per_run * 1000:.0f} ms per training)"
            )
    worst_correct = min(lows[name] for name in CORRECT)
    best_wrong = max(highs[name] for name in WRONG)
    print(f"worst correct run: {worst_correct:.3f}; best wrong run: {best_wrong:.3f}")


if __name__ == "__main__":
    main()
