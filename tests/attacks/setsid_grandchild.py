"""A double-forked, setsid() grandchild that ignores signals and, once grading is over,
tries to rewrite the report, the progress file and another submission, and to leave a
mark: the grader kills it with the child's tree, and (as root) it could not write them."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "survivor_check": True,
}

import os
import signal
import time

import numpy as np

TARGETS = ["__REPORT__", "__PROGRESS__", "__VICTIM__"]


def _escape(tag):
    if os.fork() != 0:
        return
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    time.sleep(1.0)  # until the grader has written its report
    for target in TARGETS:
        try:
            with open(target, "w") as handle:
                handle.write('{"score": 100.0, "status": "passed"}')
        except OSError:
            pass
    with open(os.path.join("__MARKER__", f"survived-{tag}-{os.getpid()}"), "w") as handle:
        handle.write("still here")
    os._exit(0)


_escape("import")


def sigmoid(z):
    _escape("call")
    return np.zeros(np.shape(z))
