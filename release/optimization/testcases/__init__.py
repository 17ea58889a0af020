"""Deterministic test cases: inputs for the graded functions and the values
the lab reports quote for them (see shared EXPECTED.md)."""
