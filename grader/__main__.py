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
import argparse
import sys

from grader.assignments import ROOT
from grader.autograde.ownership import owned_by_course_owner
from grader.course import commands


def course_roots(argv):
    """The courses a command writes into: this repository, and the one `--root` names."""
    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--root", default=ROOT)
    try:
        return ROOT, parser.parse_known_args(argv[1:])[0].root
    except argparse.ArgumentError:  # the command's own parser says what is wrong
        return (ROOT,)


def main(argv):
    # Run as root in an instructor's clone, what a command writes must stay the instructor's.
    with owned_by_course_owner(*course_roots(argv)):
        run(argv)


def run(argv):
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
