"""A correct notebook in which the random-initialization test cell was copied and pasted.

The copy is dropped before grading: full marks, the test counted once.
"""
DUPLICATE = ["test_initialize_parameters_random"]
