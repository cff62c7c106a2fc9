"""What nnlab is called and which version it is: imported by the modules that write reports
or packages, and re-exported by ``nnlab`` (``nnlab.__version__``)."""

__version__ = "0.1.0"
# the name pip installs it by: `nnlab` on the public package index is an unrelated project.
# The import package and the command stay `nnlab`.
DISTRIBUTION = "nnlab-course"
WHEEL_PREFIX = DISTRIBUTION.replace("-", "_")  # wheel files: nnlab_course-<version>-...whl
