"""Three System V shared-memory segments made and never removed (the issue's three
1 GiB segments outlived the grading; here 16 MiB each): as root the child has an IPC
namespace of its own, and its segments end with it. The corpus looks for segments of
the child's users after the grading (``litter``)."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "root_only": True,
}

import ctypes

import numpy as np

_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p


def _keep_segments(count, size):
    for _ in range(count):
        ident = _libc.shmget(0, ctypes.c_size_t(size), 0o1000 | 0o600)  # IPC_PRIVATE, IPC_CREAT
        if ident >= 0:
            address = _libc.shmat(ident, None, 0)
            if address not in (None, ctypes.c_void_p(-1).value):
                ctypes.memset(ctypes.c_void_p(address), 1, size)


def sigmoid(z):
    _keep_segments(3, 16 << 20)
    return np.zeros(np.shape(z))
