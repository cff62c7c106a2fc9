import numpy as np
from nnlab.checks import check, expect_close, expect_raises, expect_unmodified, expect_no_warnings
def ref(z): return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, float)))
@check("sigmoid", weight=2, hint="sigmoid(z) = 1 / (1 + exp(-z))")
def test_sigmoid_values(learner):
    z = np.random.default_rng(1).normal(size=(3, 4))
    expect_close(learner.call("sigmoid", z), ref(z))
@check("sigmoid", hint="stable")
def test_sigmoid_stable(learner):
    z = np.array([-1000.0, 1000.0])
    out = learner.call("sigmoid", z)
    expect_no_warnings(out)
    expect_close(out, ref(z))
@check("sigmoid", hint="copy")
def test_sigmoid_unmodified(learner):
    z = np.arange(20.0)
    expect_unmodified(learner.call("sigmoid", z))
