"""os._exit(0) while the module is imported: the child is gone, the exercise is an error."""

# ruff: noqa
EXPECT = {"status": "error", "message": "exited with status 0", "hidden": True}

import os

print("100 passed", flush=True)
os._exit(0)
