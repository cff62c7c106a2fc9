"""`tensors.py -> /etc/shadow`: as root, a grader that followed the link printed the
target's first line in the report (a syntax error quoting it). Refused, unread."""

EXPECT = {
    "exercise": "tensors",
    "status": "error",
    "message": "tensors.py is a symbolic link (to ",
}


def build(scene):
    (scene.submission / "tensors.py").symlink_to(scene.secret)
