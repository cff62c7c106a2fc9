"""The broad random probe that tells an equivalent mutant (:mod:`nnlab.mutation`) apart.

A mutant the checks do not kill is *equivalent* when every contract function it can change
gives the model answer's results on every call below: the same type, shape and dtype, values
within ``rtol=1e-9, atol=1e-12`` (NaN equal to NaN), the same exception type when the model
answer raises. Both run in the sandbox (a child per module, as grading runs them); the
parent only builds the inputs and compares the replies.

The calls, per exercise and function, come from ``numpy.random.default_rng([seed, k])``
(``seed`` is the mutation run's, 0 by default; ``k`` numbers the functions), ``ROUNDS``
calls each unless said otherwise:

- values: normal with scale 3, with exact zeros and a few large ones (+-800) mixed in;
  float64 mostly, float32 and int64 arrays and plain lists too;
- shapes: scalars and 1-D to 4-D arrays of sizes 1 to 5 (images: N 1-3, H and W 1-7,
  C 1-3; kernels and windows 1-3, strides 1-3, "valid" and "same"), odd sizes included;
- keyword arguments: the contract's defaults and random values (alpha, axis, epsilon,
  learning rates, seeds, ...); probabilities in [0, 1] with exact 0 and 1 for the losses;
- a few wrong inputs (shapes that do not fit, unknown padding or activation names), so that
  a mutant that stops raising the model answer's ValueError differs;
- training functions (``train``, ``adam_train``, ``train_cnn_numpy``): 3 small problems of
  a few epochs each.

The Keras exercises return objects that stay in the child (a model, a History, a Figure), so
their probe (:func:`keras_calls`, ``KERAS_ROUNDS`` calls per function) compares what the
course's trusted helpers (``grader/probes/keras.py``) make of them, not the objects:

- ``build_model(input_dim)``, ``build_cnn(input_shape, num_classes)``: the model's
  description (``describe_model``: each layer's class, units, activation, shapes, the
  parameter count, the optimizer, its learning rate, the loss and the metrics), for input
  sizes 2-24, images of 12-16 pixels a side with 1-3 channels, and 2-6 classes;
- ``train_model``, ``train_cnn``: given a fresh reference network (``reference_model``,
  ``reference_cnn``) whose fit stops after its first batch, what fit was asked to do
  (``fit_report``: epochs, steps per epoch, calls) and the returned history (keys, values),
  on random problems of 40-64 training and 16-24 validation examples, with the contract's
  defaults and with random ``epochs`` (2-6) and ``batch_size`` (4-16);
- ``plot_history(history)``: the figure's description (``describe_figure``: axes labels,
  title, each line's label and data, the legend) for random histories of 2-8 epochs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

ROUNDS = 24
TRAINING_ROUNDS = 3
RTOL = 1e-9
ATOL = 1e-12

Call = tuple[tuple[Any, ...], dict[str, Any]]
Rng = np.random.Generator


def values(rng: Rng, shape: tuple[int, ...], dtype: Any = float) -> np.ndarray:
    """Normal values (scale 3) with exact zeros and a few large ones mixed in."""
    out = rng.normal(0.0, 3.0, size=shape)
    if out.size:
        flat = out.reshape(-1)
        flat[rng.random(flat.size) < 0.15] = 0.0
        flat[rng.random(flat.size) < 0.05] = rng.choice([-800.0, 800.0])
    if np.dtype(dtype).kind in "iu":
        return np.round(out).astype(dtype)
    return out.astype(dtype)


def shape(rng: Rng, low: int = 0, high: int = 4) -> tuple[int, ...]:
    return tuple(int(size) for size in rng.integers(1, 6, size=int(rng.integers(low, high + 1))))


def any_array(rng: Rng, low: int = 0, high: int = 4) -> Any:
    """An array in one of several dtypes, or sometimes a plain list."""
    kind = rng.choice(["float64", "float64", "float32", "int64", "list"])
    wanted = shape(rng, low, high)
    if kind == "list":
        return values(rng, wanted).tolist()
    return values(rng, wanted, np.dtype(str(kind)))


def _small(rng: Rng, shape_: tuple[int, ...]) -> np.ndarray:
    return rng.normal(0.0, 1.0, size=shape_)


def _probabilities(rng: Rng, shape_: tuple[int, ...]) -> np.ndarray:
    p = rng.random(shape_)
    flat = p.reshape(-1)
    flat[rng.random(flat.size) < 0.1] = 0.0
    flat[rng.random(flat.size) < 0.1] = 1.0
    return p


def _one_hot(rng: Rng, n: int, k: int) -> np.ndarray:
    return np.eye(k)[rng.integers(0, k, size=n)]


def _out(n: int, window: int, stride: int, padding: str) -> int:
    return math.ceil(n / stride) if padding == "same" else (n - window) // stride + 1


def _pair(rng: Rng, low: int, high: int) -> Any:
    return (
        int(rng.integers(low, high + 1))
        if rng.random() < 0.6
        else (
            int(rng.integers(low, high + 1)),
            int(rng.integers(low, high + 1)),
        )
    )


def _two(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else value


# --- per exercise: function -> one random call ----------------------------------------------


def _tensors(rng: Rng) -> dict[str, Callable[[], Call]]:
    def shapes_pair() -> tuple[tuple[int, ...], tuple[int, ...]]:
        a = shape(rng, 0, 4)
        b = tuple(
            1 if rng.random() < 0.3 else size for size in a[int(rng.integers(0, len(a) + 1)) :]
        )
        if rng.random() < 0.5:
            a, b = b, a
        if rng.random() < 0.2 and a:  # not compatible
            a = (*a[:-1], a[-1] + 1) if a[-1] > 1 else a
        return a, b

    def matmul() -> Call:
        n, k, m = (int(v) for v in rng.integers(1, 5, size=3))
        b_rows = k if rng.random() < 0.8 else k + 1
        if rng.random() < 0.1:
            return (values(rng, (k,)), values(rng, (k, m))), {}
        return (values(rng, (n, k)), values(rng, (b_rows, m))), {}

    def broadcast_add() -> Call:
        a, b = shapes_pair()
        return (values(rng, a), values(rng, b)), {}

    def elementwise_add() -> Call:
        a = shape(rng, 0, 3)
        b = a if rng.random() < 0.8 else shape(rng, 0, 3)
        return (any_array_of(a), any_array_of(b)), {}

    def any_array_of(wanted: tuple[int, ...]) -> Any:
        return values(rng, wanted, rng.choice([np.float64, np.float32, np.int64]))

    return {
        "rank": lambda: ((any_array(rng),), {}),
        "describe": lambda: ((any_array(rng),), {}),
        "broadcast_shape": lambda: (shapes_pair(), {}),
        "elementwise_add": elementwise_add,
        "broadcast_add": broadcast_add,
        "matmul": matmul,
        "batch_flatten": lambda: ((any_array(rng, 1, 4),), {}),
    }


def _activations(rng: Rng) -> dict[str, Callable[[], Call]]:
    def z() -> Any:
        return any_array(rng, 0, 3)

    def softmax() -> Call:
        wanted = shape(rng, 1, 3)
        axis = int(rng.integers(-len(wanted), len(wanted)))
        kwargs = {} if rng.random() < 0.3 else {"axis": axis}
        return (values(rng, wanted),), kwargs

    one = {"tanh", "arctan", "relu", "sigmoid"}
    makers: dict[str, Callable[[], Call]] = {name: (lambda: ((z(),), {})) for name in one}
    makers["leaky_relu"] = lambda: (
        (z(),),
        {} if rng.random() < 0.3 else {"alpha": float(rng.random())},
    )
    makers["softmax"] = softmax
    return makers


def _derivatives(rng: Rng) -> dict[str, Callable[[], Call]]:
    makers: dict[str, Callable[[], Call]] = {
        name: (lambda: ((any_array(rng, 0, 3),), {}))
        for name in (
            "sigmoid_derivative",
            "tanh_derivative",
            "arctan_derivative",
            "relu_derivative",
        )
    }
    makers["leaky_relu_derivative"] = lambda: (
        (any_array(rng, 0, 3),),
        {} if rng.random() < 0.3 else {"alpha": float(rng.random())},
    )
    return makers


def _losses(rng: Rng) -> dict[str, Callable[[], Call]]:
    def pair(binary: bool) -> Call:
        n, k = (int(v) for v in rng.integers(1, 6, size=2))
        wanted = (n,) if binary and rng.random() < 0.5 else (n, k)
        y_true = rng.integers(0, 2, size=wanted).astype(float) if binary else _one_hot(rng, n, k)
        y_pred = _probabilities(rng, wanted)
        if not binary:
            y_pred = y_pred / np.maximum(y_pred.sum(axis=-1, keepdims=True), 1e-3)
        if rng.random() < 0.1:
            y_pred = y_pred[..., :-1] if y_pred.shape[-1] > 1 else y_pred.reshape(-1)[:0]
        kwargs = {"epsilon": float(10.0 ** rng.integers(-9, -2))} if rng.random() < 0.3 else {}
        return (y_true, y_pred), kwargs

    def mse() -> Call:
        wanted = shape(rng, 1, 3)
        other = wanted if rng.random() < 0.9 else shape(rng, 1, 3)
        return (values(rng, wanted), values(rng, other)), {}

    return {
        "mean_squared_error": mse,
        "binary_crossentropy": lambda: pair(True),
        "categorical_crossentropy": lambda: pair(False),
    }


def _dense(rng: Rng) -> dict[str, Callable[[], Call]]:
    def forward() -> Call:
        n, n_in, units = (int(v) for v in rng.integers(1, 6, size=3))
        activation = str(rng.choice(["linear", "relu", "sigmoid", "tanh", "softmax", "softplus"]))
        x, kernel, bias = values(rng, (n, n_in)), _small(rng, (n_in, units)), _small(rng, (units,))
        wrong = rng.random()
        if wrong < 0.05:
            kernel = _small(rng, (n_in + 1, units))
        elif wrong < 0.1:
            bias = _small(rng, (units + 1,))
        elif wrong < 0.15:
            x = x.reshape(-1)
        kwargs = {} if activation == "linear" and rng.random() < 0.5 else {"activation": activation}
        return (x, kernel, bias), kwargs

    def backward() -> Call:
        n, n_in, units = (int(v) for v in rng.integers(1, 6, size=3))
        return (_small(rng, (n, units)), values(rng, (n, n_in)), _small(rng, (n_in, units))), {}

    return {"dense_forward": forward, "dense_backward": backward}


def _image(rng: Rng) -> np.ndarray:
    n, c = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    h, w = (int(v) for v in rng.integers(1, 8, size=2))
    return values(rng, (n, h, w, c))


def _convolution(rng: Rng) -> dict[str, Callable[[], Call]]:
    def output_size() -> Call:
        n, k, s = int(rng.integers(1, 12)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
        padding = str(rng.choice(["valid", "same", "full"], p=[0.45, 0.45, 0.1]))
        return (n, min(k, n)), {"stride": s, "padding": padding}

    def pad() -> Call:
        x = _image(rng)
        if rng.random() < 0.5:
            return (x, int(rng.integers(0, 3))), {}
        return (x, tuple(tuple(int(v) for v in rng.integers(0, 3, size=2)) for _ in range(2))), {}

    def conv() -> Call:
        x = _image(rng)
        kh, kw = (int(rng.integers(1, min(size, 3) + 1)) for size in x.shape[1:3])
        kernel = _small(rng, (kh, kw, x.shape[3], int(rng.integers(1, 4))))
        bias = _small(rng, (kernel.shape[3],)) if rng.random() < 0.6 else None
        padding = str(rng.choice(["valid", "same", "full"], p=[0.45, 0.45, 0.1]))
        kwargs: dict[str, Any] = {"stride": _pair(rng, 1, 3), "padding": padding}
        return (x, kernel), (kwargs | {"bias": bias} if bias is not None else kwargs)

    return {"conv_output_size": output_size, "zero_pad": pad, "conv2d": conv}


def _pool_call(rng: Rng) -> tuple[np.ndarray, dict[str, Any]]:
    x = _image(rng)
    size = _pair(rng, 1, 3)
    ph, pw = _two(size)
    if ph > x.shape[1] or pw > x.shape[2]:
        size = 1
    kwargs: dict[str, Any] = {"pool_size": size}
    if rng.random() < 0.6:
        kwargs["strides"] = _pair(rng, 1, 3)
    kwargs["padding"] = str(rng.choice(["valid", "same", "full"], p=[0.45, 0.45, 0.1]))
    return x, kwargs


def _pooling(rng: Rng) -> dict[str, Callable[[], Call]]:
    def pool() -> Call:
        x, kwargs = _pool_call(rng)
        return (x,), kwargs

    return {"max_pool2d": pool, "average_pool2d": pool}


def _conv_backward(rng: Rng) -> dict[str, Callable[[], Call]]:
    def grad_for(
        x: np.ndarray, window: tuple[int, int], steps: tuple[int, int], padding: str, c: int
    ) -> np.ndarray:
        pad = padding if padding in ("valid", "same") else "valid"
        h = _out(x.shape[1], window[0], steps[0], pad)
        w = _out(x.shape[2], window[1], steps[1], pad)
        shape_ = (x.shape[0], max(h, 1), max(w, 1), c)
        if rng.random() < 0.05:
            shape_ = (shape_[0], shape_[1] + 1, shape_[2], c)
        return _small(rng, shape_)

    def conv() -> Call:
        x = _image(rng)
        kh, kw = (int(rng.integers(1, min(size, 3) + 1)) for size in x.shape[1:3])
        kernel = _small(rng, (kh, kw, x.shape[3], int(rng.integers(1, 4))))
        stride = _pair(rng, 1, 3)
        padding = str(rng.choice(["valid", "same", "full"], p=[0.45, 0.45, 0.1]))
        grad = grad_for(x, (kh, kw), _two(stride), padding, kernel.shape[3])
        return (grad, x, kernel), {"stride": stride, "padding": padding}

    def pool() -> Call:
        x, kwargs = _pool_call(rng)
        window = _two(kwargs["pool_size"])
        steps = _two(kwargs.get("strides") or kwargs["pool_size"])
        return (grad_for(x, window, steps, kwargs["padding"], x.shape[3]), x), kwargs

    return {
        "conv2d_backward": conv,
        "max_pool2d_backward": pool,
        "average_pool2d_backward": pool,
    }


def _optimizers(rng: Rng) -> dict[str, Callable[[], Call]]:
    def batches() -> Call:
        n = int(rng.integers(1, 12))
        x = values(rng, (n, int(rng.integers(1, 4))))
        y = np.arange(n) if rng.random() < 0.9 else np.arange(n + 1)
        kwargs = {"seed": int(rng.integers(0, 100))} if rng.random() < 0.5 else {}
        return (x, y, int(rng.integers(1, n + 2))), kwargs

    def sgd() -> Call:
        wanted = shape(rng, 0, 3)
        kwargs = {"learning_rate": float(rng.random())} if rng.random() < 0.6 else {}
        return (values(rng, wanted), values(rng, wanted)), kwargs

    def rmsprop() -> Call:
        wanted = shape(rng, 0, 3)
        velocity = rng.random(wanted) if rng.random() < 0.7 else np.zeros(wanted)
        kwargs: dict[str, Any] = {}
        if rng.random() < 0.6:
            kwargs = {"learning_rate": float(rng.random()), "rho": float(rng.random())}
        return (_small(rng, wanted), _small(rng, wanted), velocity), kwargs

    return {"minibatches": batches, "sgd_update": sgd, "rmsprop_update": rmsprop}


def _two_layer(rng: Rng, n_in: int, n_hidden: int) -> dict[str, np.ndarray]:
    return {
        "W1": _small(rng, (n_in, n_hidden)),
        "b1": _small(rng, (n_hidden,)),
        "W2": _small(rng, (n_hidden, 1)) * 3,
        "b2": _small(rng, (1,)),
    }


def _binary_problem(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    n, d = int(rng.integers(2, 12)), int(rng.integers(1, 4))
    x = _small(rng, (n, d)) * 2
    y = (x[:, 0] + rng.normal(0, 0.5, size=n) > 0).astype(float)
    return x, (y.reshape(-1, 1) if rng.random() < 0.5 else y)


def _network(rng: Rng) -> dict[str, Callable[[], Call]]:
    def with_params(labels: bool) -> Call:
        x, y = _binary_problem(rng)
        params = _two_layer(rng, x.shape[1], int(rng.integers(1, 6)))
        return ((params, x, y) if labels else (params, x)), {}

    def train() -> Call:
        x, y = _binary_problem(rng)
        kwargs = {"n_hidden": int(rng.integers(1, 6)), "epochs": int(rng.integers(1, 8))}
        return (x, y), kwargs | {"learning_rate": float(rng.random()), "seed": int(rng.integers(9))}

    return {
        "init_params": lambda: (
            (int(rng.integers(1, 5)), int(rng.integers(1, 6))),
            {"seed": int(rng.integers(9))},
        ),
        "forward": lambda: with_params(False),
        "loss_and_gradients": lambda: with_params(True),
        "train": train,
        "predict": lambda: with_params(False),
    }


def _adam(rng: Rng) -> dict[str, Callable[[], Call]]:
    def momentum() -> Call:
        wanted = shape(rng, 0, 3)
        kwargs = {"learning_rate": float(rng.random()), "momentum": float(rng.random())}
        arrays = (_small(rng, wanted), _small(rng, wanted), _small(rng, wanted))
        return arrays, kwargs if rng.random() < 0.6 else {}

    def adam() -> Call:
        wanted = shape(rng, 0, 3)
        arrays = (_small(rng, wanted), _small(rng, wanted), _small(rng, wanted), rng.random(wanted))
        kwargs: dict[str, Any] = {}
        if rng.random() < 0.6:
            kwargs = {
                "learning_rate": float(rng.random()),
                "beta_1": float(rng.random()),
                "beta_2": float(rng.random()),
            }
        return (*arrays, int(rng.integers(1, 12))), kwargs

    def train() -> Call:
        x, y = _binary_problem(rng)
        kwargs = {"n_hidden": int(rng.integers(1, 6)), "epochs": int(rng.integers(1, 8))}
        return (x, y), kwargs | {"learning_rate": float(rng.random()), "seed": int(rng.integers(9))}

    return {"momentum_update": momentum, "adam_update": adam, "adam_train": train}


def _cnn_numpy(rng: Rng) -> dict[str, Callable[[], Call]]:
    def problem() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, int]:
        n, c, f, k = (int(v) for v in rng.integers(1, 4, size=4))
        k += 1
        h, w = (int(v) for v in rng.integers(2, 8, size=2))
        params = {
            "K": _small(rng, (3, 3, c, f)),
            "b": _small(rng, (f,)) * 0.1,
            "W": _small(rng, ((h // 2) * (w // 2) * f, k)),
            "c": _small(rng, (k,)),
        }
        return params, values(rng, (n, h, w, c)) / 100, rng.integers(0, k, size=n), k

    def train() -> Call:
        _, x, y, k = problem()
        kwargs = {"epochs": int(rng.integers(1, 3)), "batch_size": int(rng.integers(1, 4))}
        return (x, y, k), kwargs | {
            "learning_rate": float(rng.random()),
            "seed": int(rng.integers(9)),
        }

    def init() -> Call:
        shape_ = tuple(int(v) for v in rng.integers(1, 8, size=3))
        kwargs = {"filters": int(rng.integers(1, 5)), "seed": int(rng.integers(9))}
        return (shape_, int(rng.integers(2, 5))), kwargs

    def with_params(labels: bool) -> Call:
        params, x, y, _ = problem()
        return ((params, x, y) if labels else (params, x)), {}

    return {
        "init_cnn": init,
        "cnn_forward": lambda: with_params(False),
        "cnn_loss_and_gradients": lambda: with_params(True),
        "train_cnn_numpy": train,
        "predict_classes": lambda: with_params(False),
    }


MAKERS: dict[str, Callable[[Rng], dict[str, Callable[[], Call]]]] = {
    "tensors": _tensors,
    "activations": _activations,
    "derivatives": _derivatives,
    "losses": _losses,
    "dense": _dense,
    "convolution": _convolution,
    "pooling": _pooling,
    "conv_backward": _conv_backward,
    "optimizers": _optimizers,
    "network": _network,
    "adam": _adam,
    "cnn_numpy": _cnn_numpy,
}
TRAINING = {"train", "adam_train", "train_cnn_numpy"}


def calls(slug: str, functions: list[str], seed: int = 0) -> dict[str, list[Call]]:
    """The probe of ``slug``: function -> its calls (empty for an exercise without makers)."""
    if slug not in MAKERS:
        return {}
    probe: dict[str, list[Call]] = {}
    for number, function in enumerate(functions):
        rng = np.random.default_rng([seed, number])
        maker = MAKERS[slug](rng).get(function)
        if maker is None:
            continue
        rounds = TRAINING_ROUNDS if function in TRAINING else ROUNDS
        probe[function] = [maker() for _ in range(rounds)]
    return probe


def same(a: Any, b: Any) -> bool:
    """Whether two results (as the sandbox returns them) agree, to the probe's tolerance."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))
        return bool(np.array_equal(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (float, np.floating)):
        return bool(np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return repr(a) == repr(b)


def difference(a: Any, b: Any) -> float | None:
    """The largest absolute difference between two numeric results of the same structure
    (None when they differ otherwise: type, shape, keys, a raised exception)."""
    if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
        parts = [difference(a[key], b[key]) for key in a]
    elif isinstance(a, (list, tuple)) and type(a) is type(b) and len(a) == len(b):
        parts = [difference(x, y) for x, y in zip(a, b, strict=True)]
    else:
        try:
            x, y = np.asarray(a), np.asarray(b)
        except (TypeError, ValueError):
            return None
        if x.shape != y.shape or x.dtype.kind not in "biuf" or y.dtype.kind not in "biuf":
            return None
        if x.size == 0:
            return 0.0
        with np.errstate(invalid="ignore"):
            gaps = np.abs(x.astype(float) - y.astype(float))
        same_nan = np.isnan(x.astype(float)) & np.isnan(y.astype(float))
        return float(np.max(np.where(same_nan, 0.0, gaps)))
    if any(part is None for part in parts):
        return None
    return max([p for p in parts if p is not None], default=0.0)


# --- the Keras exercises -----------------------------------------------------------------------

KERAS_ROUNDS = 3
KerasCall = dict[str, Any]  # {"kind": "build" | "train" | "plot", ...}: see keras_calls


def _keras_problem(rng: Rng, size: int, images: tuple[int, int, int] | None) -> dict[str, Any]:
    """Training and validation data: ``size`` features and 0/1 labels, or (with ``images``,
    one image's shape) images and labels of ``size`` classes."""
    n_train, n_val = int(rng.integers(40, 65)), int(rng.integers(16, 25))
    if images is None:
        w = rng.normal(size=(size, 1))
        x, xv = rng.normal(size=(n_train, size)), rng.normal(size=(n_val, size))
        return {
            "x_train": x.astype(np.float32),
            "y_train": (x @ w > 0).astype(np.float32),
            "x_val": xv.astype(np.float32),
            "y_val": (xv @ w > 0).astype(np.float32),
        }
    return {
        "x_train": rng.random((n_train, *images)).astype(np.float32),
        "y_train": rng.integers(0, size, size=n_train),
        "x_val": rng.random((n_val, *images)).astype(np.float32),
        "y_val": rng.integers(0, size, size=n_val),
    }


def _history(rng: Rng) -> dict[str, list[float]]:
    epochs = int(rng.integers(2, 9))
    loss = np.sort(rng.random(epochs))[::-1] + 0.1
    return {
        "loss": [round(float(v), 4) for v in loss],
        "accuracy": [round(float(v), 4) for v in rng.random(epochs)],
        "val_loss": [round(float(v), 4) for v in loss + rng.random(epochs) * 0.3],
        "val_accuracy": [round(float(v), 4) for v in rng.random(epochs)],
    }


def _keras_call(rng: Rng, slug: str, function: str) -> KerasCall | None:
    cnn = slug == "keras_cnn"
    side = int(rng.integers(12, 17))
    image = (side, int(rng.integers(12, 17)), int(rng.integers(1, 4)))
    size = int(rng.integers(2, 7)) if cnn else int(rng.integers(2, 25))
    if function in ("build_model", "build_cnn"):
        return {"kind": "build", "args": (image, size) if cnn else (size,), "kwargs": {}}
    if function in ("train_model", "train_cnn"):
        kwargs: dict[str, Any] = {}
        if rng.random() < 0.7:
            kwargs = {"epochs": int(rng.integers(2, 7)), "batch_size": int(rng.integers(4, 17))}
        data = _keras_problem(rng, size, image if cnn else None)
        network = ("reference_cnn", ([*image], size)) if cnn else ("reference_model", (size,))
        return {
            "kind": "train",
            "network": network,
            "seed": int(rng.integers(0, 2**31)),
            "args": (data["x_train"], data["y_train"], data["x_val"], data["y_val"]),
            "kwargs": kwargs,
        }
    if function == "plot_history":
        return {"kind": "plot", "history": _history(rng)}
    return None


def keras_calls(slug: str, functions: list[str], seed: int = 0) -> dict[str, list[KerasCall]]:
    """The probe of a Keras exercise: function -> its calls, described as plain data (the
    runner builds models and histories in the child with the trusted helpers)."""
    probe: dict[str, list[KerasCall]] = {}
    for number, function in enumerate(functions):
        rng = np.random.default_rng([seed, number])
        made = [_keras_call(rng, slug, function) for _ in range(KERAS_ROUNDS)]
        if all(call is not None for call in made):
            probe[function] = made  # type: ignore[assignment]
    return probe
