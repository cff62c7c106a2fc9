"""Running learner code in a child process the grader can kill (see launcher and server)."""

# One BLAS thread unless the user sets more, for the grader (set by the CLI before NumPy
# loads) and for its children: the checks' arrays are small, and a second thread only spins
# between calls, taking the core the other process needs (in grade-batch, another
# submission's); each thread also reserves its own buffers. Measured: `nnlab grade` of the
# 9 NumPy exercises used 35% less CPU time. Time limits and speed checks count the child's
# CPU time, every thread's: with more threads, the time they spin counts too.
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
