"""Trusted helpers the Keras checks (`keras_model`, `keras_cnn`) run INSIDE the sandboxed child.

The sandbox loads this one file by path for both exercises (``probes="keras"`` in the
catalogue).

A Keras model, a History or a matplotlib Figure cannot cross the pipe; these helpers turn
them into plain data (dicts of strings, numbers, lists and arrays) that the checks in the
parent judge. Nothing here imports nnlab. Keras is imported when first needed, so a stub
that never builds a model is graded without TensorFlow's import time where possible.

The server sets ``progress(text)`` in this module's globals: a display-only line that
``nnlab grade`` shows while the learner's model trains.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def progress(text: str) -> None:  # replaced by the server; kept for running these helpers by hand
    print(text)


MAX_POINTS = 10_000  # per figure line: a plot of a history is a few dozen points


# --- seeds and trusted training ------------------------------------------------------------------


def seed(value: int) -> None:
    """Same seed, same weights and same shuffles: the same submission gets the same report."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(value))
    tf.config.experimental.enable_op_determinism()


def _progress_callback(label: str, record: dict[str, Any], settings_only: bool = False) -> Any:
    import keras

    class Progress(keras.callbacks.Callback):
        """Reports each epoch to the parent and records what fit was asked to do; with
        ``settings_only``, fit stops after its first batch (and that epoch's validation):
        its settings are all that is judged, and they are recorded when training begins."""

        def on_train_begin(self, logs: Any = None) -> None:
            record["params"].append({k: _plain_number(v) for k, v in (self.params or {}).items()})
            if settings_only:
                self.model.stop_training = True  # read after each batch and each epoch

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            record["epochs"] += 1
            total = (self.params or {}).get("epochs", "?")
            shown = ", ".join(
                f"{key} {float(value):.4f}"
                for key, value in (logs or {}).items()
                if isinstance(value, (int, float, np.floating, np.integer))
                or hasattr(value, "numpy")
            )
            progress(f"{label}: epoch {epoch + 1}/{total}  {shown}")

    return Progress()


def _plain_number(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, type(None))) else str(value)


def fit_model(model: Any, x: Any, y: Any, epochs: int, batch_size: int, label: str) -> None:
    """Train the learner's compiled model our way (the trusted fit of the accuracy checks).

    One epoch's steps run in one call of the traced train step (steps_per_execution): the
    same batches in the same order, the same weights (measured), without a return to
    Python after every batch. The model's own setting is put back afterwards."""
    record = {"epochs": 0, "params": []}
    own = getattr(model, "steps_per_execution", 1)
    model.steps_per_execution = max(1, math.ceil(len(x) / int(batch_size)))
    try:
        model.fit(
            x,
            y,
            epochs=int(epochs),
            batch_size=int(batch_size),
            verbose=0,
            callbacks=[_progress_callback(label, record)],
        )
    finally:
        model.steps_per_execution = own


def predict(model: Any, x: Any) -> np.ndarray:
    """The model's outputs for ``x`` as a float64 array (the parent computes the accuracy).

    What model.predict computes (the model called with training=False, 256 rows at a time),
    called eagerly: predict would first trace a graph for a single pass (0.1 s or more)."""
    import keras

    rows = [
        keras.ops.convert_to_numpy(model(x[start : start + 256], training=False))
        for start in range(0, len(x), 256)
    ]
    return np.asarray(np.concatenate(rows), dtype=np.float64)


def evaluate_loss(model: Any, x: Any, y: Any, batch_size: int = 256) -> float:
    """The compiled loss of ``model`` on (x, y), as fit reports it for validation data (with
    fit's batch size, evaluate reuses the graph fit's validation traced)."""
    result = model.evaluate(x, y, verbose=0, batch_size=int(batch_size), return_dict=True)
    return float(result["loss"])


# --- watching the learner's train function -------------------------------------------------------

_WATCHED: dict[int, dict[str, Any]] = {}


def watch_fit(model: Any, label: str, settings_only: bool = False) -> None:
    """Make ``model.fit`` report each epoch and record its settings, without changing what it does.

    Only our own reference model is watched: the learner's train function receives it, and
    whatever it passes to fit goes through unchanged, plus one extra callback. With
    ``settings_only`` (a run that judges only the settings fit was called with: epochs,
    steps per epoch, number of calls) each fit call stops after its first batch.
    """
    original = model.fit
    record: dict[str, Any] = {"calls": 0, "epochs": 0, "params": []}
    callback = _progress_callback(label, record, settings_only)

    def fit(*args: Any, **kwargs: Any) -> Any:
        record["calls"] += 1
        if len(args) > 5:  # fit(x, y, batch_size, epochs, verbose, callbacks, ...)
            args = (*args[:5], [*(args[5] or []), callback], *args[6:])
        else:
            kwargs["callbacks"] = [*(kwargs.get("callbacks") or []), callback]
        return original(*args, **kwargs)

    model.fit = fit
    _WATCHED[id(model)] = record


