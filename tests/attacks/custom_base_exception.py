"""A custom BaseException (and GeneratorExit in a call): errors, never passes."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "Escape",
    "hidden": True,
}


class Escape(BaseException):
    def __str__(self):
        return "PASSED " * 100_000  # a huge, flattering message


def sigmoid(z):
    raise Escape()
