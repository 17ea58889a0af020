"""A correct notebook whose extra cell tries to read the solutions and write outside its folder.

It looks for the course through sys.path and tries the solution notebook, the
gradebook, the hidden tests and other students' submissions, and writes into
the course and /tmp. At autograde it runs in the sandbox, in a private copy
(as a user of its own under root; in namespaces or under Landlock otherwise):
every read and write in the course is refused, and what it leaves in /tmp is
deleted or never reaches the machine's. Its answers are right, so it keeps its
points.
"""
CELLS = ['''
import os, sys
TARGETS = ["source/initialization/initialization.ipynb", "gradebook.db", "grader/initialization.py",
           "submitted/reference/initialization/initialization.ipynb", "nbgrader_config.py"]
escaped = []
for top in sys.path:
    if not top or not os.path.isabs(top):
        continue  # the notebook's own folder
    for target in TARGETS:
        try:
            open(os.path.join(top, target), "rb").read()
            escaped.append("read " + os.path.join(top, target))
        except OSError:
            pass
    try:
        with open(os.path.join(top, "written-by-a-student.txt"), "w") as stream:
            stream.write("pwned")
        escaped.append("wrote into " + top)
    except OSError:
        pass
with open("/tmp/written-by-a-student.txt", "w") as stream:
    stream.write("pwned")  # allowed, and deleted after grading
print("escaped:", escaped)
''']
