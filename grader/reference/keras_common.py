"""What the Keras checks share: caching one training run per grading, and the checks of a
learner's train function (train_model, train_cnn), which differ only in their data and the
reference network the learner's function trains.

Loaded by the check files with ``reference("keras_common")``; runs in the parent only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlab.checks import Learner, Outcome, describe_value, fail


def cached(learner: Learner, key: Any, compute: Callable[[], Any]) -> Any:
    """One network, one training run per grading: later checks reuse the earlier result
    (see Learner.once; a child restarted after a time-out computes it again)."""
    return learner.once(key, compute)


def trusted(learner: Learner, probe: str, *args: Any) -> Any:
    """Run one of our probes in the child and return its plain result."""
    return learner.probe(probe, *args).value


def expect_sequential(
    info: dict[str, Any], call: str, example: str, *, input_shape: tuple[int, ...]
) -> None:
    """The model is a keras.Sequential, as both exercises' contracts ask (``example`` shows one).

    Like every property, only on a right value: the model is built for the inputs it was
    asked for (``input_shape``, one example's), as the builder's first check requires, so an
    empty ``keras.Sequential()`` earns nothing.
    """
    shape = info.get("input_shape")
    if shape != [None, *input_shape]:
        got = "does not know its input shape" if shape is None else f"takes {tuple(shape)}"
        fail(
            f"{call} returned a model that {got}; expected {(None, *input_shape)}. Write {example}."
        )
    if not info.get("sequential"):
        fail(
            f"{call} returned a {info.get('type')} model; this exercise asks for a "
            "keras.Sequential stack of layers (keras.Model(inputs, outputs) is the functional "
            f"API, for models that are not a plain stack). Write {example}."
        )


@dataclass(frozen=True)
class Training:
    """A learner's train function, checked by having it train our own reference network."""

    function: str  # "train_model"
    reference_network: tuple[Any, ...]  # probe name and arguments: ("reference_model", 8)
    data: Callable[[], dict[str, np.ndarray]]
    accuracy: Callable[[Any, np.ndarray], float]  # fails on predictions of the wrong shape
    epochs: int  # asked for, different from the default
    batch_size: int
    default_epochs: int  # the contract's
    seed: int
    threshold: float
    learner_of: str  # "a model that learns this problem easily"
    examples: str  # "examples", "images"

    @property
    def call(self) -> str:
        return (
            f"{self.function}(model, x_train, y_train, x_val, y_val, epochs={self.epochs}, "
            f"batch_size={self.batch_size})"
        )

    def _fit(self, learner: Learner, label: str, count: int | None, **settings: Any) -> Any:
        sets = self.data()
        trusted(learner, "seed", self.seed)
        model = trusted(learner, *self.reference_network)
        # a run on `count` examples judges only fit's settings: it stops after one batch
        trusted(learner, "watch_fit", model, label, count is not None)
        train, val = slice(count), slice(32 if count else None)
        outcome = learner.call(
            self.function,
            model,
            sets["x_train"][train],
            sets["y_train"][train],
            sets["x_val"][val],
            sets["y_val"][val],
            **settings,
        )
        return model, outcome

    def trained(self, learner: Learner) -> dict[str, Any]:
        """The reference network trained by the learner's function, and what we saw of it."""

        def train() -> dict[str, Any]:
            model, outcome = self._fit(
                learner,
                f"your {self.function}",
                None,
                epochs=self.epochs,
                batch_size=self.batch_size,
            )
            result = {"outcome": outcome, "model": model}
            result["report"] = trusted(learner, "fit_report", model)
            if outcome.raised is None:
                result["history"] = trusted(learner, "history_values", outcome.value)
            return result

        return cached(learner, "train", train)

    def history_of(self, learner: Learner) -> tuple[dict[str, Any], dict[str, list[float]]]:
        trained = self.trained(learner)
        value = trained["outcome"].value  # 'not implemented yet' or the learner's error
        history = trained.get("history") or {}
        if not history.get("is_history"):
            if isinstance(value, dict):
                fail(
                    f"{self.call} returned a dict; return the History object itself "
                    "(`return model.fit(...)`), not history.history."
                )
            fail(
                f"{self.call} returned {describe_value(value)}; expected the keras History that "
                "model.fit(...) returns."
            )
        return trained, history["values"]

    # --- the checks' bodies ---------------------------------------------------------------

    def expect_one_value_per_epoch(self, learner: Learner) -> None:
        _, values = self.history_of(learner)
        for key in ("loss", "val_loss"):
            if key not in values:
                where = " (pass validation_data=(x_val, y_val) to fit)" if key == "val_loss" else ""
                fail(
                    f"the History of {self.call} has keys {sorted(values)}; '{key}' is "
                    f"missing{where}."
                )
        lengths = {key: len(series) for key, series in values.items()}
        if any(length != self.epochs for length in lengths.values()):
            fail(
                f"the History of {self.call} holds {lengths} values per key; expected "
                f"{self.epochs}, one per epoch. Pass epochs=epochs to fit (not a fixed number), "
                "and call fit once."
            )
        if not all(math.isfinite(v) for series in values.values() for v in series):
            fail(f"the History of {self.call} holds NaN or inf values: training diverged.")

    def expect_validation_data(self, learner: Learner) -> None:
        trained, values = self.history_of(learner)
        if "val_loss" not in values:
            fail(
                f"the History of {self.call} has no 'val_loss': fit never saw the validation "
                "set. Pass validation_data=(x_val, y_val) to model.fit."
            )
        sets = self.data()
        expected = trusted(
            learner,
            "evaluate_loss",
            trained["model"],
            sets["x_val"],
            sets["y_val"],
            self.batch_size,
        )
        got = values["val_loss"][-1]
        if not math.isclose(got, expected, rel_tol=2e-3, abs_tol=1e-4):
            fail(
                f"the last val_loss of {self.call} is {got:.5f}, but the trained model's loss "
                f"on (x_val, y_val) is {expected:.5f}: the validation numbers come from other "
                "data. Pass validation_data=(x_val, y_val) (not validation_split, not the "
                "training set)."
            )
        if values["val_loss"] == values["loss"]:
            fail(
                f"{self.call} reports val_loss equal to loss at every epoch: validate on x_val, y_val."
            )

    def expect_batch_size(self, learner: Learner) -> None:
        trained, _ = self.history_of(learner)
        params = [p for p in trained["report"].get("params", []) if isinstance(p, dict)]
        n = len(self.data()["x_train"])
        expected = math.ceil(n / self.batch_size)
        steps = [p.get("steps") for p in params]
        if len(steps) > 1:
            fail(
                f"{self.call} called model.fit {len(steps)} times ({steps} steps per epoch); "
                "expected one call that trains for all the epochs: return model.fit(x_train, "
                "y_train, epochs=epochs, batch_size=batch_size, validation_data=(x_val, y_val))."
            )
        n_val = len(self.data()["x_val"])
        if steps != [expected] and steps == [math.ceil((n + n_val) / self.batch_size)]:
            fail(
                f"{self.call} ran fit with {steps} steps per epoch: that is {n} + {n_val} "
                f"{self.examples}, x_train and x_val together; expected [{expected}]. Train on "
                "x_train only and pass validation_data=(x_val, y_val): the validation loss "
                "must come from examples the model never learned from."
            )
        if steps != [expected]:
            fail(
                f"{self.call} ran fit with {steps} steps per epoch on {n} {self.examples}; "
                f"expected [{expected}] ({n} / {self.batch_size} rounded up, one fit call). "
                "Pass batch_size=batch_size to model.fit, and train on all of x_train (no "
                "validation_split)."
            )

    def expect_learning(self, learner: Learner) -> None:
        trained, _ = self.history_of(learner)
        sets = self.data()

        def measure() -> float:
            outputs = trusted(learner, "predict", trained["model"], sets["x_test"])
            return self.accuracy(outputs, sets["y_test"])

        score = cached(learner, "train accuracy", measure)
        if score < self.threshold:
            fail(
                f"after {self.call}, {self.learner_of} classifies only {score:.1%} of the "
                f"hidden test {self.examples}; expected at least {self.threshold:.0%}. Train on "
                "the training set, for the epochs you are given."
            )

    def expect_contract_defaults(self, learner: Learner, count: int = 64) -> None:
        def run() -> tuple[Outcome, dict[str, Any]]:
            label = f"your {self.function} with its default settings"
            model, outcome = self._fit(learner, label, count)
            return outcome, trusted(learner, "fit_report", model)

        outcome, report = cached(learner, "defaults", run)
        outcome.value  # noqa: B018  ('not implemented yet' or the learner's error)
        params = [p for p in report.get("params", []) if isinstance(p, dict)]
        seen = [(p.get("epochs"), p.get("steps")) for p in params]
        expected = (self.default_epochs, math.ceil(count / 32))
        if seen != [expected]:
            fail(
                f"{self.function}(model, x_train, y_train, x_val, y_val) on {count} "
                f"{self.examples} ran fit with (epochs, steps per epoch) = {seen}; expected "
                f"[{expected}]: the defaults are epochs={self.default_epochs}, batch_size=32."
            )
