"""A correct `optimizers` answer written with explicit loops, one example or value at a time."""

import math
import random

import numpy as np


def minibatches(x, y, batch_size, seed=None):
    x = np.asarray(x)
    y = np.asarray(y)
    indices = list(range(len(x)))
    if seed is not None:
        random.Random(seed).shuffle(indices)  # a private generator: reproducible per seed
    batches = []
    current = []
    for i in indices:
        current.append(i)
        if len(current) == batch_size:
            batches.append((np.array([x[j] for j in current]), np.array([y[j] for j in current])))
            current = []
    if current:
        batches.append((np.array([x[j] for j in current]), np.array([y[j] for j in current])))
    return batches


def sgd_update(param, grad, learning_rate=0.01):
    param = np.array(param, dtype=float)  # a copy: the caller's array stays as it was
    grad = np.asarray(grad, dtype=float)
    flat_param = param.reshape(-1)
    flat_grad = grad.reshape(-1)
    for i in range(flat_param.size):
        flat_param[i] = flat_param[i] - learning_rate * flat_grad[i]
    return flat_param.reshape(param.shape)


def rmsprop_update(param, grad, velocity, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    param = np.array(param, dtype=float)
    velocity = np.array(velocity, dtype=float)
    grad = np.asarray(grad, dtype=float)
    shape = param.shape
    new_param = param.reshape(-1)
    new_velocity = velocity.reshape(-1)
    flat_grad = grad.reshape(-1)
    for i in range(new_param.size):
        g = flat_grad[i]
        new_velocity[i] = rho * new_velocity[i] + (1 - rho) * g * g
        new_param[i] = new_param[i] - learning_rate * g / math.sqrt(new_velocity[i] + epsilon)
    return new_param.reshape(shape), new_velocity.reshape(shape)
