"""Trusted helpers for the `cnn_numpy` checks, run inside the child beside the learner's module.

The child reports the array arguments of a call as they were afterwards, but not the arrays
held in a dict. `params_after_call` calls a learner function and hands back the `params` dict
as that call left it, so the parent can tell whether the dict was changed in place.
"""

from __future__ import annotations

import sys
from typing import Any


def params_after_call(function: str, params: dict, *args: Any) -> dict:
    """Call the learner's `function(params, *args)`; return `params` as the call left it."""
    learner = sys.modules["cnn_numpy"]  # the learner's module is loaded under its slug
    getattr(learner, function)(params, *args)
    return params
