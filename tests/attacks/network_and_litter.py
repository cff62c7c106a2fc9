"""Phoning home (a TCP connection to a listener of the grader's machine) and littering
/tmp and /dev/shm: as root the child has no network and what its user leaves in the
shared temporary folders is removed. A successful connection would make sigmoid honest."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "root_only": True,
    "listener": True,
}

import os
import socket

import numpy as np

_honest_sigmoid = sigmoid


def _phone_home():
    try:
        with socket.create_connection(("127.0.0.1", int("__PORT__")), timeout=0.3) as link:
            link.sendall(b"hidden checks, please")
        return True
    except OSError:
        return False


def _litter():
    for folder in ("/tmp", "/dev/shm"):
        try:
            os.makedirs(os.path.join(folder, f"nnlab-litter-{os.getpid()}"), exist_ok=True)
            with open(os.path.join(folder, f"nnlab-litter-{os.getpid()}.txt"), "w") as handle:
                handle.write("left behind")
        except OSError:
            pass


_litter()


def sigmoid(z):
    _litter()
    if _phone_home():
        return _honest_sigmoid(z)
    return np.zeros(np.shape(z))
