"""checks.call_with_values: the call a message names, with every argument's value."""

from __future__ import annotations

import numpy as np

from nnlab.checks import Outcome, call_with_values


def _outcome() -> Outcome:
    return Outcome("f", (np.array([1.0, 2.0]), 3), {"stride": (2, 1)}, None, ("x", "k"))


def test_arguments_by_name_and_keywords_shown_briefly() -> None:
    assert call_with_values(_outcome()) == "f(x=[1., 2.], k=3, stride=(2, 1))"


def test_large_arrays_by_their_shape() -> None:
    outcome = Outcome("g", (np.zeros((2, 3, 4)),), {}, None, ("x",))
    assert call_with_values(outcome) == "g(x=<array of shape (2, 3, 4), float64>)"


def test_a_check_file_chooses_how_an_argument_is_shown() -> None:
    shown = call_with_values(_outcome(), lambda value: type(value).__name__)
    assert shown == "f(x=ndarray, k=int, stride=tuple)"
