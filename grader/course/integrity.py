"""Which submissions share an origin: pairs of students ranked by evidence, for a person to look at.

    python -m grader integrity [assignment ...] [--root DIR] [--threshold T]
    python -m grader integrity --benchmark 1000      time a synthetic class of 1,000 submissions

Writes integrity_report.html and integrity_report.csv next to grades.csv. Nothing
of it reaches the students' feedback. Two kinds of evidence:

- code: what each student wrote in the graded cells, the release's starter lines
  taken out, fingerprinted with copydetect (winnowed k-grams of the code after
  names, strings and comments are normalised away), each fingerprint weighed by
  how rare it is in the class: shared by d students, it counts 1/(d(d-1)/2) for
  each of their pairs, so what half the class writes is worth next to nothing;
- traces of the notebook file: cell ids, execution counts, outputs, markdown,
  errors and metadata that two students share and the release does not have,
  weighed by rarity the same way.

A pair's score is 1 - prod(1 - strength) over its signals (one strong signal is
enough; several weak ones add up). A flagged pair is a reason to look, not proof.
"""
import argparse
import collections
import csv
import html
import io
import itertools
import json
import math
import random
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
from copydetect import CodeFingerprint
from copydetect.utils import find_fingerprint_overlap, get_copied_slices, highlight_overlap
from nbgrader.utils import is_solution

from grader.assignments import ASSIGNMENTS

THRESHOLD = 0.5
# k-grams of 12 normalised characters, about one statement ("V=V.V(V,V)"), all
# kept (winnowing window 1): answers are a few lines, and a copier who reorders
# lines breaks every k-gram spanning two of them, which at copydetect's default
# of 25 characters is most of them. Short k-grams are common, which the rarity
# weighting discounts.
KGRAM = 12
WINDOW = 1
# Shared rare k-grams that make a code match certain: about four lines of code.
ENOUGH_KGRAMS = 40
# What more students share than this is common knowledge, not a trace: its
# weight (under 1/1000) is left out of the pairs, which keeps the pairs to look
# at far fewer than n²/2 in a large class.
MAX_SHARERS = 50
# Signals weaker than this are left out of the report and the CSV.
NOTEWORTHY = 0.01
# A fingerprint shared by this few students is highlighted in the report.
HIGHLIGHT_SHARERS = 3

# kind -> (strength of one trace shared by two students only, most it can reach, what it means)
TRACES = {
    "cell ids": (0.95, 0.99, "cells that neither student got from the release carry the same random id "
                             "(JupyterLab gives each new cell one): the two notebooks are one file"),
    "execution counts": (0.7, 0.7, "the same irregular order of running cells (not a plain top-to-bottom run)"),
    "volatile output": (0.8, 0.95, "identical outputs that differ from run to run: memory addresses, timings"),
    "plot": (0.2, 0.4, "the same image, which no one else produced (a plot of a random run, or the same mistake)"),
    "markdown": (0.35, 0.8, "identical written text that is not in the release"),
    "error": (0.3, 0.6, "the same error with the same traceback"),
    "metadata": (0.25, 0.6, "the same editor metadata that the release does not have"),
}
CODE_MEANING = ("the code written in the graded cells (starter code removed) shares rare fingerprints: "
                "copydetect compares it with names, strings and comments normalised away")
CAVEAT = ("A flagged pair is a reason to look at two submissions side by side, not proof of copying: "
          "students who studied together, used the same tutorial or made the same mistake can look alike. "
          "Nothing here is decided automatically, and none of it is shown to students.")

ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
TIMING = re.compile(r"\b(Wall time|CPU times|\d+(\.\d+)?\s*(ms|µs|us|ns|s|sec|seconds) ± |\d+(\.\d+)?\s*it/s)")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SHORTEST_ANSWER = 40  # characters of markdown two students may well write alike


@dataclass
class Release:
    """What every student got: nothing of it is evidence."""
    stubs: dict        # grade_id -> stripped lines of the graded cell's starter code
    cell_ids: set
    markdown: set      # normalised text of the release's markdown cells
    metadata: set      # metadata items (see metadata_items)


