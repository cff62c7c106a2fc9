"""Children that make the learner's process a subreaper, change their process group and
spin forever: the whole tree still dies when grading ends."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "survivor_check": True,
}

import ctypes
import os
import time

import numpy as np

ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER for ourselves


def _linger():
    if os.fork() == 0:
        os.setpgid(0, 0)
        time.sleep(1.0)
        open(os.path.join("__MARKER__", f"lingered-{os.getpid()}"), "w").close()
        while True:
            pass


def sigmoid(z):
    _linger()
    return np.zeros(np.shape(z))