def fit_report(model: Any) -> dict[str, Any]:
    """What the watched fit saw: calls, epochs run, fit's params (epochs, steps per epoch)."""
    record = _WATCHED.pop(id(model), None)
    if "fit" in vars(model):
        del model.fit
    if record is None:
        return {"calls": 0, "epochs": 0, "params": []}
    return record


# --- describing objects as plain data ------------------------------------------------------------


# the activations the checks name, as Keras spells them
KNOWN_ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax", "tanh", "elu", "selu", "gelu")
# layers that are an activation function on their own (Activation and Softmax are handled apart)
ACTIVATION_LAYERS = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "PReLU": "prelu", "ELU": "elu"}


def _activation_name(activation: Any) -> str | None:
    """The Keras name of an activation; a function of another name (tf.nn.softmax is called
    'softmax_v2', a lambda '<lambda>') is named by what it computes on a few numbers."""
    if activation is None:
        return None
    if isinstance(activation, str):
        return activation
    name = str(getattr(activation, "__name__", type(activation).__name__))
    if name in KNOWN_ACTIVATIONS:
        return name
    try:
        import keras

        x = np.array([[-2.0, -0.5, 0.0, 0.7, 3.0]], dtype=np.float32)
        got = np.asarray(keras.ops.convert_to_numpy(activation(x)), dtype=np.float64)
        for known in KNOWN_ACTIVATIONS:
            expected = keras.ops.convert_to_numpy(keras.activations.get(known)(x))
            if _same_values(got, np.asarray(expected, dtype=np.float64)):
                return known
    except Exception:  # not a function of one tensor: keep its own name
        pass
    return name


def _same_values(got: np.ndarray, expected: np.ndarray) -> bool:
    """Same shape exactly, every value finite and within 1e-6 + 1e-5 * |expected| (this runs
    in the child, apart from the grader's comparator; np.allclose would broadcast)."""
    return (
        got.shape == expected.shape
        and bool(np.isfinite(got).all())
        and bool(np.all(np.abs(got - expected) <= 1e-6 + 1e-5 * np.abs(expected)))
    )


def _shape(value: Any) -> Any:
    try:
        return [None if d is None else int(d) for d in value]
    except (TypeError, ValueError):
        return None


