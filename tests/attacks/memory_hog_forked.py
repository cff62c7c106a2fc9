"""Memory spread over forked processes, each under the per-process data limit: the
grader sums the resident memory of the whole tree and stops it."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "of memory, the limit for this exercise",
    "call_seconds": 10.0,
}

import os
import time

import numpy as np


def sigmoid(z):
    for _ in range(4):
        if os.fork() == 0:
            block = np.ones(200 * 1024 * 1024 // 8)  # 200 MiB, touched
            time.sleep(30)
            os._exit(0)
    block = np.ones(200 * 1024 * 1024 // 8)
    time.sleep(30)
    return np.zeros(np.shape(z))
