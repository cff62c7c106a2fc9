"""`.nnlab -> elsewhere`: the grader (root) wrote `progress.json` where the link pointed.
`nnlab grade` refuses the folder (exit status 2) and writes nothing anywhere."""

EXPECT = {
    "exit": 2,
    "message": ".nnlab is a symbolic link (to ",
}


def build(scene):
    (scene.submission / ".nnlab").symlink_to(scene.elsewhere)
