"""Gradient checking, instructor side: the relative difference and its value per block.

relative_difference is the formula the gradient-checking assignment asks students
to write, so this module is never released; students get the parts they need
from parameter_vector and block_report, re-exported here so that the hidden
checks find everything in one place.
"""
import numpy as np

from .block_report import print_block_differences
from .parameter_vector import (dictionary_to_vector, gradients_to_vector,
                               parameter_order, vector_to_dictionary)

__all__ = ["block_differences", "dictionary_to_vector", "gradients_to_vector",
           "parameter_order", "print_block_differences", "relative_difference", "vector_to_dictionary"]


def relative_difference(grad, gradapprox):
    """||grad - gradapprox|| / (||grad|| + ||gradapprox||), 0 when both are zero."""
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return float(np.linalg.norm(grad - gradapprox) / denominator) if denominator else 0.0


def block_differences(grad, gradapprox, keys):
    """The relative difference of each parameter's block of the two gradient columns."""
    differences, start = {}, 0
    for name, shape in keys:
        size = int(np.prod(shape))
        differences[name] = relative_difference(grad[start:start + size], gradapprox[start:start + size])
        start += size
    return differences
