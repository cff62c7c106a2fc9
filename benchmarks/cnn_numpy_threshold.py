"""How the `cnn_numpy` exercise's accuracy threshold was chosen: a sweep over seeds.

Run from a checkout:  python benchmarks/cnn_numpy_threshold.py [--seeds 10]

The hidden images are keras_cnn's (grader/reference/keras_cnn.py: 12x12 grey pictures of 4
shapes; 600 to train on, 600 held out), drawn from each seed in turn; the seed also sets the
weights and the shuffles. `train_cnn_numpy` runs at the contract's defaults (10 epochs,
learning_rate 0.05, batches of 32, 8 filters). Correct answers, the model answer's choices
and a deliberately minimal one (batches in order, never shuffled, weights from N(0, 0.1²)),
must clear THRESHOLD on every seed; an untrained network must stay below it. Starts from
smaller weights are printed for information: from N(0, 0.01²) the signal barely crosses
the two layers in 10 epochs (the stub recommends He / Glorot scales, and the check's message
names the cause). So is a network whose convolution is never trained: random filters with a
trained dense layer score well, which is why the gradient checks, not this one, judge the
convolution's gradients. Also prints the seconds a run takes here. The figures are copied
next to THRESHOLD in grader/test_cnn_numpy.py.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from nnlab.checks import reference

ref = reference("cnn_numpy")
THRESHOLD = 0.38
NUM_CLASSES = 4


def train(x, y, seed: int, *, shuffle=True, start_std=None, train_conv=True, epochs=10):
    x = np.asarray(x, dtype=np.float64)
    params = ref.init_cnn(x.shape[1:], NUM_CLASSES, seed=seed)
    rng = np.random.default_rng(seed)
    if start_std is not None:  # every weight from N(0, start_std²) instead of He / Glorot
        params = {
            key: rng.normal(0.0, start_std, value.shape) if key in ("K", "W") else value
            for key, value in params.items()
        }
    for _ in range(epochs):
        order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
        for start in range(0, len(x), 32):
            batch = order[start : start + 32]
            _, grads = ref.cnn_loss_and_gradients(params, x[batch], y[batch])
            for key in params:
                if train_conv or key in ("W", "c"):
                    params[key] = params[key] - 0.05 * grads[key]
    return params


VARIANTS = {
    "model answer": {},
    "minimal (no shuffle, N(0, 0.1²) start)": {"shuffle": False, "start_std": 0.1},
    "wrong: not trained": {"epochs": 0},
    "(info) N(0, 0.05²) start": {"start_std": 0.05},
    "(info) N(0, 0.01²) start, no shuffle": {"shuffle": False, "start_std": 0.01},
    "(info) convolution never trained": {"train_conv": False},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    seeds = range(2000, 2000 + parser.parse_args().seeds)
    problems = {seed: ref.image_problem(seed) for seed in seeds}
    for name, settings in VARIANTS.items():
        scores, seconds = [], []
        for seed in seeds:
            problem = problems[seed]
            started = time.perf_counter()
            params = train(problem["x_train"], problem["y_train"], seed, **settings)
            seconds.append(time.perf_counter() - started)
            scores.append(ref.accuracy(params, problem["x_test"], problem["y_test"]))
        passing = sum(score >= THRESHOLD for score in scores)
        print(
            f"{name:42} min {min(scores):.3f} median {np.median(scores):.3f} "
            f"max {max(scores):.3f}  {passing}/{len(scores)} pass  "
            f"{np.median(seconds):.2f} s a run (median)"
        )


if __name__ == "__main__":
    main()
