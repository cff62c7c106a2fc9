"""The submission folder itself a link (`--dir alice`, `alice -> elsewhere`, or a folder
of a class): nothing of the target is graded or written; `nnlab grade` exits with 2,
grade-batch reports the submission as an error."""

EXPECT = {
    "exit": 2,
    "message": "is a symbolic link (to ",
    "batch_message": "is a symbolic link (to ",
}


def build(scene):
    scene.submission.rmdir()
    (scene.elsewhere / "activations.py").write_text(scene.honest)
    scene.submission.symlink_to(scene.elsewhere)
