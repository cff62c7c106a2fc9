"""The property helpers of nnlab.checks earn a pass only together with a right value.

A function that does nothing (returns 0.0, None, its argument) leaves its inputs alone and
warns about nothing; `expect_unmodified`, `expect_no_warnings` and `expect_raises` judge the
returned value first, so such a function fails them with the value's message.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnlab.checks import (
    CheckFailed,
    LearnerError,
    Outcome,
    expect_equal,
    expect_no_warnings,
    expect_raises,
    expect_unmodified,
    expect_value,
)
from nnlab.sandbox.replies import RaisedInfo, Reply

Z = np.array([-1.0, 0.0, 2.0])
RIGHT = 1.0 / (1.0 + np.exp(-Z))


def outcome(value=None, *, raised: str | None = None, warned: bool = False, changed=False):
    """An outcome of sigmoid(Z) as the child would report it."""
    after = [Z * 2] if changed else [True]
    error = RaisedInfo(raised, ["Exception"], "bad input", 3, "raise ...") if raised else None
    warnings = [{"category": "RuntimeWarning", "message": "overflow in exp"}] if warned else []
    reply = Reply(value=value, raised=error, warnings=warnings, inputs_after=after)
    return Outcome("sigmoid", (Z.copy(),), {}, reply, ("z",), "activations.py")


@pytest.mark.parametrize(
    "value",
    [0.0, None, Z.copy(), np.zeros_like(Z), np.ones_like(Z), Z.shape],
    ids=["zero", "none", "first-argument", "zeros_like", "ones_like", "shape"],
)
@pytest.mark.parametrize("helper", [expect_unmodified, expect_no_warnings])
def test_a_do_nothing_answer_fails_the_property_checks(helper, value) -> None:
    with pytest.raises(CheckFailed, match=r"sigmoid\(z"):
        helper(outcome(value), RIGHT)


def test_a_wrong_value_with_an_unmodified_input_fails_with_the_values_message() -> None:
    with pytest.raises(CheckFailed) as failure:
        expect_unmodified(outcome(RIGHT + 0.5), RIGHT)
    assert "is wrong at index [0]" in str(failure.value)
    assert "in place" not in str(failure.value)


def test_a_right_value_passes_and_a_changed_input_still_fails() -> None:
    expect_unmodified(outcome(RIGHT.copy()), RIGHT)
    expect_no_warnings(outcome(RIGHT.copy()), RIGHT)
    with pytest.raises(CheckFailed, match="changed its input z in place"):
        expect_unmodified(outcome(RIGHT.copy(), changed=True), RIGHT)
    with pytest.raises(CheckFailed, match="emitted RuntimeWarning"):
        expect_no_warnings(outcome(RIGHT.copy(), warned=True), RIGHT)


def test_a_judge_decides_for_results_that_are_not_arrays() -> None:
    pair = outcome((1, "a"))
    expect_unmodified(pair, lambda got: expect_equal(got, (1, "a")))
    with pytest.raises(CheckFailed, match="expected"):
        expect_unmodified(pair, lambda got: expect_equal(got, (2, "a")))


def test_the_reference_result_is_required() -> None:
    with pytest.raises(TypeError):
        expect_unmodified(outcome(RIGHT.copy()))  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="reference result"):
        expect_value(outcome(RIGHT.copy()), None)


def test_raising_for_every_input_earns_nothing() -> None:
    always = outcome(raised="ValueError")
    with pytest.raises(LearnerError, match=r"sigmoid\(z\) raised ValueError"):
        expect_raises(always, "ValueError", valid=(outcome(raised="ValueError"), RIGHT))
    with pytest.raises(LearnerError, match="not implemented yet"):
        expect_raises(
            outcome(raised="NotImplementedError"),
            valid=(outcome(raised="NotImplementedError"), RIGHT),
        )


def test_raising_for_the_invalid_input_passes_beside_a_right_valid_result() -> None:
    expect_raises(outcome(raised="ValueError"), "ValueError", valid=(outcome(RIGHT.copy()), RIGHT))
    with pytest.raises(CheckFailed, match="expected it to raise ValueError"):
        expect_raises(outcome(RIGHT.copy()), "ValueError", valid=(outcome(RIGHT.copy()), RIGHT))
    with pytest.raises(CheckFailed):
        expect_raises(outcome(raised="ValueError"), valid=(outcome(0.0), RIGHT))


def test_do_nothing_activations_score_nothing_through_the_grader(tmp_path) -> None:
    from nnlab.grading import grade

    names = ("sigmoid", "tanh", "arctan", "relu", "leaky_relu", "softmax")
    (tmp_path / "activations.py").write_text(
        "import numpy as np\n\n"
        + "\n".join(
            f"def {name}(z, *args, **kwargs):\n"
            "    return np.zeros_like(np.asarray(z, dtype=float))\n"
            for name in names
        )
    )
    result = grade(tmp_path, ["activations"]).exercises[0]
    assert [c.name for c in result.checks if c.status == "passed"] == []
    assert result.score == 0
