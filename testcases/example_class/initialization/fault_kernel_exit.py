"""Random initialization that ends the kernel's process.

Plain nbgrader drops the whole notebook when its kernel dies. Here the cell that
killed it says so, a new kernel replays the cells above, and grading goes on:
only the random-initialization points are lost.
"""


def initialize_parameters_random(layers_dims):
    import os
    os._exit(1)
