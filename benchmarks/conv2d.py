"""The reference conv2d beside tf.nn.conv2d: `python benchmarks/conv2d.py [--runs 31]`.

Times grader/reference/convolution.py's `conv2d` and `tf.nn.conv2d` on a (32, 28, 28, 16)
batch with a (3, 3, 16, 32) kernel ("valid", stride 1): median and fastest of several runs
after one warm-up, for float32 inputs (TensorFlow's usual precision; the reference then
computes in float32 too) and float64 inputs (the precision the hidden checks use). The
target is a reference within 2x of tf.nn.conv2d at the same precision. On a busy machine the
medians wander (other jobs take the cores); the fastest runs are the steadier figure.

The reference is timed first, before TensorFlow is imported: TensorFlow's thread pool keeps
spinning for a while after each call and, on 2 cores, slows OpenBLAS down by up to 30x.

Some machines set OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) for the sake of old OpenBLAS
builds; they pin NumPy's current OpenBLAS to older, slower kernels (Haswell's on an
AVX-512 machine), while TensorFlow brings kernels of its own. This command therefore runs
with both unset (it starts itself again without them) and names the kernel OpenBLAS chose;
``--as-configured`` keeps them. Tests and grading never change either variable.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnlab.checks import reference  # noqa: E402  (after the path fix, so a checkout works uninstalled)

X_SHAPE, KERNEL_SHAPE = (32, 28, 28, 16), (3, 3, 16, 32)


def seconds(function: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, fastest) wall time of ``runs`` calls after one warm-up."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times)


PINNING = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def blas_kernel() -> str:
    """The kernel (core type) the OpenBLAS that NumPy loaded is using, or "unknown"."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:  # no /proc here
        return "unknown"
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", "_64_", ""):
                function = getattr(library, f"{prefix}_get_corename{suffix}", None)
                if function is not None:
                    function.restype = ctypes.c_char_p
                    return function().decode()
    return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument(
        "--as-configured",
        action="store_true",
        help="keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (see above)",
    )
    options = parser.parse_args()
    runs = options.runs
    if not options.as_configured and any(name in os.environ for name in PINNING):
        pinned = ", ".join(f"{name}={os.environ[name]}" for name in PINNING if name in os.environ)
        print(f"(this machine sets {pinned}: measured without them, see --help)", flush=True)
        environment = {k: v for k, v in os.environ.items() if k not in PINNING}
        os.execve(sys.executable, [sys.executable, *sys.argv], environment)
    rng = np.random.default_rng(0)
    inputs = {
        "float64": (rng.normal(size=X_SHAPE), rng.normal(scale=0.1, size=KERNEL_SHAPE)),
    }
    inputs["float32"] = tuple(array.astype(np.float32) for array in inputs["float64"])

    conv2d = reference("convolution").conv2d
    ours = {dtype: seconds(lambda x=x, k=k: conv2d(x, k), runs) for dtype, (x, k) in inputs.items()}

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    def tf_conv2d(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        return tf.nn.conv2d(x, kernel, strides=1, padding="VALID").numpy()

    theirs = {
        dtype: seconds(lambda x=x, k=k: tf_conv2d(x, k), runs) for dtype, (x, k) in inputs.items()
    }
    for x, k in inputs.values():
        np.testing.assert_allclose(conv2d(x, k), tf_conv2d(x, k), rtol=1e-3, atol=1e-3)

    print(
        f"conv2d {X_SHAPE} x {KERNEL_SHAPE}, valid, stride 1 — median of {runs} runs, "
        f"{os.cpu_count()} cores, NumPy {np.__version__} (OpenBLAS kernel: {blas_kernel()}), "
        f"TensorFlow {tf.__version__}"
    )
    print(
        f"{'inputs':<9} {'reference':>10} {'tf.nn.conv2d':>13} {'ratio':>7}"
        f"   {'fastest: reference':>18} {'tf':>8} {'ratio':>7}  (target <= 2x)"
    )
    for dtype in ("float32", "float64"):
        (ours_median, ours_min), (tf_median, tf_min) = ours[dtype], theirs[dtype]
        print(
            f"{dtype:<9} {ours_median * 1e3:>8.2f}ms {tf_median * 1e3:>11.2f}ms "
            f"{ours_median / tf_median:>6.2f}x   {ours_min * 1e3:>16.2f}ms "
            f"{tf_min * 1e3:>6.2f}ms {ours_min / tf_min:>6.2f}x"
        )
    mixed = ours["float64"][0] / theirs["float32"][0]
    print(f"median, reference in float64 vs tf.nn.conv2d in float32: {mixed:.2f}x")


if __name__ == "__main__":
    main()
