"""A correct notebook without the He test cell.

The grader puts the cell back, in its place, with its points: full marks.
"""
DELETE = ["test_initialize_parameters_he"]
