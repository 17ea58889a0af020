"""A correct notebook whose He test cell claims 100 points in its metadata.

nbgrader restores the points from the gradebook: this student scores like the reference, no more.
"""
POINTS = {"test_initialize_parameters_he": 100}
