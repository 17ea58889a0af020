"""A correct notebook whose He test cell was moved to the top, before anything is defined.

The cell runs where the student put it and fails with NameError: 0 for that test only.
"""
MOVE_FIRST = ["test_initialize_parameters_he"]
EXPECTED = {"test_initialize_parameters_he": 0}
