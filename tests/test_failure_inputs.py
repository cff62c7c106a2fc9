"""Every failure shows the input that exposed it: wrong values, errors, time-outs alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from conftest import BROKEN

from nnlab import grading
from nnlab.checks import describe_input


def test_small_arrays_are_shown_in_full_without_their_axes_of_length_one() -> None:
    image = np.arange(16.0).reshape(1, 4, 4, 1)
    shown = describe_input("x", image).splitlines()
    assert shown[0] == "with x of shape (1, 4, 4, 1), x[0, :, :, 0] ="
    assert shown[1:] == [
        "  [[ 0.  1.  2.  3.]",
        "   [ 4.  5.  6.  7.]",
        "   [ 8.  9. 10. 11.]",
        "   [12. 13. 14. 15.]]",
    ]
    kernel = np.ones((3, 3), dtype=np.float32)
    assert describe_input("kernel", kernel).splitlines()[0] == "with kernel (float32) ="
    assert describe_input("z", np.array([1.5, -2.0])) == "with z = [ 1.5 -2. ]"


def test_large_arrays_are_shown_by_shape_dtype_and_first_values_with_indices() -> None:
    x = np.arange(200.0, dtype=np.float32).reshape(2, 10, 10, 1)
    assert describe_input("x", x) == (
        "with x of shape (2, 10, 10, 1) (float32): x[0, 0, 0, 0] = 0, x[0, 0, 1, 0] = 1, "
        "x[0, 0, 2, 0] = 2, ..."
    )


def grade_text(tmp_path: Path, slug: str, source: str, **limits: float) -> dict[str, str]:
    (tmp_path / f"{slug}.py").write_text(source)
    options = grading.GradingOptions(limits=grading.Limits(**limits) if limits else None)
    result = grading.grade(tmp_path, [slug], options=options).exercises[0]
    return {c.name: c.message for c in result.checks}


def test_an_error_in_the_learners_code_shows_the_call_and_its_input(tmp_path: Path) -> None:
    source = "def rank(x):\n    return len(x.shape)\n"
    message = grade_text(tmp_path, "tensors", source)["rank_of_python_numbers_and_lists"]
    assert message.splitlines()[0].startswith("rank(x) raised AttributeError")
    assert message.splitlines()[1] == "with x = 3.5"


def test_a_time_out_shows_the_call_and_its_input(tmp_path: Path) -> None:
    source = "def rank(x):\n    while True:\n        pass\n"
    messages = grade_text(
        tmp_path, "tensors", source, load_seconds=10.0, call_seconds=0.5, exercise_seconds=20.0
    )
    lines = messages["rank_counts_the_axes_of_arrays"].splitlines()
    assert "rank did not finish within" in lines[0]
    assert lines[1] == "(during one of 6 calls of rank; the first: rank(x))"
    assert lines[2] == "with x = array(0.)"


def test_rmsprop_failures_show_param_grad_and_velocity(tmp_path: Path) -> None:
    shutil.copyfile(
        BROKEN / "optimizers" / "rmsprop_steps_with_the_old_velocity.py",
        tmp_path / "optimizers.py",
    )
    result = grading.grade(tmp_path, ["optimizers"]).exercises[0]
    (failed,) = [c for c in result.checks if c.status == "failed"]
    for name in ("param", "grad", "velocity"):
        assert f"\nwith {name} = " in failed.message, failed.message


def test_an_input_changed_in_place_is_shown_with_what_changed(tmp_path: Path) -> None:
    shutil.copyfile(
        BROKEN / "optimizers" / "rmsprop_in_place_velocity.py", tmp_path / "optimizers.py"
    )
    result = grading.grade(tmp_path, ["optimizers"]).exercises[0]
    (failed,) = [c for c in result.checks if c.status == "failed"]
    first = failed.message.splitlines()[0]
    assert "changed its input velocity in place: velocity[0, 0] was 0.91217625" in first
    assert "np.array" not in failed.message  # what went wrong, not the code that fixes it
    assert failed.message.splitlines()[1] == "with velocity ="