@dataclass
class Submission:
    student: str
    assignment: str
    code: dict = field(default_factory=dict)          # grade_id -> what the student wrote
    fingerprints: dict = field(default_factory=dict)  # grade_id -> copydetect CodeFingerprint
    traces: dict = field(default_factory=dict)        # kind -> {trace key: how it reads}

    @property
    def hashes(self):
        return set().union(*(fp.hashes for fp in self.fingerprints.values()))


@dataclass
class Signal:
    kind: str
    strength: float
    detail: str


@dataclass
class Pair:
    assignment: str
    first: str
    second: str
    signals: list = field(default_factory=list)
    regions: dict = field(default_factory=dict)       # grade_id -> (first's code, second's code) as HTML

    @property
    def score(self):
        return 1 - math.prod(1 - signal.strength for signal in self.signals)


def rarity_weight(sharers):
    """The evidence a trace held by `sharers` students gives each of their pairs: one unit
    per trace, split among all the pairs that hold it (a trace of one student's counts 1)."""
    return 1 / max(sharers * (sharers - 1) / 2, 1)


# Reading the release and the submissions.

def graded_cells(nb):
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in nb.cells
            if cell.cell_type == "code" and is_solution(cell)}


def read_release(root, assignment):
    nb = nbformat.read(Path(root) / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    return Release(stubs={grade_id: {line.strip() for line in source.splitlines()}
                          for grade_id, source in graded_cells(nb).items()},
                   cell_ids={cell.get("id") for cell in nb.cells},
                   markdown={normalise_text(cell.source) for cell in nb.cells if cell.cell_type == "markdown"},
                   metadata=metadata_items(nb))


def own_code(source, stub_lines):
    """The lines of a graded cell that the student wrote: neither blank nor in the starter code."""
    return "\n".join(line for line in source.splitlines() if line.strip() and line.strip() not in stub_lines)


def fingerprint(code):
    return CodeFingerprint("answer.py", KGRAM, WINDOW, fp=io.StringIO(code))


def normalise_text(text):
    return " ".join(text.split())


def metadata_items(nb):
    """(cell id or "notebook", key path, value) of every leaf of the notebook's and its cells' metadata."""
    def leaves(where, value, path=()):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from leaves(where, inner, path + (key,))
        else:
            yield where, "/".join(path), json.dumps(value, sort_keys=True)
    items = set(leaves("notebook", dict(nb.metadata)))
    for cell in nb.cells:
        items |= {item for item in leaves(cell.get("id"), dict(cell.metadata)) if not item[1].startswith("nbgrader")}
    return items


def execution_order(nb):
    """The notebook's execution counts, if they are not a plain top-to-bottom run (which every student has)."""
    counts = [cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code"]
    ran = [count for count in counts if count is not None]
    irregular_steps = sum(1 for before, after in zip(ran, ran[1:]) if after != before + 1)
    return tuple(counts) if irregular_steps >= 2 else None


def output_traces(nb):
    """kind -> {key: reading} of the outputs that say something about the file they came from."""
    traces = collections.defaultdict(dict)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                lines = tuple(ANSI.sub("", line) for line in output.get("traceback", []))
                traces["error"][(output.get("ename"), output.get("evalue"), lines)] = \
                    f"{output.get('ename')}: {output.get('evalue')}"
                continue
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            text = "".join(text) if isinstance(text, list) else text
            if ADDRESS.search(text) or TIMING.search(text):
                traces["volatile output"][text] = text.strip()[:200]
            image = output.get("data", {}).get("image/png")
            if image:
                traces["plot"][hash(image)] = f"an image of {len(image)} base64 characters"
    return traces


def read_notebook(student, assignment, nb, release):
    """What one submission holds that can be compared across the class."""
    submission = Submission(student, assignment)
    for grade_id, source in graded_cells(nb).items():
        code = own_code(source, release.stubs.get(grade_id, set()))
        if code:
            submission.code[grade_id] = code
            submission.fingerprints[grade_id] = fingerprint(code)
    traces = output_traces(nb)
    traces["cell ids"] = {cell.get("id"): f"{cell.cell_type} cell {cell.get('id')}: {cell.source[:60]!r}"
                          for cell in nb.cells if cell.get("id") and cell.get("id") not in release.cell_ids}
    order = execution_order(nb)
    traces["execution counts"] = {order: f"execution counts {list(order)}"} if order else {}
    traces["markdown"] = {normalise_text(cell.source): normalise_text(cell.source)[:200] for cell in nb.cells
                          if cell.cell_type == "markdown" and len(normalise_text(cell.source)) >= SHORTEST_ANSWER
                          and normalise_text(cell.source) not in release.markdown}
    traces["metadata"] = {item: f"{item[0]}: {item[1]} = {item[2][:80]}"
                          for item in metadata_items(nb) - release.metadata}
    submission.traces = dict(traces)
    return submission


def read_submissions(root, assignment, release):
    """Every readable submitted notebook of one assignment; unreadable ones are left to the grading."""
    submissions = []
    for path in sorted((Path(root) / "submitted").glob(f"*/{assignment}/{assignment}.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except (OSError, ValueError):
            continue
        submissions.append(read_notebook(path.parent.parent.name, assignment, nb, release))
    return submissions


# Comparing them.

def sharers(keys_by_student):
    """key -> the students who hold it, for keys held by 2 to MAX_SHARERS students."""
    holders = collections.defaultdict(list)
    for student, keys in keys_by_student.items():
        for key in keys:
            holders[key].append(student)
    return {key: names for key, names in holders.items() if 2 <= len(names) <= MAX_SHARERS}


def shared_weight(keys_by_student):
    """(student, student) -> (summed rarity weight of what they share, the shared keys)."""
    pairs = collections.defaultdict(lambda: [0.0, []])
    for key, names in sharers(keys_by_student).items():
        weight = rarity_weight(len(names))
        for pair in itertools.combinations(sorted(names), 2):
            pairs[pair][0] += weight
            pairs[pair][1].append(key)
    return pairs


def code_signals(submissions):
    """(student, student) -> the code Signal, from rare fingerprints shared."""
    hashes = {s.student: s.hashes for s in submissions}
    holders = collections.Counter(h for student_hashes in hashes.values() for h in student_hashes)
    # A student's own weight of code: what they wrote that few others did.
    size = {student: sum(rarity_weight(holders[h]) if holders[h] > 1 else 1 for h in student_hashes)
            for student, student_hashes in hashes.items()}
    signals = {}
    for (first, second), (weight, _) in shared_weight(hashes).items():
        coverage = weight / max(min(size[first], size[second]), 1e-9)
        strength = min(1.0, coverage) * min(1.0, weight / ENOUGH_KGRAMS)
        signals[first, second] = Signal("code", round(strength, 3),
                                        f"{weight:.0f} rare shared fingerprints, {min(coverage, 1):.0%} of the "
                                        f"smaller one's distinctive code; {CODE_MEANING}")
    return signals


def trace_signals(submissions, kind):
    """(student, student) -> the Signal of one kind of notebook trace."""
    per_trace, ceiling, meaning = TRACES[kind]
    traces = {s.student: s.traces.get(kind, {}) for s in submissions}
    signals = {}
    for (first, second), (weight, keys) in shared_weight(traces).items():
        examples = "; ".join(traces[first][key] for key in keys[:3])
        signals[first, second] = Signal(kind, round(min(ceiling, per_trace * weight), 3),
                                        f"{len(keys)} shared: {meaning}. E.g. {examples}")
    return signals


def compare_class(submissions):
    """Every pair of one assignment's submissions that shares anything, with its signals."""
    found = [code_signals(submissions)] + [trace_signals(submissions, kind) for kind in TRACES]
    by_name = {s.student: s for s in submissions}
    pairs = []
    for first, second in sorted(set().union(*found)):
        signals = [signals[first, second] for signals in found if (first, second) in signals]
        signals = [signal for signal in signals if signal.strength >= NOTEWORTHY]
        if signals:
            pairs.append(Pair(submissions[0].assignment, first, second, sorted(signals, key=lambda s: -s.strength)))
    highlight_regions([p for p in pairs if p.score >= THRESHOLD], by_name, submissions)
    return pairs


def highlight_regions(pairs, by_name, submissions):
    """Mark, in each flagged pair's graded cells, the code made of rare fingerprints they share."""
    holders = collections.Counter(h for s in submissions for h in s.hashes)
    for pair in pairs:
        first, second = by_name[pair.first], by_name[pair.second]
        for grade_id in sorted(set(first.fingerprints) & set(second.fingerprints)):
            one, other = first.fingerprints[grade_id], second.fingerprints[grade_id]
            rare = {h for h in one.hashes & other.hashes if holders[h] <= HIGHLIGHT_SHARERS}
            if rare:
                pair.regions[grade_id] = (marked(one, rare), marked(other, rare))


def marked(fp, hashes):
    """The fingerprinted code as HTML, the stretches made of `hashes` in <mark>."""
    index, _ = find_fingerprint_overlap(hashes, hashes, fp.hash_idx, fp.hash_idx)
    slices = get_copied_slices(index, fp.k)
    if len(fp.offsets):
        # From positions in the normalised code back to the code as written (as copydetect's compare_files).
        slices = slices + fp.offsets[:, 1][np.clip(np.searchsorted(fp.offsets[:, 0], slices), 0, len(fp.offsets) - 1)]
    text, _ = highlight_overlap(fp.raw_code, slices, "<mark>", "</mark>", escape_html=True)
    return text


def rank_pairs(root, assignments):
    """Pairs of every assignment sharing anything, most suspicious first."""
    pairs = []
    for assignment in assignments:
        submissions = read_submissions(root, assignment, read_release(root, assignment))
        if len(submissions) > 1:
            pairs += compare_class(submissions)
    return sorted(pairs, key=lambda p: (-p.score, p.assignment, p.first, p.second))


# The report.

def feedback_link(student, assignment):
    return f"feedback/{student}/{assignment}/{assignment}.html"


def write_csv(path, pairs):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["assignment", "first", "second", "score", "flagged", "signals"])
        for pair in pairs:
            writer.writerow([pair.assignment, pair.first, pair.second, f"{pair.score:.3f}",
                             "yes" if pair.score >= THRESHOLD else "no",
                             "; ".join(f"{s.kind} {s.strength:.2f}" for s in pair.signals)])


PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Integrity report</title><style>
body {{ font-family: sans-serif; margin: 2em; max-width: 90em; }}
.caveat {{ background: #fff4d6; border-left: 4px solid #e0a800; padding: .6em 1em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .25em .6em; text-align: left; }}
.pair {{ border-top: 2px solid #444; margin-top: 2em; }}
.side {{ display: grid; grid-template-columns: 1fr 1fr; gap: 1em; }} .side > div {{ min-width: 0; }}
pre {{ background: #f6f6f6; padding: .5em; overflow-x: auto; font-size: 85%; }}
mark {{ background: #ffd54f; }}
.strength {{ font-weight: bold; }}
</style></head><body>
<h1>Integrity report</h1>
<p class="caveat">{caveat}</p>
<p>{summary}</p>
<table><tr><th>score</th><th>assignment</th><th>pair</th><th>signals</th></tr>
{rows}
</table>
{sections}
</body></html>
"""


def pair_row(pair):
    anchor = f"#{pair.assignment}-{pair.first}-{pair.second}"
    link = f'<a href="{anchor}">' if pair.score >= THRESHOLD else "<span>"
    close = "</a>" if pair.score >= THRESHOLD else "</span>"
    return (f"<tr><td>{pair.score:.2f}</td><td>{pair.assignment}</td><td>{link}{html.escape(pair.first)} "
            f"&amp; {html.escape(pair.second)}{close}</td><td>"
            + ", ".join(f"{s.kind} {s.strength:.2f}" for s in pair.signals) + "</td></tr>")


def pair_section(pair):
    links = " &middot; ".join(f'<a href="{feedback_link(student, pair.assignment)}">{html.escape(student)}\'s feedback</a>'
                              for student in (pair.first, pair.second))
    signals = "".join(f'<li><span class="strength">{s.kind} {s.strength:.2f}</span>: {html.escape(s.detail)}</li>'
                      for s in pair.signals)
    regions = "".join(f"<h4>{html.escape(grade_id)}</h4><div class=\"side\"><div><b>{html.escape(pair.first)}</b>"
                      f"<pre>{first}</pre></div><div><b>{html.escape(pair.second)}</b><pre>{second}</pre></div></div>"
                      for grade_id, (first, second) in pair.regions.items())
    return (f'<div class="pair" id="{pair.assignment}-{pair.first}-{pair.second}">'
            f"<h2>{html.escape(pair.first)} &amp; {html.escape(pair.second)}: {pair.assignment}, "
            f"score {pair.score:.2f}</h2><p>{links}</p><ul>{signals}</ul>{regions}</div>")


def write_html(path, pairs):
    flagged = [p for p in pairs if p.score >= THRESHOLD]
    below = [p for p in pairs if p.score < THRESHOLD][:5]
    summary = (f"{len(flagged)} of {len(pairs)} pairs sharing anything reach the threshold {THRESHOLD}; "
               f"they are shown first, then the {len(below)} closest below it for comparison. "
               "Matching code is highlighted where at most "
               f"{HIGHLIGHT_SHARERS} students share it. Links open each student's feedback page.")
    Path(path).write_text(PAGE.format(caveat=html.escape(CAVEAT), summary=summary,
                                      rows="\n".join(pair_row(p) for p in flagged + below),
                                      sections="\n".join(pair_section(p) for p in flagged)))


def write_report(root, pairs):
    root = Path(root)
    html_path, csv_path = root / "integrity_report.html", root / "integrity_report.csv"
    write_html(html_path, pairs)
    write_csv(csv_path, pairs)
    return html_path, csv_path


# A synthetic class, to measure how the comparison scales.

def synthetic_class(course, size):
    """`size` submissions spread over the assignments, each an example student (renamed) with a
    line of its own in about half its graded cells: clones of one example student are near-copies,
    the code everyone has is shared by hundreds."""
    from grader.assignments import ROOT
    from grader.course.example_class import fill_notebook, integrity_students, students

    (Path(course) / "release").symlink_to(ROOT / "release")
    generator = random.Random(0)
    templates = {a: [fill_notebook(a, s) for s in students(a) + integrity_students(a)
                     if not s.name.startswith("fault_")] for a in ASSIGNMENTS}
    for i in range(size):
        assignment = ASSIGNMENTS[i % len(ASSIGNMENTS)]
        nb = nbformat.from_dict(json.loads(json.dumps(generator.choice(templates[assignment]))))
        for cell in nb.cells:
            if is_solution(cell) and generator.random() < 0.5:
                cell.source += f"\n    note_{generator.randrange(10**6)} = {generator.randrange(10**6)}"
        folder = Path(course) / "submitted" / f"s{i:05d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{assignment}.ipynb")


def benchmark(size):
    course = Path(tempfile.mkdtemp(prefix="integrity-benchmark-"))
    try:
        synthetic_class(course, size)
        start = time.perf_counter()
        classes = {a: read_submissions(course, a, read_release(course, a)) for a in ASSIGNMENTS}
        read = time.perf_counter() - start
        pairs = [pair for submissions in classes.values() for pair in compare_class(submissions)]
        compared = time.perf_counter() - start
        write_report(course, pairs)
        total = time.perf_counter() - start
        per_assignment = size / len(ASSIGNMENTS)
        print(f"{size} submissions ({per_assignment:.0f} per assignment, "
              f"{len(ASSIGNMENTS) * per_assignment * (per_assignment - 1) / 2:.0f} possible pairs): "
              f"read and fingerprinted in {read:.1f} s, compared after {compared:.1f} s, "
              f"report written after {total:.1f} s; "
              f"{len(pairs)} pairs share something, {sum(p.score >= THRESHOLD for p in pairs)} flagged")
    finally:
        shutil.rmtree(course)


def main(argv=()):
    from grader.assignments import ROOT
    parser = argparse.ArgumentParser(prog="python -m grader integrity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", default=ASSIGNMENTS)
    parser.add_argument("--root", default=ROOT, help="the course directory (default: this repository)")
    parser.add_argument("--benchmark", type=int, metavar="N", help="time a synthetic class of N submissions instead")
    args = parser.parse_args(argv)
    if args.benchmark:
        return benchmark(args.benchmark)
    pairs = rank_pairs(args.root, args.assignments)
    html_path, _ = write_report(args.root, pairs)
    flagged = sum(p.score >= THRESHOLD for p in pairs)
    print(f"integrity report: {Path(html_path).relative_to(args.root)} (and .csv): "
          f"{flagged} pair(s) to look at, a reason to look, not proof")
