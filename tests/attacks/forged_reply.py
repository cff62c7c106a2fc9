"""Writing its own bytes into the reply pipe (a forged 'ok' frame, then garbage): the
parent only reads well-formed plain data, and garbage ends the child with an error."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "error", "attack_relu_still_graded": "passed"},
    "message": "unreadable data",
    "hidden": True,
}

import gc
import json
import struct


def _reply_pipe():
    for thing in gc.get_objects():
        if type(thing).__name__ == "Server" and hasattr(thing, "replies"):
            return thing.replies
    raise RuntimeError("no server")


def sigmoid(z):
    pipe = _reply_pipe()
    header = json.dumps({"ok": True, "value": "PASSED", "seconds": 0.0, "blobs": [99]}).encode()
    body = struct.pack(">I", len(header)) + header
    pipe.write(struct.pack(">Q", len(body)) + body)  # blob sizes do not add up
    pipe.write(b"\xff" * 64)
    return None
