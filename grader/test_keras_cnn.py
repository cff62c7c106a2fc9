"""Hidden checks for `keras_cnn`: a Conv2D + MaxPooling2D base, a Flatten + Dense head.

Keras runs only in the child. The trusted helpers of grader/probes/keras.py describe the
learner's model and History there as plain data; the images (grader/reference/keras_cnn.py)
are drawn here from private seeds, and the test labels never leave this process: the child
returns predictions and the accuracy is computed here.

build_cnn's network is trained by a trusted fit and train_cnn trains a trusted reference CNN,
so one mistake costs only its function's points. Each network is built and trained once per
grading and reused across checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nnlab.checks import Learner, LearnerError, Outcome, check, describe_value, fail, reference

ref = reference("keras_cnn")
common = reference("keras_common")

DATA_SEED = 52_813
INPUT_SHAPE, NUM_CLASSES = (12, 12, 1), ref.NUM_CLASSES
OTHER_INPUT_SHAPE, OTHER_NUM_CLASSES = (14, 14, 3), 6
BUILD_SEED, FIT_SEED = 5, 13
# build_cnn's network is trained by the grader's own fit: 600 images, 8 epochs of 16
FIT_EPOCHS, FIT_BATCH = 8, 16
# train_cnn is asked for a number of epochs and a batch size that differ from its defaults
TRAIN_EPOCHS, TRAIN_BATCH = 4, 24
DEFAULTS_N = 64  # examples for the run with default settings (2 steps per epoch)
# at most this many weights for (12, 12, 1) images and 4 classes: a Conv2D + pooling base and
# a modest head need a few thousand (the model answer 5,988; a 32-filter base with a
# Dense(128) head about 100,000); a wide Dense layer right after a large Flatten is what
# goes over (Dense(512) after 5x5x32 maps: 410,000)
PARAMETER_BUDGET = 150_000

# Thresholds from benchmarks/keras_thresholds.py: test accuracy on the balanced hidden test
# images (guessing scores 0.25), 12 seeds (data, weights and shuffles all vary):
#   model answer (Conv 16 + pool, Conv 32 + pool, Dense 32): min 0.857, median 0.905, 12/12 pass
#   minimal CNN (Conv2D(8) + MaxPooling2D + Dense(4)):       min 0.562, median 0.668, 12/12 pass
BUILD_THRESHOLD = 0.50  # margin 0.062 below the minimal CNN's worst seed
#   reference CNN trained by the model answer's train_cnn (4 epochs of 24):
#                                                            min 0.840, median 0.867, 12/12 pass
TRAIN_THRESHOLD = 0.75  # margin 0.090

# metric objects are named by their class; keras.metrics.Accuracy is not among them: it compares
# the label with the output row element by element instead of taking the most probable class
ACCURACY_NAMES = {"accuracy", "acc", "sparse_categorical_accuracy", "SparseCategoricalAccuracy"}
BASE_LAYERS = {"Conv2D", "MaxPooling2D", "AveragePooling2D", "BatchNormalization", "Dropout"}

cached, trusted = common.cached, common.trusted


def data() -> dict[str, np.ndarray]:
    return ref.image_problem(DATA_SEED, size=INPUT_SHAPE[0])


# --- build_cnn ------------------------------------------------------------------------------------


def _built(learner: Learner, input_shape: tuple[int, ...], num_classes: int) -> Any:
    def build() -> tuple[Outcome, dict[str, Any] | None]:
        trusted(learner, "seed", BUILD_SEED)
        outcome = learner.call("build_cnn", input_shape, num_classes)
        if outcome.raised is not None:
            return outcome, None
        return outcome, trusted(learner, "describe_model", outcome.value)

    return cached(learner, ("build", input_shape, num_classes), build)


def model_of(
    learner: Learner, input_shape: tuple[int, ...] = INPUT_SHAPE, num_classes: int = NUM_CLASSES
) -> tuple[Any, dict[str, Any]]:
    """build_cnn(...) and its description; a failure that names the fix otherwise."""
    outcome, info = _built(learner, input_shape, num_classes)
    raised = outcome.raised
    if raised is not None and "not recognized" in raised.message and "'lr'" in raised.message:
        fail(
            f"{call_text(input_shape, num_classes)} raised {raised.describe(outcome.file_name)}.\n"
            "`lr=` is the old Keras 2 name of the learning rate; Keras 3 only knows "
            "`learning_rate=`: e.g. keras.optimizers.RMSprop(learning_rate=0.001)."
        )
    model = outcome.value  # raises 'not implemented yet' or the learner's error
    if not isinstance(info, dict) or not info.get("is_model"):
        fail(
            f"{outcome.call_text} returned {describe_value(model)}; expected a keras Model "
            "(build a keras.Sequential([...]) and return it)."
        )
    return model, info


def call_text(input_shape: tuple[int, ...] = INPUT_SHAPE, num_classes: int = NUM_CLASSES) -> str:
    return f"build_cnn({input_shape}, {num_classes})"


def _classes(info: dict[str, Any]) -> list[str]:
    return [str(layer.get("class")) for layer in info.get("layers", []) if isinstance(layer, dict)]


def output_activation(info: dict[str, Any]) -> str | None:
    """The activation applied last: a Dense layer's own, or a trailing Activation/Softmax layer."""
    for layer in reversed([x for x in info.get("layers", []) if isinstance(x, dict)]):
        if layer.get("class") in ("Dropout", "Flatten", "Reshape"):
            continue
        return layer.get("activation")
    return None


