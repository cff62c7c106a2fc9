"""A notebook of 100,000 nested `[`: its RecursionError escaped the grading of the
exercise (and the sandbox of the next one was never closed). Told as an invalid notebook."""

EXPECT = {
    "exercise": "activations",
    "status": "error",
    "message": "invalid notebook: its JSON is nested too deeply",
}


def build(scene):
    depth = 100_000
    text = '{"nbformat": 4, "cells": ' + "[" * depth + "]" * depth + "}"
    (scene.submission / "activations.ipynb").write_text(text)
