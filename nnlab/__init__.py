"""nnlab: a neural-network course that grades itself.

Kept import-light on purpose: the CLI starts with `import nnlab`, and the
sandboxed child never needs anything from here.
"""

__version__ = "0.1.0"
