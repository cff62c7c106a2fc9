"""Hidden checks for `keras_model`: the Sequential workflow, graded by inspecting and training.

Keras runs only in the child. The trusted helpers of grader/probes/keras.py describe the
learner's model, History and Figure there as plain data; the data (grader/reference/
keras_model.py) is made here from private seeds, and the test labels never leave this process:
the child returns predictions and the accuracy is computed here.

Each function is checked on its own: build_model's model is trained by a trusted fit, and
train_model trains a trusted reference model, so one mistake costs only its function's points.
Every model is built once per grading and reused across checks (a Keras exercise grades in a
few seconds beyond TensorFlow's import).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.checks import Learner, LearnerError, Outcome, check, describe_value, fail, reference

ref = reference("keras_model")
common = reference("keras_common")

DATA_SEED = 41_017
INPUT_DIM, OTHER_INPUT_DIM = 4, 7
BUILD_SEED, FIT_SEED = 7, 11
# build_model's model is trained by the grader's own fit: 640 examples, 10 epochs of 16
FIT_EPOCHS, FIT_BATCH = 10, 16
# train_model is asked for a number of epochs and a batch size that differ from its defaults
TRAIN_EPOCHS, TRAIN_BATCH = 6, 40
DEFAULTS_N = 64  # examples for the run with default settings (2 steps per epoch)

# Thresholds from benchmarks/keras_thresholds.py: test accuracy on the balanced hidden test set
# (always answering one class scores 0.50), 12 seeds (data, weights and shuffles all vary):
#   model answer (Dense 32 + 16, RMSprop 0.001):         min 0.892, median 0.914, 12/12 pass
#   minimal model (one Dense(8) layer, RMSprop 0.001):   min 0.754, median 0.806, 12/12 pass
BUILD_THRESHOLD = 0.70  # margin 0.054 below the minimal model's worst seed
#   reference model trained by the model answer's train_model (6 epochs of 40):
#                                                        min 0.900, median 0.916, 12/12 pass
TRAIN_THRESHOLD = 0.80  # margin 0.100

# metric objects are named by their class; keras.metrics.Accuracy is not among them: it counts
# outputs EQUAL to the label (a probability of 0.93 never equals 1), so it reports about 0
ACCURACY_NAMES = {"accuracy", "acc", "binary_accuracy", "BinaryAccuracy"}

cached, trusted = common.cached, common.trusted


def data() -> dict[str, np.ndarray]:
    return ref.binary_problem(DATA_SEED, INPUT_DIM)


# --- build_model ----------------------------------------------------------------------------------


def _built(learner: Learner, input_dim: int) -> tuple[Outcome, dict[str, Any] | None]:
    def build() -> tuple[Outcome, dict[str, Any] | None]:
        trusted(learner, "seed", BUILD_SEED)
        outcome = learner.call("build_model", input_dim)
        if outcome.raised is not None:
            return outcome, None
        return outcome, learner.probe("describe_model", outcome.value).value

    return cached(learner, ("build", input_dim), build)


def model_of(learner: Learner, input_dim: int = INPUT_DIM) -> tuple[Any, dict[str, Any]]:
    """build_model(input_dim) and its description; a failure that names the fix otherwise."""
    outcome, info = _built(learner, input_dim)
    raised = outcome.raised
    if raised is not None and raised.is_a("Exception") and "not recognized" in raised.message:
        if "'lr'" in raised.message:
            fail(
                f"build_model({input_dim}) raised {raised.describe(outcome.file_name)}.\n"
                "`lr=` is the old Keras 2 name of the learning rate; Keras 3 only knows "
                "`learning_rate=`: write keras.optimizers.RMSprop(learning_rate=0.001)."
            )
    model = outcome.value  # raises 'not implemented yet' or the learner's error
    if not isinstance(info, dict) or not info.get("is_model"):
        fail(
            f"{outcome.call_text} returned {describe_value(model)}; expected a keras Model "
            "(build a keras.Sequential([...]) and return it)."
        )
    return model, info


def _layers(info: dict[str, Any]) -> list[dict[str, Any]]:
    return [layer for layer in info.get("layers", []) if isinstance(layer, dict)]


def output_activation(info: dict[str, Any]) -> str | None:
    """The activation applied last: a Dense layer's own, or a trailing Activation/Softmax layer."""
    for layer in reversed(_layers(info)):
        if layer.get("class") in ("Dropout", "Flatten", "Reshape"):
            continue
        return layer.get("activation")
    return None


