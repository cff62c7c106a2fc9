"""Lone surrogates (text no UTF-8 file can hold) in an exception's message and a warning
(a class name cannot hold one: its qualified name can): they arrive in the grader as U+FFFD, and every writer still writes
its file (tests/test_attacks_parent.py renders them all)."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "\ufffd",
}

import warnings


class Odd(ValueError):
    pass


Odd.__qualname__ = "Odd\udcff"


def sigmoid(z):
    warnings.warn("careful \ud800")
    raise Odd("\ud800 half of a pair \udfff")
