"""The hidden images of the `keras_cnn` checks, drawn here in the parent (nothing is downloaded).

Small grayscale pictures, channels last (N, size, size, 1), values around 0..1, each showing
one shape somewhere on a noisy background:

    0  a horizontal bar      1  a vertical bar      2  a diagonal bar (either way)      3  a square blob

Position, length, thickness and brightness vary, and every pixel gets Gaussian noise, so a
model has to find a local pattern wherever it is: what convolution and pooling are for.
Labels are integers 0..3 (use sparse categorical cross-entropy). The test labels never leave
the parent: the checks send only the images and compute the accuracy here.
"""

from __future__ import annotations

import numpy as np

NUM_CLASSES = 4
CLASS_NAMES = ("horizontal bar", "vertical bar", "diagonal bar", "square blob")


def draw(label: int, rng: np.random.Generator, size: int = 16) -> np.ndarray:
    """One (size, size) picture of class ``label`` without noise."""
    image = np.zeros((size, size))
    brightness = rng.uniform(0.7, 1.0)
    if label in (0, 1):
        length, thickness = rng.integers(7, size - 2), rng.integers(1, 3)
        along = rng.integers(0, size - length + 1)
        across = rng.integers(0, size - thickness + 1)
        if label == 0:
            image[across : across + thickness, along : along + length] = brightness
        else:
            image[along : along + length, across : across + thickness] = brightness
    elif label == 2:
        length = rng.integers(7, size - 2)
        row, column = rng.integers(0, size - length + 1, size=2)
        steps = np.arange(length)
        if rng.random() < 0.5:
            image[row + steps, column + steps] = brightness
        else:
            image[row + steps, column + length - 1 - steps] = brightness
    else:
        side = rng.integers(3, 6)
        row, column = rng.integers(0, size - side + 1, size=2)
        image[row : row + side, column : column + side] = brightness
    return image


def images(n: int, rng: np.random.Generator, size: int = 12, noise: float = 0.15):
    """``n`` noisy pictures (N, size, size, 1) float32 and their labels (N,) int64, balanced."""
    labels = rng.permutation(np.arange(n) % NUM_CLASSES)
    x = np.stack([draw(int(label), rng, size) for label in labels])
    x = x + rng.normal(scale=noise, size=x.shape)
    return x[..., np.newaxis].astype(np.float32), labels.astype(np.int64)


def image_problem(
    seed: int, size: int = 12, n_train: int = 600, n_val: int = 200, n_test: int = 600
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    x_train, y_train = images(n_train, rng, size)
    x_val, y_val = images(n_val, rng, size)
    x_test, y_test = images(n_test, rng, size)
    return {
        "x_train": x_train,
        "y_train": y_train,
        "x_val": x_val,
        "y_val": y_val,
        "x_test": x_test,
        "y_test": y_test,
    }


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose most probable class (argmax over the last axis) is the label."""
    p = np.asarray(probabilities, dtype=np.float64)
    return float(np.mean(np.argmax(p, axis=-1) == np.asarray(labels)))
