"""The template process: children forked from a NumPy-warm template behave like started ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SOLUTIONS

from nnlab.sandbox.launcher import ChildCrashed, Sandbox, Template

SOURCE = """
import os
def who():
    return [os.getpid(), os.getppid(), os.getsid(0)]
def leave(code):
    os._exit(code)
"""


def test_forked_children_are_fresh_sessions_of_the_template_and_report_their_exit() -> None:
    seen = []
    for _ in range(3):
        with Sandbox(SOURCE, "m.py", "m") as box:
            assert box.load().raised is None
            pid, parent, session = box.call("who", timeout=10).value
            template = Template.shared()
            assert template is not None and parent == template.process.pid
            assert session == pid != os.getpid()
            seen.append(pid)
            with pytest.raises(ChildCrashed, match="exited with status 7"):
                box.call("leave", (7,), timeout=10)
    assert len(set(seen)) == 3, "every sandbox gets its own child"


def test_a_dead_template_is_replaced() -> None:
    template = Template.shared()
    assert template is not None
    template.process.kill()
    template.process.wait()
    with Sandbox(SOURCE, "m.py", "m") as box:
        assert box.load().raised is None
        assert box.call("who", timeout=10).value[1] != template.process.pid
    assert Template.shared() is not template


def test_without_the_template_children_are_started_as_new_interpreters(tmp_path: Path) -> None:
    (tmp_path / "tensors.py").write_text((SOLUTIONS / "tensors.py").read_text())
    completed = subprocess.run(
        [sys.executable, "-m", "nnlab", "grade", "tensors", "--no-progress"],
        cwd=tmp_path,
        env={**os.environ, "NNLAB_TEMPLATE": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


KERAS_SOURCE = """
import numpy as np
import keras

def fit(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    x = np.random.default_rng(0).random((128, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("float32")
    return model.fit(x, y, epochs=2, verbose=0).history["loss"]
"""


@pytest.mark.tensorflow
def test_a_tensorflow_template_forks_children_that_train_keras_models_deterministically() -> None:
    losses = []
    for _ in range(2):
        with Sandbox(
            KERAS_SOURCE, "k.py", "k", preload=("tensorflow", "keras"), load_timeout=120
        ) as box:
            assert box.load().raised is None
            losses.append(box.call("fit", (3,), timeout=120).value)
    assert losses[0] == losses[1] and len(losses[0]) == 2
    assert Template.shared(("tensorflow", "keras")) is not Template.shared()


def test_a_grading_process_leaves_no_folder_behind(tmp_path: Path) -> None:
    work, scratch = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    scratch.mkdir()
    (work / "tensors.py").write_text((SOLUTIONS / "tensors.py").read_text())
    completed = subprocess.run(
        [sys.executable, "-m", "nnlab", "grade", "tensors", "--no-progress"],
        cwd=work,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        timeout=120,
    )
    assert completed.returncode == 0
    assert list(scratch.iterdir()) == []
