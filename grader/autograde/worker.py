"""Grade one submission: nbgrader autograde, then its feedback, in this process.

`grade_submission` is the unit of work of the class grader (grader/autograde/class_grading.py).
It runs where the work is: in a local worker process (`python -m grader.autograde.worker`,
which reads one task per line on stdin and answers one JSON line each) or as a
task on a Dask worker. nbgrader is imported once per process, which saves
about 2.5 s per submission over starting `nbgrader autograde` each time.
"""
import json
import os
import re
import resource
import sys
import time
import warnings
from functools import lru_cache
from types import SimpleNamespace

from grader.autograde.tamper import COMPUTED

# nbgrader's gradebook warns about its own SQLAlchemy sessions on every submission.
warnings.filterwarnings("ignore", module="nbgrader.api")

# Each kernel gets one core's worth of BLAS/OpenMP threads: with one worker per
# core, more threads only make the workers fight over the cores.
SINGLE_THREADED = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                          "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")}


@lru_cache(maxsize=None)
def nbgrader_api(root, db_url, fast=False):
    """One NbGraderAPI per course, gradebook and path, configured by the course's nbgrader_config.py.

    The fast path is the same autograde with other preprocessors: the notebook is
    not run, the hidden tests alone decide (they do in the full path too), and the
    gradebook is written by nbgrader as always.
    """
    from nbgrader.apps import NbGraderAPI

    from grader.autograde.gradebook import course_config, default_db_url
    from grader.autograde.preprocessors import fast_autograde_preprocessors, fast_sanitize_preprocessors
    from grader.autograde.tamper import record_scores_in

    validate_schema_once()
    one_engine_per_database()
    templates_compiled_once()
    config = course_config(root)
    config.CourseDirectory.root = root
    if fast:
        config.Autograde.sanitize_preprocessors = fast_sanitize_preprocessors()
        config.Autograde.autograde_preprocessors = fast_autograde_preprocessors()
    record_scores_in(config)
    url = db_url or default_db_url(root)
    if url.startswith("sqlite:///") and "?" not in url:
        url += "?timeout=60"  # SQLite lets one writer in at a time: the others wait a minute, not 5 s
    config.CourseDirectory.db_url = url
    return NbGraderAPI(config=config)


