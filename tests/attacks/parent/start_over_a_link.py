"""`nnlab start --force` over `activations.py -> secret`: the backup was a copy of the
target (a root grader copying /etc/shadow into the learner's folder), and a `.bak` link
was written through. Refused; a link named like a backup is kept, never written."""

EXPECT = {
    "exit": 2,
    "message": "activations.py is a symbolic link (to ",
}


def build(scene):
    (scene.submission / "activations.py").symlink_to(scene.secret)
