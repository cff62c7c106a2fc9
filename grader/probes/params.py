"""Trusted helpers for the `network` and `cnn_numpy` checks, run inside the child beside the
learner's module.

The sandbox loads this one file by path for both exercises (``probes="params"`` in the
catalogue).

The child reports the array arguments of a call as they were afterwards, but not the arrays
held in a dict. `params_after_call` calls a learner function and hands back the `params` dict
as that call left it, so the parent can tell whether the dict was changed in place.
"""

from __future__ import annotations

import sys
from typing import Any


def params_after_call(slug: str, function: str, params: dict, *args: Any) -> dict:
    """Call the learner's `function(params, *args)`; return `params` as the call left it."""
    learner = sys.modules[slug]  # the learner's module is loaded under its slug
    getattr(learner, function)(params, *args)
    return params