def validate_schema_once():
    """nbgrader checks each cell's metadata with jsonschema.validate, which first checks the
    schema itself, every time: a third of a fast autograde. The schema is checked once here,
    and each cell against it as before (the same errors)."""
    import jsonschema
    from nbgrader.nbgraderformat import common

    validators = {}

    def validate(instance, schema):
        if id(schema) not in validators:  # the schema is kept, so its id is not reused
            kind = jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            validators[id(schema)] = (schema, kind(schema))
        error = jsonschema.exceptions.best_match(validators[id(schema)][1].iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = SimpleNamespace(validate=validate)


def one_engine_per_database():
    """nbgrader opens a new Gradebook, so a new SQLAlchemy engine, about ten times per notebook,
    and a new engine compiles every query again: a third of a fast autograde. One engine per
    database URL in this process keeps SQLAlchemy's cache of compiled statements. (Gradebook.close
    disposes of the engine's connections, as before; the engine and its cache stay.)"""
    import nbgrader.api

    if getattr(nbgrader.api.create_engine, "shared", False):
        return
    create_engine = nbgrader.api.create_engine

    @lru_cache(maxsize=None)
    def shared_engine(url, **options):
        return create_engine(url, **options)
    shared_engine.shared = True
    nbgrader.api.create_engine = shared_engine


def templates_compiled_once():
    """nbgrader builds a new HTML exporter, so a new Jinja environment, for each feedback page, and
    Jinja compiles every template again: a third of the page's time. One in-memory bytecode cache
    per process keeps them compiled (Jinja compares each template's source before it reuses one)."""
    import jinja2
    from nbconvert.exporters.templateexporter import TemplateExporter

    if getattr(TemplateExporter._create_environment, "cached", False):
        return

    class MemoryCache(jinja2.BytecodeCache):
        def __init__(self):
            self.compiled = {}

        def load_bytecode(self, bucket):
            if bucket.key in self.compiled:
                bucket.bytecode_from_string(self.compiled[bucket.key])

        def dump_bytecode(self, bucket):
            self.compiled[bucket.key] = bucket.bytecode_to_string()

    cache, create = MemoryCache(), TemplateExporter._create_environment

    def create_environment(self):
        environment = create(self)
        environment.bytecode_cache = cache
        return environment
    create_environment.cached = True
    TemplateExporter._create_environment = create_environment


def grade_submission(task):
    """task: {root, db_url, assignment, student, fast}. Returns the task with status, score, seconds
    (autograde and feedback), feedback_seconds, cpu_seconds, error."""
    os.environ.update(SINGLE_THREADED, MPLBACKEND="Agg", PYTHONWARNINGS="ignore:::nbgrader.api")
    start, cpu = time.perf_counter(), cpu_seconds()
    result = dict(task, status="graded", score=None, error="", fast=bool(task.get("fast")), feedback_seconds=0)
    try:
        api = nbgrader_api(task["root"], task.get("db_url") or "", bool(task.get("fast")))
        COMPUTED.pop((task["assignment"], task["student"]), None)
        graded = api.autograde(task["assignment"], task["student"], force=True, create=True)
        # Kept apart from the gradebook, which student code may reach (tamper.py checks it against these).
        result["computed"] = COMPUTED.pop((task["assignment"], task["student"]), {})
        if not graded["success"]:
            result.update(status="failed", error=last_error(graded))
        else:
            feedback_start = time.perf_counter()
            feedback = api.generate_feedback(task["assignment"], task["student"], force=True)
            result["feedback_seconds"] = round(time.perf_counter() - feedback_start, 3)
            if not feedback["success"]:
                result.update(status="failed", error="feedback: " + last_error(feedback))
            result["score"] = submission_score(api, task["assignment"], task["student"])
    except Exception as error:  # noqa: BLE001 (any failure is this submission's alone)
        result.update(status="failed", error=f"{type(error).__name__}: {error}")
    result["seconds"] = round(time.perf_counter() - start, 3)
    result["cpu_seconds"] = round(cpu_seconds() - cpu, 3)
    return result


def warm_up(task):
    """task: {root, db_url, fast, assignments}. Import nbgrader and start the warm checker, the
    zygote and the first student process, so that the first submission costs what the others do."""
    from grader.autograde import preprocessors

    os.environ.update(SINGLE_THREADED, MPLBACKEND="Agg", PYTHONWARNINGS="ignore:::nbgrader.api")
    start = time.perf_counter()
    nbgrader_api(task["root"], task.get("db_url") or "", bool(task.get("fast")))
    preprocessors.warm_up(task["assignments"], task["root"], bool(task.get("fast")))
    return {"warm": True, "seconds": round(time.perf_counter() - start, 3)}


def cpu_seconds():
    """CPU time of this process and of the processes it waited for (kernels, checkers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def last_error(outcome):
    """The line of nbgrader's log that says what went wrong (its last lines only say "see above")."""
    text = "\n".join([outcome.get("log") or "", outcome.get("error") or ""])
    causes = [line.strip() for line in text.splitlines()
              if re.match(r"\s*[\w.]+(Error|Exception|Entry): ", line) and "see the the above" not in line]
    return causes[0][-300:] if causes else "unknown error (see nbgrader's log)"


def submission_score(api, assignment, student):
    with api.gradebook as gradebook:
        return gradebook.find_submission(assignment, student).score


def main():
    """Serve tasks from stdin, one JSON line in, one JSON line out, until stdin closes."""
    # Answers go to a private copy of stdout; anything else printed goes to stderr.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    for line in sys.stdin:
        task = json.loads(line)
        answers.write(json.dumps(warm_up(task) if task.get("warm") else grade_submission(task)) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
