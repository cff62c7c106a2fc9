"""Trusted NumPy reference for the `cnn_numpy` exercise (parent side only).

The network is fixed by the contract: x (N, H, W, C) -> Conv2D(F, 3x3, "same") -> ReLU ->
MaxPool(2) (valid: an odd last row or column is dropped) -> Flatten -> Dense(K) -> softmax,
loss = mean categorical cross-entropy on integer labels. Built from the `convolution`,
`pooling` and `conv_backward` references; tests/test_reference_cnn_numpy.py proves the loss
and every gradient against ``tf.GradientTape`` over the same network of TensorFlow ops. The
hidden images are those of `keras_cnn` (grader/reference/keras_cnn.py), drawn from another seed.
"""

from __future__ import annotations

import numpy as np

from nnlab.checks import reference

convolution = reference("convolution")
pooling = reference("pooling")
backward = reference("conv_backward")
images = reference("keras_cnn")

KEYS = ("K", "b", "W", "c")


def init_cnn(input_shape, num_classes: int, filters: int = 8, seed: int = 0) -> dict:
    """He-scaled Gaussian kernels, Glorot-scaled dense weights, zero biases, float64."""
    h, w, c = input_shape
    rng = np.random.default_rng(seed)
    flat = (h // 2) * (w // 2) * filters
    return {
        "K": rng.normal(0.0, np.sqrt(2.0 / (9 * c)), size=(3, 3, c, filters)),
        "b": np.zeros(filters),
        "W": rng.normal(0.0, np.sqrt(2.0 / (flat + num_classes)), size=(flat, num_classes)),
        "c": np.zeros(num_classes),
    }


def _as_params(params: dict) -> dict[str, np.ndarray]:
    return {key: np.asarray(params[key], dtype=np.float64) for key in KEYS}


def _layers(params: dict, x) -> dict[str, np.ndarray]:
    """Every intermediate value of the forward pass."""
    p = _as_params(params)
    x = np.asarray(x, dtype=np.float64)
    z = convolution.conv2d(x, p["K"], p["b"], 1, "same")  # (N, H, W, F)
    a = np.maximum(z, 0.0)
    pooled = pooling.max_pool2d(a, 2, None, "valid")  # (N, H//2, W//2, F)
    flat = pooled.reshape(len(x), -1)  # C order, like keras.layers.Flatten
    logits = flat @ p["W"] + p["c"]  # (N, K)
    return {"x": x, "z": z, "a": a, "pooled": pooled, "flat": flat, "logits": logits}


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cnn_forward(params: dict, x) -> np.ndarray:
    """(N, K) class probabilities."""
    return np.exp(_log_softmax(_layers(params, x)["logits"]))


def loss(params: dict, x, y) -> float:
    """Mean categorical cross-entropy, -mean(log p[n, y[n]]), from the logits (stable)."""
    log_p = _log_softmax(_layers(params, x)["logits"])
    y = np.asarray(y).astype(np.int64).reshape(-1)
    return float(-np.mean(log_p[np.arange(len(y)), y]))


def cnn_loss_and_gradients(params: dict, x, y) -> tuple[float, dict[str, np.ndarray]]:
    """The loss and its gradient for each of K, b, W, c (same keys and shapes)."""
    p = _as_params(params)
    layers = _layers(p, x)
    y = np.asarray(y).astype(np.int64).reshape(-1)
    n = len(y)
    log_p = _log_softmax(layers["logits"])
    d_logits = np.exp(log_p)  # softmax + cross-entropy: (p - one_hot) / N
    d_logits[np.arange(n), y] -= 1.0
    d_logits /= n
    d_pooled = (d_logits @ p["W"].T).reshape(layers["pooled"].shape)  # (N, H//2, W//2, F)
    d_a = backward.max_pool2d_backward(d_pooled, layers["a"], 2, None, "valid")
    d_z = d_a * (layers["z"] > 0)  # relu
    _, d_kernel, d_bias = backward.conv2d_backward(d_z, layers["x"], p["K"], 1, "same")
    grads = {
        "K": d_kernel,
        "b": d_bias,
        "W": layers["flat"].T @ d_logits,  # (D, N) @ (N, K)
        "c": d_logits.sum(axis=0),
    }
    return float(-np.mean(log_p[np.arange(n), y])), grads


def train_cnn_numpy(
    x,
    y,
    num_classes: int,
    epochs: int = 10,
    learning_rate: float = 0.05,
    batch_size: int = 32,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Mini-batch gradient descent from init_cnn, the examples shuffled every epoch."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y).astype(np.int64).reshape(-1)
    params = init_cnn(x.shape[1:], num_classes, seed=seed)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            _, grads = cnn_loss_and_gradients(params, x[batch], y[batch])
            params = {key: params[key] - learning_rate * grads[key] for key in KEYS}
    return params


def predict_classes(params: dict, x) -> np.ndarray:
    """(N,) int64: the most probable class of each image."""
    return np.argmax(_layers(params, x)["logits"], axis=1).astype(np.int64)


def accuracy(params: dict, x, y) -> float:
    return float(np.mean(predict_classes(params, x) == np.asarray(y).reshape(-1)))


# --- what the checks measure with ---------------------------------------------------------------


def numerical_gradients(params: dict, x, y, step: float = 1e-5) -> dict[str, np.ndarray]:
    """Central finite differences of `loss`, entry by entry, for every parameter."""
    base = _as_params(params)
    grads = {}
    for key in KEYS:

        def loss_of(value: np.ndarray, key: str = key) -> float:
            return loss({**base, key: value}, x, y)

        grads[key] = backward.numerical_gradient(loss_of, base[key], step)
    return grads


def image_problem(seed: int, n_train: int = 600, n_test: int = 600, size: int = 12) -> dict:
    """keras_cnn's hidden images: (N, size, size, 1) float32 pictures of 4 shapes, int labels."""
    rng = np.random.default_rng(seed)
    x_train, y_train = images.images(n_train, rng, size)
    x_test, y_test = images.images(n_test, rng, size)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