def requires_compiled(info: dict[str, Any], call: str) -> None:
    if not info.get("compiled"):
        fail(
            f"{call} returned a model that is not compiled: call "
            "model.compile(optimizer=..., loss=..., metrics=[...]) in build_cnn, before "
            "returning the model (fit refuses an uncompiled model)."
        )


@check(
    "build_cnn",
    weight=8,
    hint=(
        "The input shape and the number of classes come from the arguments, not from "
        "numbers written in the code."
    ),
)
def test_build_cnn_takes_the_image_shape_and_classes_from_its_arguments(learner):
    for input_shape, num_classes in (
        (INPUT_SHAPE, NUM_CLASSES),
        (OTHER_INPUT_SHAPE, OTHER_NUM_CLASSES),
    ):
        _, info = model_of(learner, input_shape, num_classes)
        call = call_text(input_shape, num_classes)
        shape, out = info.get("input_shape"), info.get("output_shape")
        if shape is None:
            fail(
                f"{call} returned a model that does not know its input shape yet; start it "
                "with keras.Input(shape=input_shape)."
            )
        if shape != [None, *input_shape]:
            fail(
                f"{call} returned a model whose input shape is {tuple(shape)}; expected "
                f"{(None, *input_shape)}. Is the image shape hard-coded? Use "
                "keras.Input(shape=input_shape)."
            )
        if out != [None, num_classes]:
            fail(
                f"{call} returned a model whose output shape is {tuple(out or ())}; expected "
                f"(None, {num_classes}): one output per class. Use "
                "Dense(num_classes, activation='softmax') as the last layer."
            )


@check(
    "build_cnn",
    weight=2,
    hint=(
        "The contract asks for a Sequential model (layers in a list), not a functional keras.Model."
    ),
)
def test_build_cnn_is_a_keras_sequential(learner):
    _, info = model_of(learner)
    common.expect_sequential(
        info,
        call_text(),
        "keras.Sequential([keras.Input(shape=input_shape), layers.Conv2D(...), ...])",
        input_shape=INPUT_SHAPE,
    )


