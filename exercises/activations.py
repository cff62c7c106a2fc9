import numpy as np
def sigmoid(z):
    raise NotImplementedError
