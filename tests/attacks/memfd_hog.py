"""Memory the data limit and a watch on resident memory do not see: anonymous files
(memfd) filled with write(), never mapped, 4 x 128 MiB under the corpus's 384 MiB limit
(the issue's six 1 GiB files under 2 GiB). As root the child's memory cgroup counts them
and the kernel stops the child; the message says memory ran out. Held, the memory would
make sigmoid honest."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "memory",
    "root_only": True,
    "call_seconds": 10.0,
}

import os

import numpy as np

_honest_sigmoid = sigmoid
_held = []


def _hoard(count, size):
    block = b"x" * (1 << 20)
    for index in range(count):
        fd = os.memfd_create(f"hoard-{index}")
        for _ in range(size >> 20):
            os.write(fd, block)
        _held.append(fd)


def sigmoid(z):
    if not _held:
        _hoard(4, 128 << 20)
    return _honest_sigmoid(z)
