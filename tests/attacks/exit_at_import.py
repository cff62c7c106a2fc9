"""sys.exit() while the module is imported: the exercise is an error, with the line."""

# ruff: noqa
EXPECT = {"status": "error", "message": "SystemExit", "hidden": True}

import sys

sys.exit(0)
