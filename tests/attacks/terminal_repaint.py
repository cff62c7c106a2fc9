"""Escape sequences and carriage returns in a message, an exception's class name and the
source line a report quotes, to repaint the terminal report ("Total: 100/100" over a
score of 0): they are shown as inert text (``\\x1b[2J``)."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "\\x1b[2J",
}

PAINT = "\x1b[2J\x1b[H\x1b[32m✓ all checks passed\r\nTotal: 100/100\x1b[8m\x9b2J\u202e"


Paint = type("Paint\x1b[2J", (RuntimeError,), {})


def sigmoid(z):
    raise Paint(PAINT)  # [2J[H the quoted line repaints too
