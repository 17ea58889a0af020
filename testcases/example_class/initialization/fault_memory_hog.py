"""He initialization that allocates memory until it fails.

The kernel's address space is limited (4 GiB): the allocation raises
MemoryError in the cells that call it, and the machine is not starved.
"""
import numpy as np


def initialize_parameters_he(layers_dims):
    blocks = []
    while True:
        blocks.append(np.ones(2**27))
