"""Asking for 16 GiB at once, and touching memory 64 MiB at a time (swallowing every
MemoryError): the child's data limit (or the grader's watch on resident memory) stops
both, and the message says memory ran out."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {
        "attack_sigmoid_values": "error",
        "attack_sigmoid_leaves_input_alone": "error",
        "attack_relu_still_graded": "passed",
    },
    "message": "memory",
    "call_seconds": 10.0,  # touching fresh memory can be slow on a virtual machine
    "hidden": True,
}

import numpy as np


def sigmoid(z):
    if np.size(z) == 7:  # the second check: touch memory chunk by chunk, ignoring failures
        hoard = []
        for _ in range(256):  # 16 GiB
            try:
                hoard.append(np.ones(8 * 1024 * 1024))
            except MemoryError:
                break
        return np.ones(2**31)  # then ask once more
    return np.ones((2**31,))  # 16 GiB at once