def is_linear(activation: Any) -> bool:
    return activation in (None, "linear")


def requires_compiled(info: dict[str, Any], call: str) -> None:
    if not info.get("compiled"):
        fail(
            f"{call} returned a model that is not compiled: call "
            "model.compile(optimizer=..., loss=..., metrics=[...]) in build_model, before "
            "returning the model (fit refuses an uncompiled model)."
        )


@check(
    "build_model",
    weight=8,
    hint=(
        "The model's input size comes from the input_dim argument, not from a number "
        "written in the code."
    ),
)
def test_build_model_takes_the_input_size_from_its_argument(learner):
    for input_dim in (INPUT_DIM, OTHER_INPUT_DIM):
        _, info = model_of(learner, input_dim)
        call = f"build_model({input_dim})"
        shape = info.get("input_shape")
        if shape is None:
            fail(
                f"{call} returned a model that does not know its input size yet; start it "
                f"with keras.Input(shape=(input_dim,)) so it is built for {input_dim} inputs."
            )
        if shape != [None, input_dim]:
            fail(
                f"{call} returned a model whose input shape is {tuple(shape)}; expected "
                f"(None, {input_dim}). Is the input size hard-coded? Use "
                "keras.Input(shape=(input_dim,))."
            )


@check(
    "build_model",
    weight=2,
    hint=(
        "The contract asks for a Sequential model (layers in a list), not a functional keras.Model."
    ),
)
def test_build_model_is_a_keras_sequential(learner):
    _, info = model_of(learner)
    common.expect_sequential(
        info,
        f"build_model({INPUT_DIM})",
        "keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(...), ...])",
        input_shape=(INPUT_DIM,),
    )


@check(
    "build_model",
    weight=8,
    hint="A binary classifier ends in ONE unit with a sigmoid: one probability per row.",
)
def test_build_model_ends_in_one_sigmoid_unit(learner):
    _, info = model_of(learner)
    call = f"build_model({INPUT_DIM})"
    dense = [layer for layer in _layers(info) if layer.get("class") == "Dense"]
    if not dense:
        fail(
            f"{call} returned a model without a Dense layer; end it with Dense(1, activation='sigmoid')."
        )
    units = dense[-1].get("units")
    activation = output_activation(info)
    if info.get("output_shape") not in ([None, 1], None) or units != 1:
        fail(
            f"{call} returned a model whose output shape is {info.get('output_shape')} "
            f"(last Dense has {units} units); expected (None, 1): one unit, the "
            "probability of class 1."
        )
    if activation == "softmax":
        fail(
            f"{call}: the output unit uses softmax, which over a single unit is always 1.0 "
            "whatever the input. Use activation='sigmoid' for one probability."
        )
    if is_linear(activation) and (info.get("loss") or {}).get("from_logits"):
        fail(
            f"{call}: the output unit has no activation and the loss has from_logits=True. "
            "That trains, but the model outputs raw scores (logits), and this exercise's "
            "model.predict must give probabilities (threshold 0.5). Expected "
            "Dense(1, activation='sigmoid') and loss='binary_crossentropy' without from_logits."
        )
    if is_linear(activation):
        fail(
            f"{call}: the output unit has no activation, so it outputs raw scores (logits), "
            "not probabilities; binary cross-entropy then reads them as probabilities. Use "
            "Dense(1, activation='sigmoid')."
        )
    if activation != "sigmoid":
        fail(
            f"{call}: the output unit uses {activation!r}; expected 'sigmoid', which maps any "
            "score to a probability between 0 and 1."
        )


@check(
    "build_model",
    weight=6,
    hint=(
        "At least one hidden Dense layer with a non-linear activation must come before "
        "the output; without it the model is linear."
    ),
)
def test_build_model_has_a_non_linear_dense_hidden_layer(learner):
    _, info = model_of(learner)
    layers = _layers(info)
    dense = [i for i, layer in enumerate(layers) if layer.get("class") == "Dense"]
    if len(dense) < 2:
        fail(
            f"build_model({INPUT_DIM}) has no hidden Dense layer: a single Dense(1) only draws "
            "a straight boundary. Add e.g. layers.Dense(16, activation='relu') before the output."
        )
    # a hidden Dense layer's own activation, or an Activation/ReLU/... layer after it
    between = layers[dense[0] : dense[-1]]
    if all(is_linear(layer.get("activation")) for layer in between):
        fail(
            f"build_model({INPUT_DIM}): the hidden Dense layers have no activation, so the "
            "whole stack is still one linear function. Give them activation='relu'."
        )


