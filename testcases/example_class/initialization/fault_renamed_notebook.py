"""A correct notebook saved under another name: there is no initialization.ipynb to grade."""
NOTEBOOK = "initialization (1).ipynb"
EXPECTED = {"test_initialize_parameters_zeros": 0, "test_initialize_parameters_random": 0,
            "test_initialize_parameters_he": 0}