@check(
    "build_cnn",
    weight=10,
    hint=("The base is convolutions, each followed by a max-pooling layer that halves the image."),
)
def test_build_cnn_base_has_a_conv2d_followed_by_max_pooling2d(learner):
    _, info = model_of(learner)
    classes = _classes(info)
    call = call_text()
    if "Conv2D" not in classes:
        fail(
            f"{call} has layers {classes}; a CNN's base needs at least one Conv2D, e.g. "
            "layers.Conv2D(16, (3, 3), activation='relu')."
        )
    first_conv = classes.index("Conv2D")
    flatten = classes.index("Flatten") if "Flatten" in classes else len(classes)
    if "MaxPooling2D" not in classes[first_conv + 1 : flatten]:
        fail(
            f"{call} has layers {classes}: no MaxPooling2D after the Conv2D in the base. Add "
            "layers.MaxPooling2D((2, 2)) after it: it halves the feature maps and keeps the "
            "Dense head small."
        )
    layers = [x for x in info.get("layers", []) if isinstance(x, dict)]
    # (the feature maps' shape before the pooling, the pooling layer) in the base
    pools = [
        (layers[i - 1].get("output_shape"), layers[i])
        for i in range(first_conv + 1, flatten)
        if classes[i] == "MaxPooling2D"
    ]
    if all(
        _area(before) is not None and _area(before) == _area(pool.get("output_shape"))
        for before, pool in pools
    ):
        before, pool = pools[0]
        fail(
            f"{call}: its MaxPooling2D (pool_size {tuple(pool.get('pool_size') or ())}, strides "
            f"{tuple(pool.get('strides') or ())}) turns feature maps of "
            f"{_area_text(before)} into {_area_text(pool.get('output_shape'))}: it keeps every "
            "pixel, so it pools nothing. Use layers.MaxPooling2D((2, 2)), which halves height "
            "and width."
        )


def _area(shape: Any) -> int | None:
    """Height x width of a (None, H, W, C) feature map shape."""
    if isinstance(shape, list) and len(shape) == 4 and all(isinstance(d, int) for d in shape[1:3]):
        return shape[1] * shape[2]
    return None


def _area_text(shape: Any) -> str:
    return f"{shape[1]}x{shape[2]}" if _area(shape) is not None else "unknown size"


@check(
    "build_cnn",
    weight=8,
    hint=(
        "After the base, flatten the feature maps, then Dense layers (the last with one "
        "unit per class)."
    ),
)
def test_build_cnn_head_is_flatten_then_dense(learner):
    _, info = model_of(learner)
    classes = _classes(info)
    call = call_text()
    if "Flatten" not in classes:
        fail(
            f"{call} has layers {classes}; the head starts with layers.Flatten(), which turns "
            "each image's feature maps into one row for the Dense layers."
        )
    flatten = classes.index("Flatten")
    base, head = classes[:flatten], classes[flatten + 1 :]
    if "Conv2D" not in base:
        fail(f"{call} has layers {classes}: Flatten comes before any Conv2D; build the base first.")
    if "Dense" in base:
        fail(
            f"{call} has layers {classes}: a Dense layer before Flatten. The base is Conv2D "
            "and MaxPooling2D layers only (a Dense layer there acts on every pixel of the "
            "feature maps separately); put the Dense layers after layers.Flatten()."
        )
    if "Dense" not in head or any(name in BASE_LAYERS - {"Dropout"} for name in head):
        fail(
            f"{call} has layers {classes}; after Flatten expected Dense layers only (Dropout "
            "allowed), ending in Dense(num_classes, activation='softmax')."
        )


@check(
    "build_cnn",
    weight=10,
    hint=(
        "The last layer has one unit per class with a softmax: one probability per class,"
        " each row summing to 1."
    ),
)
def test_build_cnn_ends_in_a_softmax_over_the_classes(learner):
    _, info = model_of(learner)
    call = call_text()
    dense = [x for x in info.get("layers", []) if isinstance(x, dict) and x.get("class") == "Dense"]
    units = dense[-1].get("units") if dense else None
    if info.get("output_shape") not in ([None, NUM_CLASSES], None) or units != NUM_CLASSES:
        fail(
            f"{call} returned a model whose output shape is {info.get('output_shape')} (last "
            f"Dense layer: {units} units); expected "
            f"(None, {NUM_CLASSES}). A softmax over one unit is always 1.0: use "
            "Dense(num_classes, activation='softmax')."
        )
    activation = output_activation(info)
    if activation in (None, "linear") and (info.get("loss") or {}).get("from_logits"):
        fail(
            f"{call}: the last layer has no activation and the loss has from_logits=True. "
            "That trains, but the model outputs raw scores (logits), and this exercise's "
            "model.predict must give probabilities (rows that sum to 1). Expected "
            "Dense(num_classes, activation='softmax') and the loss without from_logits."
        )
    if activation in (None, "linear"):
        fail(
            f"{call}: the last layer has no activation, so it outputs raw scores (logits), not "
            "probabilities. Use activation='softmax' on the last Dense layer."
        )
    if activation != "softmax":
        fail(
            f"{call}: the last layer uses {activation!r}; expected 'softmax', which turns "
            "the scores of the classes into probabilities that sum to 1."
        )


