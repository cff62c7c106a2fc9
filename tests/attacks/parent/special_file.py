"""`activations.py` as a named pipe: a grader that opened it to read would wait forever
for a writer (and a file that is not regular was taken for a missing one). Refused."""

import os

EXPECT = {
    "exercise": "activations",
    "status": "error",
    "message": "activations.py is a named pipe; only a regular file is graded",
}


def build(scene):
    os.mkfifo(scene.submission / "activations.py")
