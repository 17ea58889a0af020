"""Instructor-only: the hidden tests' checks, the example class and the grading job.

Nothing here is released. Hidden test cells import it at autograde time
(nbgrader_config.py puts the course root on the kernels' PYTHONPATH).
"""
