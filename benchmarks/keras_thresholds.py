"""How the accuracy thresholds of the Keras exercises were chosen: a sweep over seeds.

Run from a checkout:  python benchmarks/keras_thresholds.py [--seeds 12] [--only keras_cnn]

For every seed, a fresh data set is drawn (grader/reference/keras_model.py, keras_cnn.py) and,
exactly as the hidden checks do it (same probes, epochs, batch sizes, seeding):

- build check: the model answer's network and a deliberately minimal reasonable one (one
  Dense(8) hidden layer; one Conv2D(8) + one MaxPooling2D + one Dense) are built, trained by
  the grader's trusted fit, and scored on the hidden test set;
- train check: the probes' reference network is trained by the model answer's train function.

Every one of them must clear the check's threshold on every seed. The figures this prints
are copied next to the thresholds in grader/test_keras_model.py and grader/test_keras_cnn.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def minimal_dense(input_dim: int) -> Any:
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def minimal_cnn(input_shape: tuple[int, ...], num_classes: int) -> Any:
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(8, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Flatten(),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.001),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def sweep(slug: str, seeds: list[int]) -> None:
    checks = load(ROOT / "grader" / f"test_{slug}.py", f"bench_checks_{slug}")
    probes = load(ROOT / "grader" / "probes" / "keras.py", f"bench_probes_{slug}")  # both exercises
    answer = load(ROOT / "solutions" / f"{slug}.py", f"bench_answer_{slug}")
    ref = checks.ref
    probes.progress = lambda text: None
    if slug == "keras_model":
        build_args = (checks.INPUT_DIM,)
        builders = {"model answer": answer.build_model, "minimal model": minimal_dense}
        reference_network = lambda: probes.reference_model(checks.INPUT_DIM)  # noqa: E731
        train = answer.train_model

        def make(seed: int) -> dict:
            return ref.binary_problem(seed, checks.INPUT_DIM)
    else:
        build_args = (checks.INPUT_SHAPE, checks.NUM_CLASSES)
        builders = {"model answer": answer.build_cnn, "minimal CNN": minimal_cnn}
        reference_network = lambda: probes.reference_cnn(checks.INPUT_SHAPE, checks.NUM_CLASSES)  # noqa: E731
        train = answer.train_cnn

        def make(seed: int) -> dict:
            return ref.image_problem(seed, size=checks.INPUT_SHAPE[0])

    scores: dict[str, list[float]] = {name: [] for name in builders}
    scores["reference trained by train fn"] = []
    started = time.perf_counter()
    for seed in seeds:
        sets = make(seed)
        for name, build in builders.items():
            probes.seed(seed)
            model = build(*build_args)
            probes.seed(seed + 1000)
            probes.fit_model(
                model, sets["x_train"], sets["y_train"], checks.FIT_EPOCHS, checks.FIT_BATCH, name
            )
            scores[name].append(ref.accuracy(probes.predict(model, sets["x_test"]), sets["y_test"]))
        probes.seed(seed + 1000)
        model = reference_network()
        train(
            model,
            sets["x_train"],
            sets["y_train"],
            sets["x_val"],
            sets["y_val"],
            epochs=checks.TRAIN_EPOCHS,
            batch_size=checks.TRAIN_BATCH,
        )
        scores["reference trained by train fn"].append(
            ref.accuracy(probes.predict(model, sets["x_test"]), sets["y_test"])
        )
        line = "  ".join(f"{name} {values[-1]:.3f}" for name, values in scores.items())
        print(f"{slug} seed {seed}: {line}", flush=True)
    print(f"\n{slug}: {len(seeds)} seeds in {time.perf_counter() - started:.0f} s")
    thresholds = {
        "reference trained by train fn": checks.TRAIN_THRESHOLD,
    }
    for name, values in scores.items():
        threshold = thresholds.get(name, checks.BUILD_THRESHOLD)
        passed = sum(value >= threshold for value in values)
        print(
            f"  {name:32s} min {min(values):.3f}  median {statistics.median(values):.3f}  "
            f"max {max(values):.3f}  threshold {threshold:.2f}: {passed}/{len(values)} pass, "
            f"margin {min(values) - threshold:+.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--only", choices=["keras_model", "keras_cnn"])
    options = parser.parse_args()
    seeds = list(range(1, options.seeds + 1))
    for slug in ("keras_model", "keras_cnn"):
        if options.only in (None, slug):
            sweep(slug, seeds)


if __name__ == "__main__":
    main()
