"""A notebook file cut off in the middle: not valid JSON."""
NOTEBOOK_TEXT = '{"cells": [{"cell_type": "code", "source": "import numpy'
EXPECTED = {"test_initialize_parameters_zeros": 0, "test_initialize_parameters_random": 0,
            "test_initialize_parameters_he": 0}
