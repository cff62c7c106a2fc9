"""Cases from the peer courses, in the project's own code: the published figures of Coursera's
Deep Learning Specialization (course 4, week 1: `conv_backward` and `pool_backward`, seeded
with np.random.seed(1)) reproduced by the `conv_backward` reference and model answer.

DLS pads symmetrically by a given amount, which is not TensorFlow's "same": the case pads
explicitly with `zero_pad` and convolves "valid", then cuts the padding off the gradient as
DLS does. Its channels-last layout and (f, f, C_in, C_out) kernels are nnlab's.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from conftest import SOLUTIONS

from nnlab.checks import reference

convolution = reference("convolution")
pooling = reference("pooling")


def _solution(slug: str):
    spec = importlib.util.spec_from_file_location(f"solution_{slug}", SOLUTIONS / f"{slug}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


IMPLEMENTATIONS = [reference("conv_backward"), _solution("conv_backward")]


@pytest.mark.parametrize("ours", IMPLEMENTATIONS, ids=["reference", "solution"])
def test_dls_conv_backward_means(ours) -> None:
    np.random.seed(1)  # DLS's own draws, in its order
    x = np.random.randn(10, 4, 4, 3)
    kernel = np.random.randn(2, 2, 3, 8)
    bias = np.random.randn(1, 1, 1, 8)
    padded = convolution.zero_pad(x, 2)  # hparameters = {"pad": 2, "stride": 2}
    z = convolution.conv2d(padded, kernel, bias.reshape(-1), 2, "valid")
    grad_padded, grad_kernel, grad_bias = ours.conv2d_backward(z, padded, kernel, 2, "valid")
    grad_x = grad_padded[:, 2:-2, 2:-2, :]
    assert np.mean(grad_x) == pytest.approx(1.45243777754, abs=1e-10)
    assert np.mean(grad_kernel) == pytest.approx(1.72699145831, abs=1e-10)
    assert np.mean(grad_bias) == pytest.approx(7.83923256462, abs=1e-10)


@pytest.mark.parametrize("ours", IMPLEMENTATIONS, ids=["reference", "solution"])
def test_dls_pool_backward_values(ours) -> None:
    np.random.seed(1)
    x = np.random.randn(5, 5, 3, 2)  # hparameters = {"stride": 1, "f": 2}
    grad_out = np.random.randn(5, 4, 2, 2)
    assert pooling.max_pool2d(x, 2, 1, "valid").shape == grad_out.shape
    np.testing.assert_allclose(
        ours.max_pool2d_backward(grad_out, x, 2, 1, "valid")[1, 1],
        [[0.0, 0.0], [5.05844394, -1.68282702], [0.0, 0.0]],
        atol=1e-8,
    )
    np.testing.assert_allclose(
        ours.average_pool2d_backward(grad_out, x, 2, 1, "valid")[1, 1],
        [[0.08485462, 0.2787552], [1.26461098, -0.25749373], [1.17975636, -0.53624893]],
        atol=1e-8,
    )
