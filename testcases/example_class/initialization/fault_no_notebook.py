"""A submission folder without its notebook."""
NOTEBOOK = None
EXPECTED = {"test_initialize_parameters_zeros": 0, "test_initialize_parameters_random": 0,
            "test_initialize_parameters_he": 0}
