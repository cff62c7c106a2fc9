"""The Keras exercises as a whole: model answers and other correct spellings earn full marks,
untouched stubs none, and the same seeds give the same trained model.

Few and small on purpose: each grading imports TensorFlow in a fresh child (a few seconds).
tests/test_broken.py grades the broken Keras models in tests/broken/keras_*/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import EXERCISES, ROOT, SOLUTIONS

from nnlab import catalog
from nnlab.checks import reference
from nnlab.grading import TENSORFLOW_LIMITS, grade
from nnlab.sandbox.launcher import Sandbox

KERAS_SLUGS = [e.slug for e in catalog.EXERCISES if e.uses_tensorflow]
SPELLINGS = Path(__file__).resolve().parent / "keras_spellings"
PROBES = ROOT / "grader" / "probes"

pytestmark = pytest.mark.tensorflow


def graded(tmp_path: Path, slug: str, source: Path):
    shutil.copyfile(source, tmp_path / f"{slug}.py")
    return grade(tmp_path, [slug]).exercises[0]


@pytest.mark.parametrize("slug", KERAS_SLUGS)
def test_solution_earns_full_marks(slug: str, tmp_path: Path) -> None:
    result = graded(tmp_path, slug, SOLUTIONS / f"{slug}.py")
    failures = [f"{c.name}: {c.message}" for c in result.checks if c.status != "passed"]
    assert result.score == pytest.approx(100.0), failures


def spellings() -> list[pytest.param]:
    """keras_spellings/<slug>.py and <slug>_<what>.py: each a whole correct answer."""
    return [
        pytest.param(slug, path, id=path.stem)
        for slug in KERAS_SLUGS
        for path in sorted(SPELLINGS.glob(f"{slug}*.py"))
    ]


@pytest.mark.parametrize(("slug", "path"), spellings())
def test_other_correct_spellings_earn_full_marks(slug: str, path: Path, tmp_path: Path) -> None:
    """tensorflow.keras imports, input_shape=, loss and metric objects, 'acc', a Softmax layer,
    activation layers, tf.nn functions (see each file's docstring)."""
    result = graded(tmp_path, slug, path)
    failures = [f"{c.name}: {c.message}" for c in result.checks if c.status != "passed"]
    assert result.score == pytest.approx(100.0), failures


@pytest.mark.parametrize("slug", KERAS_SLUGS)
def test_untouched_stub_earns_nothing(slug: str, tmp_path: Path) -> None:
    result = graded(tmp_path, slug, EXERCISES / f"{slug}.py")
    assert result.score == 0.0
    messages = [c.message for c in result.checks if c.status != "blocked"]
    assert all("not implemented yet" in m for m in messages), messages


def model_answer_box() -> Sandbox:
    """A sandbox child running keras_model's model answer, with the Keras helpers, as grading
    starts one."""
    return Sandbox(
        (SOLUTIONS / "keras_model.py").read_text(),
        "keras_model.py",
        "keras_model",
        probes=PROBES / "keras.py",
        load_timeout=TENSORFLOW_LIMITS.load_seconds,
        memory_limit=TENSORFLOW_LIMITS.memory_bytes,
    )


def test_same_seed_same_trained_model() -> None:
    """What makes a report repeatable: seeded build and fit give identical predictions."""
    sets = reference("keras_model").binary_problem(3, 4, n_train=128, n_val=32, n_test=64)
    with model_answer_box() as box:
        assert box.load().raised is None
        predictions = []
        for _ in range(2):
            box.call("seed", (7,), timeout=60, probe=True)
            model = box.call("build_model", (4,), timeout=60).value
            box.call("seed", (11,), timeout=60, probe=True)
            arguments = (model, sets["x_train"], sets["y_train"], 3, 16, "test")
            assert box.call("fit_model", arguments, timeout=60, probe=True).raised is None
            predictions.append(
                box.call("predict", (model, sets["x_test"]), timeout=60, probe=True).value
            )
    assert np.array_equal(predictions[0], predictions[1])


def test_a_run_judged_only_on_fits_settings_stops_after_one_batch() -> None:
    """The run of train_model with its default settings (watch_fit's settings_only) records
    fit's settings as asked (20 epochs of 2 steps) and trains one batch, not 20 epochs."""
    sets = reference("keras_model").binary_problem(3, 4, n_train=64, n_val=32, n_test=64)
    with model_answer_box() as box:
        assert box.load().raised is None
        model = box.call("reference_model", (4,), timeout=60, probe=True).value
        assert box.call("watch_fit", (model, "test", True), timeout=60, probe=True).raised is None
        arguments = (model, sets["x_train"], sets["y_train"], sets["x_val"], sets["y_val"])
        history = box.call("train_model", arguments, timeout=60)
        assert history.raised is None
        report = box.call("fit_report", (model,), timeout=60, probe=True).value
        values = box.call("history_values", (history.value,), timeout=60, probe=True).value
    assert [(p["epochs"], p["steps"]) for p in report["params"]] == [(20, 2)]
    assert report["calls"] == 1 and report["epochs"] == 1
    assert len(values["values"]["loss"]) == 1
