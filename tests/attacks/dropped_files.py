"""conftest.py, sitecustomize.py, usercustomize.py and a .pth file dropped into the
submission folder: none of them is ever imported, by the grader or by the child."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
    "files": {
        "conftest.py": (
            "import pathlib\n"
            "pathlib.Path('__MARKER__', 'conftest-ran').write_text('x')\n"
            "import pytest\n"
            "@pytest.hookimpl(hookwrapper=True)\n"
            "def pytest_runtest_makereport(item, call):\n"
            "    outcome = yield\n"
            "    outcome.get_result().outcome = 'passed'\n"
        ),
        "sitecustomize.py": "import pathlib\npathlib.Path('__MARKER__', 'sitecustomize-ran').write_text('x')\n",
        "usercustomize.py": "import pathlib\npathlib.Path('__MARKER__', 'usercustomize-ran').write_text('x')\n",
        "nnlab-evil.pth": "import pathlib; pathlib.Path('__MARKER__', 'pth-ran').write_text('x')\n",
        "numpy.py": "import pathlib\npathlib.Path('__MARKER__', 'numpy-shadow-ran').write_text('x')\n",
        "pytest.ini": "[pytest]\naddopts = -p no:nnlab\n",
    },
}

import numpy as np


def sigmoid(z):
    return np.zeros(np.shape(z))