@check(
    "build_model",
    weight=10,
    hint="0/1 labels and one sigmoid output call for the binary cross-entropy loss.",
)
def test_build_model_is_compiled_with_binary_cross_entropy(learner):
    _, info = model_of(learner)
    call = f"build_model({INPUT_DIM})"
    requires_compiled(info, call)
    loss = info.get("loss") or {}
    name = loss.get("name")
    if name != "binary_crossentropy":
        advice = {
            "mean_squared_error": "mean squared error is for predicting numbers",
            "categorical_crossentropy": "categorical cross-entropy expects one-hot rows over several classes",
            "sparse_categorical_crossentropy": "sparse categorical cross-entropy is for several classes",
        }.get(str(name), "")
        fail(
            f"{call} is compiled with loss {loss.get('text', name)!r}; expected binary "
            f"cross-entropy{f' ({advice})' if advice else ''}. Use loss='binary_crossentropy'."
        )
    if loss.get("from_logits") and output_activation(info) == "sigmoid":
        fail(
            f"{call} uses BinaryCrossentropy(from_logits=True) after a sigmoid output: the "
            "outputs are already probabilities, so the sigmoid would be applied twice. Drop "
            "from_logits=True."
        )


@check(
    "build_model",
    after=(
        "build_model_takes_the_input_size_from_its_argument",
        "build_model_is_compiled_with_binary_cross_entropy",
    ),
    weight=10,
    hint=(
        "Compile with the RMSprop optimizer and a learning rate around 0.001 (Keras 3 "
        "names the argument learning_rate, not lr)."
    ),
)
def test_build_model_uses_rmsprop_with_a_sensible_learning_rate(learner):
    _, info = model_of(learner)
    call = f"build_model({INPUT_DIM})"
    requires_compiled(info, call)
    if info.get("optimizer") != "RMSprop":
        fail(
            f"{call} is compiled with the {info.get('optimizer')} optimizer; this exercise "
            "uses RMSprop: keras.optimizers.RMSprop(learning_rate=0.001)."
        )
    rate = info.get("learning_rate")
    if not isinstance(rate, float) or not 1e-4 <= rate <= 0.05:
        fail(
            f"{call} uses RMSprop with learning rate {rate!r}; expected a number between "
            "0.0001 and 0.05 (0.001 is the usual start): too small and nothing is learned "
            "in a few epochs, too large and the loss jumps about."
        )


@check(
    "build_model",
    after=(
        "build_model_takes_the_input_size_from_its_argument",
        "build_model_is_compiled_with_binary_cross_entropy",
    ),
    weight=5,
    hint=("Ask compile for the accuracy metric by its name, so that fit reports it every epoch."),
)
def test_build_model_reports_accuracy(learner):
    _, info = model_of(learner)
    call = f"build_model({INPUT_DIM})"
    requires_compiled(info, call)
    metrics = info.get("metrics") or []
    if not ACCURACY_NAMES & set(map(str, metrics)) and "Accuracy" in metrics:
        fail(
            f"{call} is compiled with keras.metrics.Accuracy(), which counts outputs exactly "
            "equal to the label: a probability of 0.93 never equals 1, so it reports about 0. "
            'Use metrics=["accuracy"] (Keras then thresholds the probabilities at 0.5).'
        )
    if not ACCURACY_NAMES & set(map(str, metrics)):
        fail(
            f"{call} is compiled with metrics {metrics}; expected accuracy among them: "
            'metrics=["accuracy"].'
        )


