"""Deterministic test cases: inputs for the graded functions and the values
the notebooks quote for them."""
