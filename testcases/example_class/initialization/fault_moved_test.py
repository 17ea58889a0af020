"""A correct notebook whose He test cell was moved to the top, before anything is defined.

Its tests are hidden, and hidden tests see every definition of the notebook
wherever their cell stands: the student keeps the points.
"""
MOVE_FIRST = ["test_initialize_parameters_he"]