@check(
    "build_model",
    after=(
        "build_model_takes_the_input_size_from_its_argument",
        "build_model_is_a_keras_sequential",
        "build_model_ends_in_one_sigmoid_unit",
        "build_model_has_a_non_linear_dense_hidden_layer",
        "build_model_is_compiled_with_binary_cross_entropy",
        "build_model_uses_rmsprop_with_a_sensible_learning_rate",
        "build_model_reports_accuracy",
    ),
    weight=13,
    hint="A hidden relu layer, a sigmoid output, binary cross-entropy and RMSprop learn this problem.",
)
def test_build_model_learns_the_hidden_problem(learner):
    model, info = model_of(learner)
    call = f"build_model({INPUT_DIM})"
    requires_compiled(info, call)
    if info.get("output_shape") not in ([None, 1], None):  # None: built by fit
        fail(f"the accuracy of {call} cannot be measured: its output shape is not (None, 1).")
    sets = data()

    def train() -> float:
        trusted(learner, "seed", FIT_SEED)
        trusted(
            learner,
            "fit_model",
            model,
            sets["x_train"],
            sets["y_train"],
            FIT_EPOCHS,
            FIT_BATCH,
            "your build_model's model",
        )
        outputs = learner.probe("predict", model, sets["x_test"]).value
        return _accuracy(outputs, sets["y_test"], call)

    try:
        score = cached(learner, "build accuracy", train)
    except LearnerError as error:
        reason = str(error).split(" raised ", 1)[-1].splitlines()[0][:300]
        fail(f"training the model of {call} failed: {reason}")
    if score < BUILD_THRESHOLD:
        fail(
            f"the model of {call}, trained for {FIT_EPOCHS} epochs (batch size {FIT_BATCH}) on "
            f"640 hidden examples, classifies {score:.1%} of the hidden test set correctly; "
            f"expected at least {BUILD_THRESHOLD:.0%} (always answering one class gives 50%)."
        )


def _accuracy(outputs: Any, labels: np.ndarray, call: str) -> float:
    array = np.asarray(outputs) if isinstance(outputs, np.ndarray) else None
    if array is None or array.shape not in ((len(labels), 1), (len(labels),)):
        fail(
            f"the model of {call} predicted {describe_value(outputs)}; expected shape ({len(labels)}, 1)."
        )
    if not np.all(np.isfinite(array)):
        fail(f"the model of {call} predicted NaN or inf values: its training diverged.")
    return ref.accuracy(array, labels)


# --- train_model ------------------------------------------------------------------------------------

TRAINING = common.Training(
    function="train_model",
    reference_network=("reference_model", INPUT_DIM),
    data=data,
    accuracy=lambda outputs, labels: _accuracy(outputs, labels, "train_model"),
    epochs=TRAIN_EPOCHS,
    batch_size=TRAIN_BATCH,
    default_epochs=20,
    seed=FIT_SEED,
    threshold=TRAIN_THRESHOLD,
    learner_of="a model that learns this problem easily",
    examples="examples",
)


@check(
    "train_model",
    weight=8,
    hint="Return what fit returns: its History, with one loss per epoch.",
)
def test_train_model_returns_a_history_with_one_value_per_epoch(learner):
    TRAINING.expect_one_value_per_epoch(learner)


@check(
    "train_model",
    weight=8,
    hint="Pass validation_data=(x_val, y_val) to fit: not validation_split, not the training set.",
)
def test_train_model_validates_on_the_validation_data(learner):
    TRAINING.expect_validation_data(learner)


@check(
    "train_model",
    after=(
        "train_model_returns_a_history_with_one_value_per_epoch",
        "train_model_validates_on_the_validation_data",
    ),
    weight=4,
    hint="Pass batch_size=batch_size to fit; the default 32 is only the default.",
)
def test_train_model_uses_the_given_batch_size(learner):
    TRAINING.expect_batch_size(learner)


@check(
    "train_model",
    weight=6,
    hint="Fit on x_train, y_train (the validation set is only measured, never trained on).",
)
def test_train_model_trains_the_model_on_the_training_data(learner):
    TRAINING.expect_learning(learner)


@check(
    "train_model",
    after=(
        "train_model_returns_a_history_with_one_value_per_epoch",
        "train_model_validates_on_the_validation_data",
        "train_model_uses_the_given_batch_size",
        "train_model_trains_the_model_on_the_training_data",
    ),
    weight=2,
    hint="Keep the contract's defaults: epochs=20, batch_size=32.",
)
def test_train_model_defaults_are_the_contracts(learner):
    TRAINING.expect_contract_defaults(learner, DEFAULTS_N)


# --- plot_history -----------------------------------------------------------------------------------

HISTORIES = (
    {
        "loss": [0.6931, 0.5214, 0.4420, 0.3907, 0.3655, 0.3480],
        "accuracy": [0.52, 0.74, 0.81, 0.84, 0.86, 0.87],
        "val_loss": [0.6702, 0.5350, 0.4790, 0.4611, 0.4705, 0.4893],
        "val_accuracy": [0.55, 0.71, 0.77, 0.79, 0.78, 0.77],
    },
    {
        "loss": [0.9120, 0.7333, 0.6016],
        "accuracy": [0.40, 0.61, 0.70],
        "val_loss": [0.8807, 0.7541, 0.6628],
        "val_accuracy": [0.43, 0.58, 0.66],
    },
)


