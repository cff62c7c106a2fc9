"""Copying a classmate: another submission's file (its folder in the class, or a child's
copy `nnlab-child-<pid>-<rand>/<slug>.py` in the shared temporary folder) opened by name
and its sigmoid used. Each child has its own mount view: empty temporary folders, the
class's folder covered. A copy found would make sigmoid honest."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "root_only": True,
}

import glob
import os

import numpy as np


def _classmate():
    places = ["__VICTIM__", *glob.glob("/tmp/nnlab-child-*/activations.py")]
    for path in places:
        if os.path.realpath(path) == os.path.realpath(__file__):
            continue
        try:
            with open(path) as handle:
                source = handle.read()
        except OSError:
            continue
        borrowed = {}
        exec(compile(source, path, "exec"), borrowed)
        if "sigmoid" in borrowed:
            return borrowed["sigmoid"]
    return None


def sigmoid(z):
    found = _classmate()
    if found is not None:
        return found(z)
    return np.zeros(np.shape(z))
