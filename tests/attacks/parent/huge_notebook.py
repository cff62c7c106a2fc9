"""A notebook of 25 MB (of spaces: a sparse file costs no disk): refused by its size before
a byte is parsed."""

EXPECT = {
    "exercise": "activations",
    "status": "error",
    "message": "activations.ipynb is 25 MB; a notebook over 20 MB is not graded",
}


def build(scene):
    with open(scene.submission / "activations.ipynb", "wb") as handle:
        handle.truncate(25_000_000)
