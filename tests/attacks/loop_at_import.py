"""An endless loop while the module is imported: the load time-out says so."""

# ruff: noqa
EXPECT = {"status": "error", "message": "importing activations.py did not finish within"}

while True:
    pass
