"""A reply whose JSON header is millions of empty lists (the issue's 63 MiB header took
the grader to 1.65 GB while it parsed it): the grader refuses a header over its limit
before parsing it, and says so. Accepted, the padded reply would pass as honest."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "header",
}

import sys

_honest_sigmoid = sigmoid


def _pad_every_reply():
    protocol = sys.modules["_nnlab_protocol"]
    if getattr(protocol, "_padded", False):
        return
    plain = protocol.frame

    def padded(message, blobs):
        return plain({**message, "padding": [[]] * 2_000_000}, blobs)

    protocol.frame = padded
    protocol._padded = True


def sigmoid(z):
    _pad_every_reply()
    return _honest_sigmoid(z)
