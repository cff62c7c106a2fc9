"""Patching pytest.approx and pytest's report hooks from the learner's module."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
}

import numpy as np

try:
    import _pytest.reports
    import _pytest.runner
    import pytest

    pytest.approx = lambda expected, *args, **kwargs: expected
    _pytest.reports.TestReport.passed = property(lambda self: True)
    _pytest.reports.TestReport.failed = property(lambda self: False)
    _pytest.runner.call_and_report = lambda item, when, log=True, **kwargs: None
except ImportError:
    pass


def pytest_runtest_makereport(item, call):  # a hook, if anyone loaded us as a plugin
    call.excinfo = None


def pytest_collection_modifyitems(session, config, items):
    items.clear()


def sigmoid(z):
    return np.zeros(np.shape(z))
