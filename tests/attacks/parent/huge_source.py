"""A source file of megabytes: the grading process compiles a learner's source (the child
runs the code it compiled), 25 MB took it 4.5 GB and 25 s. Refused before it is read
whole, with the sizes (3 MB here, enough to be over the limit)."""

EXPECT = {
    "exercise": "activations",
    "status": "error",
    "message": "activations.py is 3 MB; a source file over 1 MB is not graded",
}


def build(scene):
    (scene.submission / "activations.py").write_text("x = [1, 2, 3]\n" * 214_286)
