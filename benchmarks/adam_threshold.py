"""How the `adam` exercise's training thresholds were chosen: a sweep over data seeds.

Run from a checkout:  python benchmarks/adam_threshold.py [--seeds 12]

The hidden data set is the `network` exercise's (grader/reference/network.py: two rings,
400 training + 400 test points). `adam_train` trains at its defaults (n_hidden=16,
learning_rate=0.01) for EPOCHS and for FEW_EPOCHS; every *correct* variant (the model
answer's N(0, 0.5²) start, He and Glorot starts) must clear THRESHOLD at EPOCHS and
FEW_THRESHOLD at FEW_EPOCHS on every seed, and the minimal wrong one (plain gradient descent
at the same learning rate: Adam left out) must stay below both. Momentum, and Adam without
its bias correction, are printed for information (adam_update's checks catch the latter). It also prints how many epochs
plain gradient descent at the same learning rate needs to reach THRESHOLD (the figure the
check's message quotes). Figures are copied next to the constants in grader/test_adam.py.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from nnlab.checks import reference

ref = reference("adam")
network = reference("network")
N_TRAIN, N_HIDDEN, LEARNING_RATE = 400, 16, 0.01
EPOCHS, THRESHOLD = 100, 0.90  # adam_train's defaults must clear THRESHOLD
FEW_EPOCHS, FEW_THRESHOLD = 50, 0.85  # ... and half the epochs FEW_THRESHOLD


def start(kind: str, d: int, rng: np.random.Generator) -> dict:
    scale1, scale2 = {
        "N(0, 0.5²)": (0.5, 0.5),
        "He": (np.sqrt(2 / d), np.sqrt(2 / N_HIDDEN)),
        "Glorot": (np.sqrt(2 / (d + N_HIDDEN)), np.sqrt(2 / (N_HIDDEN + 1))),
    }[kind]
    return {
        "W1": rng.normal(0.0, scale1, (d, N_HIDDEN)),
        "b1": np.zeros(N_HIDDEN),
        "W2": rng.normal(0.0, scale2, (N_HIDDEN, 1)),
        "b2": np.zeros(1),
    }


def adam(params, grads, state, t):
    for key in params:
        m, v = state.get(key, (0.0, 0.0))
        params[key], m, v = ref.adam_update(params[key], grads[key], m, v, t, LEARNING_RATE)
        state[key] = (m, v)


def adam_uncorrected(params, grads, state, t):
    for key in params:
        m, v = state.get(key, (0.0, 0.0))
        m = 0.9 * m + 0.1 * grads[key]
        v = 0.999 * v + 0.001 * grads[key] ** 2
        params[key] = params[key] - LEARNING_RATE * m / (np.sqrt(v) + 1e-7)
        state[key] = (m, v)


def gradient_descent(params, grads, state, t):
    for key in params:
        params[key] = params[key] - LEARNING_RATE * grads[key]


def momentum(params, grads, state, t):
    for key in params:
        params[key], state[key] = ref.momentum_update(
            params[key], grads[key], state.get(key, 0.0), LEARNING_RATE
        )


def train(step: Callable, kind: str, x, y, epochs: int, seed: int = 0) -> dict:
    params, state = start(kind, x.shape[1], np.random.default_rng(seed)), {}
    for t in range(1, epochs + 1):
        _, grads = network.loss_and_gradients(params, x, y)
        step(params, grads, state, t)
    return params


CORRECT = [(adam, "N(0, 0.5²)"), (adam, "He"), (adam, "Glorot")]
WRONG = [
    (gradient_descent, "N(0, 0.5²)"),
    (momentum, "N(0, 0.5²)"),
    (adam_uncorrected, "N(0, 0.5²)"),  # for information: caught by adam_update's checks
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    seeds = range(1013, 1013 + parser.parse_args().seeds)
    started = time.perf_counter()
    for step, kind in CORRECT + WRONG:
        for epochs in (EPOCHS, FEW_EPOCHS):
            scores = []
            for seed in seeds:
                x, y = network.make_dataset(seed)
                params = train(step, kind, x[:N_TRAIN], y[:N_TRAIN], epochs)
                scores.append(ref.accuracy(params, x[N_TRAIN:], y[N_TRAIN:]))
            print(
                f"{step.__name__:18} {kind:11} {epochs:4} epochs: min {min(scores):.3f} "
                f"median {np.median(scores):.3f} max {max(scores):.3f}"
            )
    for target in (FEW_THRESHOLD, THRESHOLD):
        needed = []
        for seed in seeds:
            x, y = network.make_dataset(seed)
            needed.append(
                ref.gradient_descent_epochs(
                    x[:N_TRAIN],
                    y[:N_TRAIN],
                    x[N_TRAIN:],
                    y[N_TRAIN:],
                    target,
                    learning_rate=LEARNING_RATE,
                    most=5000,
                )
            )
        print(
            f"plain gradient descent at learning_rate={LEARNING_RATE} needs {min(needed)}-"
            f"{max(needed)} epochs (median {int(np.median(needed))}) to reach {target}"
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
