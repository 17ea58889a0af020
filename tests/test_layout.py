"""grader/ in three layers: the checks, the grading engine (autograde/), the course's tooling (course/)."""
import ast

from grader.assignments import ASSIGNMENTS, ROOT

GRADER = ROOT / "grader"
CHECKS = {f"grader.{a}" for a in ASSIGNMENTS} | {"grader.checking", "grader.reference", "grader.assignments"}


def module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imports(path):
    """Every grader module `path` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grader"):
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("grader")}
    return names


def modules():
    return {module_name(path): imports(path) for path in GRADER.rglob("*.py")}


def test_ls_shows_the_three_layers():
    top = sorted(p.name for p in GRADER.iterdir() if p.name != "__pycache__")
    assert top == sorted(["__init__.py", "__main__.py", "assignments.py", "checking.py", "reference.py",
                          "autograde", "course", *[f"{a}.py" for a in ASSIGNMENTS]])


def test_no_module_imports_the_command_line():
    assert {name for name, used in modules().items() if "grader.__main__" in used} == set()


def test_checks_import_nothing_from_the_tooling():
    offenders = {name: sorted(u for u in used if u.startswith("grader.course"))
                 for name, used in modules().items() if name in CHECKS}
    assert {name: used for name, used in offenders.items() if used} == {}


def test_the_engine_imports_nothing_from_the_tooling():
    """The engine runs the checks (the checker loads them); the tooling drives the engine, never the reverse."""
    engine = {name: used for name, used in modules().items() if name.startswith("grader.autograde")}
    offenders = {name: sorted(u for u in used if u.startswith("grader.course")) for name, used in engine.items()}
    assert {name: used for name, used in offenders.items() if used} == {}


def test_the_students_process_needs_nothing_of_the_grader():
    """student_side.py runs in the sandbox beside a copy of plain_data.py, and nothing else of grader/."""
    for name in ("student_side", "plain_data"):
        assert imports(GRADER / "autograde" / f"{name}.py") == set()
    assert "from plain_data import" in (GRADER / "autograde" / "student_side.py").read_text()


def test_every_module_is_imported_or_run():
    """No dead module: each is imported by another, named on a command line, or is a package's __init__."""
    used = set().union(*modules().values())
    texts = "\n".join(p.read_text() for p in [ROOT / "Makefile", ROOT / "nbgrader_config.py", *GRADER.rglob("*.py")])
    for name in modules():
        if name.endswith("__init__") or name == "grader.__main__" or name in used:
            continue
        assert f"-m {name}" in texts or f'"{name}"' in texts or name.split(".")[-1] + ".py" in texts, name


def test_gitignore_ignores_no_file_of_the_project():
    """An unanchored pattern (once `class_report.*`) silently drops a source file from `git add -A`."""
    import subprocess
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "--stdin", "-z"], cwd=ROOT, input=tracked,
                             capture_output=True).stdout.split(b"\0")
    assert [name.decode() for name in ignored if name] == []
