"""A correct notebook in which He's graded cell was copied and pasted.

The last copy is the one graded (it defines the function when the notebook
runs), the first stays as plain code: full marks.
"""
DUPLICATE = ["initialize_parameters_he"]
