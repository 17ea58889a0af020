"""A correct notebook without the He test cell.

nbgrader cannot grade a test that is not there: its points are 0 and the
submission needs manual grading (the fault table says so).
"""
DELETE = ["test_initialize_parameters_he"]
EXPECTED = {"test_initialize_parameters_he": 0}
