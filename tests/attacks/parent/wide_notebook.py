"""A notebook of millions of empty lists (`[],` is 3 bytes, each list ~60 bytes of the
grading process's memory): counted, not parsed, and refused."""

EXPECT = {
    "exercise": "activations",
    "status": "error",
    "message": "invalid notebook: its JSON holds about",
}


def build(scene):
    text = '{"nbformat": 4, "cells": [], "x": [' + "[]," * 2_000_000 + "[]]}"
    (scene.submission / "activations.ipynb").write_text(text)
