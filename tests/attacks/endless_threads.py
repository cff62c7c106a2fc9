"""Threads that never end (one busy, one sleeping, non-daemon) started at import and in a
call: the grading finishes and the threads die with the child."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
}

import threading
import time

import numpy as np


def _spin():
    while True:
        pass


def _nap():
    while True:
        time.sleep(1)


threading.Thread(target=_spin, daemon=False).start()
threading.Thread(target=_nap, daemon=False).start()


def sigmoid(z):
    threading.Thread(target=_spin, daemon=False).start()
    return np.zeros(np.shape(z))