def _figure(learner: Learner, index: int) -> tuple[Outcome, dict[str, Any]]:
    def draw() -> tuple[Outcome, dict[str, Any]]:
        history = learner.probe("make_history", HISTORIES[index]).value
        trusted(learner, "watch_show")
        outcome = learner.call("plot_history", history)
        if outcome.raised is not None:
            return outcome, {}
        info = learner.probe("describe_figure", outcome.value).value
        return outcome, {**info, "shown": trusted(learner, "show_calls")}

    outcome, info = cached(learner, ("figure", index), draw)
    value = outcome.value
    if not info.get("is_figure"):
        advice = (
            " (return the Figure: fig, ax = plt.subplots() ... return fig)"
            if "Axes" in str(info.get("type"))
            else ""
        )
        fail(
            f"plot_history(history) returned {describe_value(value)}; expected a matplotlib Figure{advice}."
        )
    return outcome, info


def _lines_with(
    info: dict[str, Any], series: list[float]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    expected = np.asarray(series)
    found = []
    for axes in info["axes"]:
        for line in axes["lines"]:
            y = np.asarray(line["y"], dtype=float)
            if y.shape == expected.shape and np.all(
                np.abs(y - expected) <= 1e-6 * np.abs(expected)
            ):
                found.append((axes, line))
    return found


def _describe_lines(info: dict[str, Any]) -> str:
    shown = []
    for axes in info["axes"]:
        for line in axes["lines"]:
            y = np.round(np.asarray(line["y"], dtype=float)[:4], 4).tolist()
            shown.append(f"{line['label']!r}: {y}...")
    return "; ".join(shown) or "no lines at all"


@check(
    "plot_history",
    weight=8,
    hint=(
        "Draw two curves in one Figure: the training loss and the validation loss from "
        "the history, against the epoch."
    ),
)
def test_plot_history_draws_loss_and_val_loss_per_epoch(learner):
    for index in range(len(HISTORIES)):
        _drawn(learner, index)


def _drawn(learner, index: int) -> dict[str, Any]:
    """The figure of HISTORIES[index], once it is known to draw both loss curves: its other
    properties (labels, not shown) are worth points only on a figure that draws them."""
    values = HISTORIES[index]
    _, info = _figure(learner, index)
    for key in ("loss", "val_loss"):
        found = _lines_with(info, values[key])
        if not found:
            fail(
                f"plot_history(history) with history.history['{key}'] = {values[key]} "
                f"drew no line with those values; its lines: {_describe_lines(info)}. "
                f"Plot history.history['{key}'] (the loss, not the accuracy)."
            )
        x = np.asarray(found[0][1]["x"], dtype=float)
        if len(x) > 1 and not np.all(np.diff(x) > 0):
            fail(
                f"the '{key}' line of plot_history(history) does not run forward in epochs: x = {x.tolist()}."
            )
    return info


@check(
    "plot_history",
    weight=4,
    hint=("Name both axes (epoch, loss) and label each curve so that a legend tells them apart."),
)
def test_plot_history_labels_its_axes(learner):
    info = _drawn(learner, 0)
    axes = _lines_with(info, HISTORIES[0]["loss"])[0][0]
    missing = [name for name in ("xlabel", "ylabel") if not axes[name].strip()]
    if missing:
        fail(
            f"the axes of plot_history(history) have xlabel {axes['xlabel']!r} and ylabel "
            f"{axes['ylabel']!r}; label both, e.g. ax.set_xlabel('epoch') and ax.set_ylabel('loss')."
        )
    entries = [axes.get("legend"), *info.get("figure_legends", [])]
    if not any(texts and len(texts) >= 2 for texts in entries):
        shown = "no legend" if axes.get("legend") is None else f"a legend of {axes['legend']}"
        fail(
            f"plot_history(history) draws two lines and shows {shown}; expected a legend that "
            "tells them apart: ax.plot(..., label='training loss'), ax.plot(..., "
            "label='validation loss'), then ax.legend()."
        )


@check(
    "plot_history",
    weight=2,
    hint=(
        "Return the Figure without showing it: in a script showing waits until the window"
        " closes, and a notebook shows the returned figure itself."
    ),
)
def test_plot_history_leaves_showing_to_the_caller(learner):
    info = _drawn(learner, 0)
    if info.get("shown"):
        fail(
            "plot_history(history) calls plt.show() (or fig.show()); expected it to return the "
            "Figure without showing it: in a script show() waits until the window is closed, "
            "and a notebook shows the returned figure itself. Remove the show() call."
        )
