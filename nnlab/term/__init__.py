"""The term's tools, all read from a class report (``grade-batch --format json`` or ``merge``).

- :mod:`nnlab.term.feedback`: one HTML feedback page per student (their visible checks);
- :mod:`nnlab.term.summary`: the class summary (score histogram, pass rate per check,
  submissions that crashed or timed out) and the folder ``nnlab report`` writes;
- :mod:`nnlab.term.gradebook`: an LMS gradebook CSV (Canvas), a roster, late penalties.

Nothing here grades or re-runs anything.
"""