@check(
    "build_cnn",
    weight=10,
    hint="Integer labels 0..K-1 go with loss='sparse_categorical_crossentropy'.",
)
def test_build_cnn_is_compiled_with_sparse_categorical_cross_entropy(learner):
    _, info = model_of(learner)
    call = call_text()
    requires_compiled(info, call)
    loss = info.get("loss") or {}
    name = loss.get("name")
    if name == "categorical_crossentropy":
        fail(
            f"{call} is compiled with categorical cross-entropy, which expects one-hot label "
            "rows of shape (N, num_classes); the labels here are integers 0..K-1, shape (N,). "
            "Use loss='sparse_categorical_crossentropy'."
        )
    if name != "sparse_categorical_crossentropy":
        fail(
            f"{call} is compiled with loss {loss.get('text', name)!r}; expected sparse "
            "categorical cross-entropy, the loss for integer class labels: "
            "loss='sparse_categorical_crossentropy'."
        )
    if loss.get("from_logits") and output_activation(info) == "softmax":
        fail(
            f"{call} uses from_logits=True after a softmax output: the outputs are already "
            "probabilities, so softmax would be applied twice. Drop from_logits=True."
        )


@check(
    "build_cnn",
    after=(
        "build_cnn_takes_the_image_shape_and_classes_from_its_arguments",
        "build_cnn_is_compiled_with_sparse_categorical_cross_entropy",
    ),
    weight=4,
    hint=("Ask compile for the accuracy metric by its name, so that fit reports it every epoch."),
)
def test_build_cnn_reports_accuracy(learner):
    _, info = model_of(learner)
    call = call_text()
    requires_compiled(info, call)
    metrics = info.get("metrics") or []
    if not ACCURACY_NAMES & set(map(str, metrics)) and "Accuracy" in metrics:
        fail(
            f"{call} is compiled with keras.metrics.Accuracy(), which compares the integer "
            "label with each probability of the output row instead of taking the most "
            'probable class. Use metrics=["accuracy"] (Keras then picks the sparse '
            "categorical accuracy for integer labels)."
        )
    if not ACCURACY_NAMES & set(map(str, metrics)):
        fail(
            f"{call} is compiled with metrics {metrics}; expected accuracy among them: "
            'metrics=["accuracy"].'
        )


@check(
    "build_cnn",
    weight=8,
    hint=(
        "Most parameters sit in the first Dense layer after Flatten: pool before "
        "flattening and keep that layer small."
    ),
)
def test_build_cnn_stays_within_the_parameter_budget(learner):
    _, info = model_of(learner)
    call = call_text()
    params = info.get("params")
    if not isinstance(params, int):
        fail(
            f"{call} returned a model whose size is unknown: start it with keras.Input(shape=input_shape)."
        )
    if params > PARAMETER_BUDGET:
        biggest = max(
            (
                x
                for x in info.get("layers", [])
                if isinstance(x, dict) and isinstance(x.get("params"), int)
            ),
            key=lambda x: x["params"],
        )
        fail(
            f"{call} has {params:,} parameters; the budget is {PARAMETER_BUDGET:,}. The largest "
            f"layer is {biggest['class']} {biggest.get('name', '')!r} with {biggest['params']:,}: "
            "pool more before Flatten, or use fewer units in the Dense layer after it."
        )