def describe_layer(layer: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"class": type(layer).__name__, "name": str(layer.name)}
    for attribute in ("units", "filters", "rate"):
        value = getattr(layer, attribute, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            info[attribute] = value
    for attribute in ("kernel_size", "strides", "pool_size"):
        value = getattr(layer, attribute, None)
        if value is not None:
            info[attribute] = _shape(value) if not isinstance(value, int) else [value]
    padding = getattr(layer, "padding", None)
    if isinstance(padding, str):
        info["padding"] = padding
    if type(layer).__name__ == "Softmax":
        info["activation"] = "softmax"
    elif type(layer).__name__ in ACTIVATION_LAYERS:
        info["activation"] = ACTIVATION_LAYERS[type(layer).__name__]
    elif hasattr(layer, "activation"):
        info["activation"] = _activation_name(layer.activation)
    try:
        info["output_shape"] = _shape(layer.output.shape)
    except Exception:  # a layer of a model that was never built has no output yet
        info["output_shape"] = None
    try:
        info["params"] = int(layer.count_params())
    except Exception:
        info["params"] = None
    return info


def _snake(name: str) -> str:
    out = ""
    for i, char in enumerate(name):
        if char.isupper() and i and not name[i - 1].isupper():
            out += "_"
        out += char.lower()
    return out


def describe_loss(loss: Any) -> dict[str, Any]:
    """A loss as {'name': canonical snake_case name, 'from_logits': bool, 'text': how it was given}."""
    import keras

    text = loss if isinstance(loss, str) else type(loss).__name__
    if isinstance(loss, str):
        try:
            loss = keras.losses.get(loss)
        except Exception:
            return {"name": text, "from_logits": False, "text": text}
    if isinstance(loss, keras.losses.Loss):
        config = loss.get_config() or {}
        function = getattr(loss, "fn", None)
        name = function.__name__ if callable(function) else _snake(type(loss).__name__)
        return {"name": name, "from_logits": bool(config.get("from_logits", False)), "text": text}
    if callable(loss):
        name = str(getattr(loss, "__name__", type(loss).__name__))
        return {"name": name, "from_logits": False, "text": name}
    return {"name": type(loss).__name__, "from_logits": False, "text": repr(loss)[:100]}


def _metric_names(metrics: Any) -> list[str]:
    if metrics is None:
        return []
    if isinstance(metrics, dict):
        metrics = list(metrics.values())
    if not isinstance(metrics, (list, tuple)):
        metrics = [metrics]
    names: list[str] = []
    for metric in metrics:
        if isinstance(metric, (list, tuple, dict)):
            names += _metric_names(metric)
        elif isinstance(metric, str):
            names.append(metric)
        elif callable(metric) and not hasattr(metric, "get_config"):
            names.append(str(getattr(metric, "__name__", type(metric).__name__)))
        else:  # a metric object by its class: keras.metrics.Accuracy() is also named "accuracy"
            names.append(type(metric).__name__)
    return names


def describe_model(model: Any) -> dict[str, Any]:
    """Layers, shapes, parameter count and compile settings of a Keras model, as plain data."""
    import keras

    if not isinstance(model, keras.Model):
        return {"is_model": False, "type": f"{type(model).__module__}.{type(model).__qualname__}"}
    info: dict[str, Any] = {
        "is_model": True,
        "type": type(model).__name__,
        "sequential": isinstance(model, keras.Sequential),
        "built": bool(model.built),
        "layers": [describe_layer(layer) for layer in model.layers],
    }
    for key, attribute in (("input_shape", "inputs"), ("output_shape", "outputs")):
        try:
            info[key] = _shape(getattr(model, attribute)[0].shape)
        except Exception:  # a Sequential model without an Input has no shapes yet
            info[key] = None
    try:
        info["params"] = int(model.count_params()) if model.built else None
    except Exception:
        info["params"] = None
    compiled = (
        bool(getattr(model, "compiled", False)) and getattr(model, "optimizer", None) is not None
    )
    info["compiled"] = compiled
    if not compiled:
        return info
    info["loss"] = describe_loss(model.loss) if model.loss is not None else None
    optimizer = model.optimizer
    info["optimizer"] = type(optimizer).__name__
    try:
        rate = float(np.asarray(optimizer.learning_rate))
        info["learning_rate"] = rate if math.isfinite(rate) else None
    except Exception:  # a learning-rate schedule
        info["learning_rate"] = None
    config = getattr(model, "_compile_config", None)
    metrics = getattr(config, "config", {}).get("metrics") if config is not None else None
    info["metrics"] = _metric_names(metrics)
    return info


def history_values(history: Any) -> dict[str, Any]:
    """``history.history`` as {key: list of floats}; 'is_history' False for anything else."""
    import keras

    values = getattr(history, "history", None)
    if not isinstance(values, dict):
        return {"is_history": False, "type": type(history).__name__}
    return {
        "is_history": isinstance(history, keras.callbacks.History),
        "values": {str(k): [float(v) for v in series] for k, series in values.items()},
    }


def make_history(values: dict[str, list[float]]) -> Any:
    """A keras History holding ``values``, as fit would return it (for the plot checks)."""
    import keras

    history = keras.callbacks.History()
    history.history = {key: list(series) for key, series in values.items()}
    epochs = len(next(iter(values.values())))
    history.epoch = list(range(epochs))
    history.params = {"verbose": 0, "epochs": epochs, "steps": 20}
    return history


_SHOWN = {"calls": 0}


def watch_show() -> None:
    """Count plt.show(), show() imported from pyplot and Figure.show() calls from now on (on the
    Agg canvas they do nothing and say nothing, so a show() inside plot_history is only seen
    this way)."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    def show(*args: Any, **kwargs: Any) -> None:
        _SHOWN["calls"] += 1

    _SHOWN["calls"] = 0
    plt.show = show
    Figure.show = show
    # `from matplotlib.pyplot import show` binds pyplot's own function before this runs; it
    # hands the work to the backend, so the backend's show is counted too
    try:
        plt._get_backend_mod().show = show
    except (AttributeError, ImportError):  # another matplotlib: plt.show is still counted
        pass


def show_calls() -> int:
    """How many times a figure was shown since watch_show()."""
    return int(_SHOWN["calls"])


def describe_figure(figure: Any) -> dict[str, Any]:
    """Every axes of a matplotlib Figure: labels, title, and each line's label and x/y data."""
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        return {
            "is_figure": False,
            "type": f"{type(figure).__module__}.{type(figure).__qualname__}",
        }
    axes = []
    for ax in figure.get_axes():
        lines = []
        for line in ax.get_lines()[:50]:
            try:
                x = np.asarray(line.get_xdata(), dtype=np.float64).ravel()[:MAX_POINTS]
                y = np.asarray(line.get_ydata(), dtype=np.float64).ravel()[:MAX_POINTS]
            except (TypeError, ValueError):
                continue
            lines.append({"label": str(line.get_label()), "x": x, "y": y})
        axes.append(
            {
                "xlabel": str(ax.get_xlabel()),
                "ylabel": str(ax.get_ylabel()),
                "title": str(ax.get_title()),
                "lines": lines,
                "legend": _legend_texts(ax.get_legend()),
            }
        )
    legends = [_legend_texts(legend) for legend in figure.legends]
    return {"is_figure": True, "axes": axes, "figure_legends": legends}


def _legend_texts(legend: Any) -> list[str] | None:
    """The entries of a legend (None: no legend)."""
    if legend is None:
        return None
    return [str(text.get_text()) for text in legend.get_texts()][:50]


# --- the model answer's network, for checking the train function on its own ------------------------


def reference_model(input_dim: int) -> Any:
    """A compiled binary classifier that trains quickly: train_model's checks train this one."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(int(input_dim),)),
            layers.Dense(32, activation="relu"),
            layers.Dense(16, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.003),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def reference_cnn(input_shape: list[int], num_classes: int) -> Any:
    """A compiled small CNN that trains quickly: train_cnn's checks train this one."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=tuple(int(d) for d in input_shape)),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(32, activation="relu"),
            layers.Dense(int(num_classes), activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.002),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
