"""Running learner code in a child process the grader can kill.

``launcher`` (the :class:`~nnlab.sandbox.launcher.Sandbox`: one child's life and limits),
``channel`` (the messages to and from it), ``template`` (the process children are forked
from), ``world`` (what a child may see), ``replies`` (what comes back), ``protocol`` (the
wire format), ``processes`` and ``cgroups`` (process trees, users and limits); ``server``
is the child's own program, run as a script, that imports nothing of nnlab.
"""

from pathlib import Path

SERVER = Path(__file__).with_name("server.py")  # the child's program (and the template's)

# One BLAS thread unless the user sets more, for the grader (set by the CLI before NumPy
# loads) and for its children: the checks' arrays are small, and a second thread only spins
# between calls, taking the core the other process needs (in grade-batch, another
# submission's); each thread also reserves its own buffers. Measured: `nnlab grade` of the
# 9 NumPy exercises used 35% less CPU time. Time limits and speed checks count the child's
# CPU time, every thread's: with more threads, the time they spin counts too.
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
