"""100 MiB on stdout and stderr at import and in a call: drained into a bounded buffer."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
}

import os
import sys

import numpy as np

_CHUNK = b"42 passed " * 104_857  # about 1 MiB


def _flood(mebibytes):
    for _ in range(mebibytes):
        os.write(1, _CHUNK)
        os.write(2, _CHUNK)


_flood(50)


def sigmoid(z):
    _flood(25)
    return np.zeros(np.shape(z))