@check(
    "build_cnn",
    after=(
        "build_cnn_takes_the_image_shape_and_classes_from_its_arguments",
        "build_cnn_is_a_keras_sequential",
        "build_cnn_base_has_a_conv2d_followed_by_max_pooling2d",
        "build_cnn_head_is_flatten_then_dense",
        "build_cnn_ends_in_a_softmax_over_the_classes",
        "build_cnn_is_compiled_with_sparse_categorical_cross_entropy",
        "build_cnn_reports_accuracy",
        "build_cnn_stays_within_the_parameter_budget",
    ),
    weight=12,
    hint="Conv2D + MaxPooling2D, Flatten, a softmax Dense layer and sparse cross-entropy learn these images.",
)
def test_build_cnn_learns_the_hidden_images(learner):
    model, info = model_of(learner)
    call = call_text()
    requires_compiled(info, call)
    if info.get("output_shape") not in ([None, NUM_CLASSES], None):  # None: built by fit
        fail(
            f"the accuracy of {call} cannot be measured: its output shape is not "
            f"(None, {NUM_CLASSES}), one probability per class."
        )
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
            "your build_cnn's network",
        )
        outputs = trusted(learner, "predict", model, sets["x_test"])
        return _accuracy(outputs, sets["y_test"], f"the model of {call}")

    try:
        score = cached(learner, "build accuracy", train)
    except LearnerError as error:
        reason = str(error).split(" raised ", 1)[-1].splitlines()[0][:300]
        fail(f"training the model of {call} failed: {reason}")
    if score < BUILD_THRESHOLD:
        fail(
            f"the model of {call}, trained for {FIT_EPOCHS} epochs (batch size {FIT_BATCH}) on "
            f"600 hidden images, classifies {score:.1%} of the hidden test images correctly; "
            f"expected at least {BUILD_THRESHOLD:.0%} (guessing gives 25%)."
        )


def _accuracy(outputs: Any, labels: np.ndarray, who: str) -> float:
    array = outputs if isinstance(outputs, np.ndarray) else None
    if array is None or array.shape != (len(labels), NUM_CLASSES):
        fail(
            f"{who} predicted {describe_value(outputs)}; expected shape ({len(labels)}, {NUM_CLASSES})."
        )
    if not np.all(np.isfinite(array)):
        fail(f"{who} predicted NaN or inf values: its training diverged.")
    return ref.accuracy(array, labels)


# --- train_cnn ------------------------------------------------------------------------------------

TRAINING = common.Training(
    function="train_cnn",
    reference_network=("reference_cnn", INPUT_SHAPE, NUM_CLASSES),
    data=data,
    accuracy=lambda outputs, labels: _accuracy(outputs, labels, "the reference CNN"),
    epochs=TRAIN_EPOCHS,
    batch_size=TRAIN_BATCH,
    default_epochs=5,
    seed=FIT_SEED,
    threshold=TRAIN_THRESHOLD,
    learner_of="a CNN that learns these images easily",
    examples="images",
)


@check(
    "train_cnn",
    weight=9,
    hint="Return what fit returns: its History, with one loss per epoch.",
)
def test_train_cnn_returns_a_history_with_one_value_per_epoch(learner):
    TRAINING.expect_one_value_per_epoch(learner)


@check(
    "train_cnn",
    weight=9,
    hint="Pass validation_data=(x_val, y_val) to fit: not validation_split, not the training set.",
)
def test_train_cnn_validates_on_the_validation_data(learner):
    TRAINING.expect_validation_data(learner)


@check(
    "train_cnn",
    after=(
        "train_cnn_returns_a_history_with_one_value_per_epoch",
        "train_cnn_validates_on_the_validation_data",
    ),
    weight=4,
    hint="Pass batch_size=batch_size to fit; the default 32 is only the default.",
)
def test_train_cnn_uses_the_given_batch_size(learner):
    TRAINING.expect_batch_size(learner)


@check(
    "train_cnn",
    weight=6,
    hint="Fit on x_train, y_train (the validation set is only measured, never trained on).",
)
def test_train_cnn_trains_the_model_on_the_training_images(learner):
    TRAINING.expect_learning(learner)


@check(
    "train_cnn",
    after=(
        "train_cnn_returns_a_history_with_one_value_per_epoch",
        "train_cnn_validates_on_the_validation_data",
        "train_cnn_uses_the_given_batch_size",
        "train_cnn_trains_the_model_on_the_training_images",
    ),
    weight=2,
    hint="Keep the contract's defaults: epochs=5, batch_size=32.",
)
def test_train_cnn_defaults_are_the_contracts(learner):
    TRAINING.expect_contract_defaults(learner, DEFAULTS_N)
