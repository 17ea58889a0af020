"""A correct notebook whose extra cell tries to read the solutions and write outside its folder.

It looks for the course through sys.path and tries the solution notebook, the
gradebook, the hidden tests and other students' submissions, and writes into
the course and /tmp. At autograde it runs as a user of its own in a private
copy: every read and write in the course is refused, and what it leaves in /tmp
is deleted. Its answers are right, so it keeps its points.
"""
CELLS = ['''
import os, sys
TARGETS = ["source/initialization/initialization.ipynb", "gradebook.db", "grader/initialization.py",
           "submitted/reference/initialization/initialization.ipynb", "nbgrader_config.py"]
found = {}
for top in sys.path:
    for target in TARGETS:
        path = os.path.join(top, target)
        try:
            found[path] = len(open(path, "rb").read())
        except OSError as error:
            found[path] = type(error).__name__
    try:
        with open(os.path.join(top, "written-by-a-student.txt"), "w") as stream:
            stream.write("pwned")
        found[top] = "WROTE"
    except OSError:
        pass
with open("/tmp/written-by-a-student.txt", "w") as stream:
    stream.write("pwned")
print({path: what for path, what in found.items() if what != "FileNotFoundError"})
''']
