"""The course's main job, step by step or all at once.

    python -m grader all        release, collect, grade, export, table, report, integrity
    python -m grader release    regenerate release/ from source/
    python -m grader collect    write the example class (and the integrity class) into submitted/
    python -m grader grade      autograde everything in submitted/ in parallel, with feedback
                                (options: python -m grader grade --help)
    python -m grader autograde  the same, one submission at a time with plain `nbgrader autograde`
    python -m grader feedback   HTML feedback into feedback/ with plain `nbgrader generate_feedback`
    python -m grader export     grades.csv
    python -m grader table      print the grade table
    python -m grader report     class report: who passed what, the commonest mistakes
    python -m grader faults     grade the fault and attack submissions, print what came of each
    python -m grader integrity  who handed in the same work: integrity_report.html/.csv
                                (options: python -m grader integrity --help)

Run from the Makefile (`make grade`), which puts the environment on PATH.
"""
import sys

from grader.course import commands


def main(argv):
    command = argv[0] if argv else "all"
    if command == "all":
        commands.start_fresh()
        for step in commands.STEPS.values():
            step()
    elif command in ("grade", "integrity", "faults"):
        commands.WITH_OPTIONS[command](argv[1:])
    elif command in {**commands.STEPS, **commands.SERIAL_STEPS}:
        {**commands.STEPS, **commands.SERIAL_STEPS}[command]()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
