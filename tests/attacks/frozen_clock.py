"""A correct but slow sigmoid that freezes time.time, perf_counter and monotonic in the
child: the speed check still sees the real time, measured in the grading process."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {
        "attack_sigmoid_values": "passed",
        "attack_sigmoid_is_fast": "failed",
        "attack_relu_still_graded": "passed",
    },
    "message": "measured by the grader",
    "hidden": False,  # correct values: the course's checks may rightly pass it
}

import time

_sleep = time.sleep
_honest_sigmoid = sigmoid
for name in ("time", "perf_counter", "monotonic", "process_time"):
    setattr(time, name, lambda: 0.0)
for name in ("time_ns", "perf_counter_ns", "monotonic_ns"):
    setattr(time, name, lambda: 0)


def sigmoid(z):
    _sleep(0.7)
    return _honest_sigmoid(z)
