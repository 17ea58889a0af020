"""Initialization: reference solution, hidden tests, the mistakes they catch, the notebook's numbers."""
import re

import numpy as np
import pytest

from helpers import reference_functions, text_output, errors
from grader import initialization as hidden
from testcases import initialization as cases
from utils.checks import CheckFailure, check_dict, print_arrays

CHECKS = {"initialize_parameters_zeros": hidden.check_zeros,
          "initialize_parameters_random": hidden.check_random,
          "initialize_parameters_he": hidden.check_he}


@pytest.fixture(scope="module")
def reference():
    return reference_functions("initialization")


@pytest.mark.parametrize("name, dims, expected", [
    ("initialize_parameters_zeros", cases.ZEROS_DIMS, cases.ZEROS_EXPECTED),
    ("initialize_parameters_random", cases.RANDOM_DIMS, cases.RANDOM_EXPECTED),
    ("initialize_parameters_he", cases.HE_DIMS, cases.HE_EXPECTED),
    ("initialize_parameters_he", cases.HE_DIMS_2, cases.HE_EXPECTED_2),
])
def test_reference_reproduces_quoted_values(reference, name, dims, expected):
    check_dict(reference[name](dims), expected)


@pytest.mark.parametrize("name", CHECKS)
def test_hidden_checks_pass_the_reference(reference, name):
    CHECKS[name](reference[name])


def test_hidden_checks_catch_answers_hard_coded_for_the_visible_case():
    def he_for_2_4_1(layers_dims):
        return {key: value.copy() for key, value in cases.HE_EXPECTED.items()}
    with pytest.raises(CheckFailure, match="layers_dims = \\[3, 1, 2\\]"):
        hidden.check_he(he_for_2_4_1)


def test_hidden_checks_report_a_crash_as_a_failure():
    def broken(layers_dims):
        raise KeyError("W0")
    with pytest.raises(CheckFailure, match="raised KeyError"):
        hidden.check_zeros(broken)


# The executed solution notebook prints every number of EXPECTED.md section 1.

def cell_output(nb, marker):
    cell = next(c for c in nb.cells if c.cell_type == "code" and marker in c.source)
    return "".join(out.get("text", "") for out in cell.outputs)


def printed(arrays, capsys):
    print_arrays(arrays)
    return capsys.readouterr().out


def test_solution_notebook_runs_clean(executed_source):
    nb = executed_source("initialization")
    assert errors(nb) == []
    stderr = [out for c in nb.cells if c.cell_type == "code" for out in c.outputs
              if out.output_type == "stream" and out.name == "stderr"]
    assert stderr == []


@pytest.mark.parametrize("expected", ["ZEROS_EXPECTED", "RANDOM_EXPECTED", "HE_EXPECTED"])
def test_solution_notebook_prints_quoted_arrays(executed_source, capsys, expected):
    assert printed(getattr(cases, expected), capsys) in text_output(executed_source("initialization"))


def costs(text):
    return [float(x) for x in re.findall(r"Cost after iteration \d+: (\S+)", text)]


@pytest.mark.parametrize("initialization", ["zeros", "random", "he"])
def test_solution_notebook_prints_quoted_accuracies(executed_source, initialization):
    text = cell_output(executed_source("initialization"), f'results["{initialization}"] =')
    train, test = cases.ACCURACIES[initialization]
    assert f"train accuracy: {train}\n" in text and f"test accuracy:  {test}\n" in text


def test_solution_notebook_prints_quoted_cost_traces(executed_source):
    nb = executed_source("initialization")
    # Zero weights get zero gradients: the cost stays at log 2.
    assert np.allclose(costs(cell_output(nb, 'results["zeros"] =')), np.log(2), rtol=1e-12, atol=0)
    assert costs(cell_output(nb, 'results["random"] ='))[0] == np.inf
    he = costs(cell_output(nb, 'results["he"] ='))
    # The last digit or two of 17 depend on the BLAS's summation order.
    assert np.allclose(he, cases.HE_COST_TRACE, rtol=1e-13, atol=0)


def test_solution_notebook_prints_summary_table(executed_source):
    text = cell_output(executed_source("initialization"), "comments = {")
    assert re.search(r"zeros\s+50%\s+50%\s+fails to break symmetry", text)
    assert re.search(r"random\s+83%\s+86%\s+too large weights", text)
    assert re.search(r"he\s+99%\s+96%\s+recommended method", text)
