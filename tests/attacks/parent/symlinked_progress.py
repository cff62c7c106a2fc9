"""`.nnlab/progress.json -> elsewhere/progress.json`: a write through the link would change
another file. `nnlab grade` refuses the folder (exit status 2)."""

EXPECT = {
    "exit": 2,
    "message": "progress.json is a symbolic link (to ",
}


def build(scene):
    (scene.submission / ".nnlab").mkdir()
    (scene.submission / ".nnlab" / "progress.json").symlink_to(scene.elsewhere / "progress.json")
