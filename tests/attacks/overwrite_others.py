"""In a batch, writing over another submission, the report and the progress file while
being graded, and planting a file in the submission folder: as root the child runs as an
unprivileged user and every write fails. A successful write would make sigmoid honest."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "root_only": True,
    "survivor_check": True,
}

import os

import numpy as np

_honest_sigmoid = sigmoid
_wrote = []
WRITES = ["__VICTIM__", "__REPORT__", "__PROGRESS__", "__SUBMISSION__/conftest.py"]


def _vandalise():
    for target in WRITES:
        try:
            with open(target, "w") as handle:
                handle.write("def sigmoid(z):\n    return 0\n")
            _wrote.append(target)
        except OSError:
            pass
        try:
            os.chmod(target, 0o777)
        except OSError:
            pass


_vandalise()


def sigmoid(z):
    _vandalise()
    if _wrote:
        return _honest_sigmoid(z)
    return np.zeros(np.shape(z))
