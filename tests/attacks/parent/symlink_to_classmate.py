"""`alice/activations.py -> ../bob/activations.py`: alice earned bob's 100. A link is
refused even when it stays among the submissions; alice scores 0 with the reason."""

EXPECT = {
    "exercise": "activations",
    "status": "error",
    "message": "activations.py is a symbolic link (to ../classmate/activations.py)",
}


def build(scene):
    (scene.submission / "activations.py").symlink_to("../classmate/activations.py")
