"""The optimization notebook handed in as the initialization notebook.

No cell of it matches the assignment: it is not graded, and says why.
"""
NOTEBOOK_FROM = "optimization"
EXPECTED = {"test_initialize_parameters_zeros": 0, "test_initialize_parameters_random": 0,
            "test_initialize_parameters_he": 0}
