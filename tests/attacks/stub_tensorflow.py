"""Stub `tensorflow` and `keras` modules in sys.modules whose functions say what the
learner wants: they live in the child only and change no reference or verdict."""

# ruff: noqa
EXPECT = {
    "status": "partial",
    "checks": {"attack_sigmoid_values": "failed", "attack_relu_still_graded": "passed"},
    "hidden": True,
}

import sys
import types

import numpy as np

fake_tf = types.ModuleType("tensorflow")
fake_tf.math = types.SimpleNamespace(sigmoid=lambda z: np.zeros(np.shape(z)))
fake_tf.nn = types.SimpleNamespace(sigmoid=fake_tf.math.sigmoid)
fake_tf.__version__ = "99.0"
fake_keras = types.ModuleType("keras")
fake_keras.activations = types.SimpleNamespace(sigmoid=fake_tf.math.sigmoid)
sys.modules["tensorflow"] = fake_tf
sys.modules["keras"] = fake_keras

import tensorflow as tf


def sigmoid(z):
    return np.asarray(tf.math.sigmoid(z))
