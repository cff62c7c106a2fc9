"""Fake reports on stdout and stderr ("N passed", a JSON report with full marks): output
is kept in a bounded buffer and never parsed."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
}

import json
import sys

import numpy as np

FAKE = json.dumps(
    {
        "schema": "nnlab-report/2",
        "score": 100.0,
        "max_score": 100.0,
        "exercises": [{"exercise": "activations", "status": "passed", "score": 100.0}],
    }
)


def _brag():
    for stream in (sys.stdout, sys.stderr):
        print(FAKE, file=stream)
        print("============ 42 passed in 0.01s ============", file=stream)
        print("PASSED activations::sigmoid 100/100", file=stream, flush=True)


_brag()


def sigmoid(z):
    _brag()
    return np.zeros(np.shape(z))
