"""The grading command: discovery, formats, exit codes."""
import json
import subprocess
import sys
from xml.etree import ElementTree

import nbformat
import pytest

from autograder import cli
from autograder.batch import find_submissions
from tests.helpers import ROOT, learner_submission

A = "02-pooling-math"


@pytest.fixture(scope="module")
def submitted(tmp_path_factory):
    """nbgrader's submitted/<student>/<assignment>/ tree: a full-marks, a stub and a wrong one."""
    root = tmp_path_factory.mktemp("submitted")
    subs = {
        "ada": learner_submission(A),
        "bob": learner_submission(A, {"pool2d": "def pool2d(feature_map, pool_size, stride, mode='max'):\n    raise NotImplementedError()\n"}),
        "cyd": learner_submission(A, {"uncovered_cells": "def uncovered_cells(input_length, pool_size, stride, padding='valid'):\n    return ()\n"}),
    }
    for student, nb in subs.items():
        (root / student / A).mkdir(parents=True)
        nbformat.write(nb, root / student / A / f"{A}.ipynb")
    (root / "notes").mkdir()
    (root / "notes" / "scratch.ipynb").write_text("{}")  # not an assignment: ignored in a folder
    return root


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_finds_students_and_assignments(submitted):
    found = find_submissions([str(submitted)])
    assert [(a, s) for _, a, s in found] == [(A, "ada"), (A, "bob"), (A, "cyd")]


def test_json_scores_and_exit_status(submitted, tmp_path):
    out = tmp_path / "grades.json"
    proc = _cli("grade", str(submitted), "--jobs", "2", "--format", "json", "--output", str(out))
    assert proc.returncode == cli.EXIT_LOST_POINTS, proc.stderr
    data = json.loads(out.read_text())
    scores = {s["student"]: s["score"] for s in data["submissions"]}
    assert scores == {"ada": 8, "bob": 3, "cyd": 5}
    # with --output, stdout holds the summary line alone (before: nothing)
    assert proc.stdout == (f"Summary: 3 graded: 1 with full marks, 2 with points lost (8 of 24 points); problems of "
                           f"the grader itself: 0. Written to {out}.\n"), proc.stdout
    assert data["tensorflow"] == "2.21.0" and data["device"] == "/CPU:0"


def test_full_marks_exit_zero_and_table():
    proc = _cli("grade", str(ROOT / "solutions" / A))
    assert proc.returncode == cli.EXIT_OK, proc.stdout + proc.stderr
    assert "8/8" in proc.stdout and "\u2714 pool2d_hidden" in proc.stdout
    # the table ends with the summary line: graded, full marks, points lost, the grader's problems
    assert proc.stdout.splitlines()[-1] == "Summary: 1 graded: 1 with full marks, 0 with points lost (0 of 8 points); " \
                                           "problems of the grader itself: 0."


def test_junit_parses(submitted, tmp_path):
    out = tmp_path / "junit.xml"
    _cli("grade", str(submitted), "--format", "junit", "--output", str(out))
    suites = ElementTree.parse(out).getroot()
    assert suites.tag == "testsuites" and len(suites) == 3
    bob = next(s for s in suites if s.get("name") == f"bob/{A}")
    assert bob.get("failures") == "2" and bob.get("tests") == "4"
    failure = bob.find("testcase[@name='pool2d_visible']/failure")
    assert "not written yet" in failure.get("message")


def test_gradescope_results_have_the_required_fields(submitted, tmp_path):
    out = tmp_path / "results.json"
    proc = _cli("grade", str(submitted / "cyd"), "--format", "gradescope", "--output", str(out))
    assert proc.returncode == cli.EXIT_LOST_POINTS
    results = json.loads(out.read_text())
    assert results["score"] == 5
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] == ("after_published" if test["name"].endswith("_hidden") else "visible")
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert [t["name"] for t in failed] == ["uncovered_cells_visible", "uncovered_cells_hidden"]
    assert "uncovered_cells(input_length=" in failed[0]["output"]


def test_usage_errors_exit_two(submitted):
    assert _cli("grade", "/no/such/path").returncode == cli.EXIT_USAGE
    proc = _cli("grade", str(submitted), "--format", "gradescope")
    assert proc.returncode == cli.EXIT_USAGE and "one submission" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_list_shows_every_exercise():
    proc = _cli("list")
    assert proc.returncode == 0 and "pool2d" in proc.stdout and "uncovered_cells" in proc.stdout


def _one_line(proc) -> str:
    """The command's complaint: one line on stderr, no traceback, nothing graded on stdout."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr and proc.stdout.strip() == "", proc.stderr + proc.stdout
    assert len(lines) >= 1
    return lines[-1]


@pytest.mark.parametrize("option,value", [("--timeout", "0"), ("--timeout", "-5"), ("--timeout", "soon"),
                                          ("--memory", "10"), ("--jobs", "0"), ("--jobs", "-1")])
def test_bad_limits_are_usage_errors_not_zeros_for_the_learner(option, value):
    """Before: accepted, and every learner got zero, blamed on their code."""
    proc = _cli("grade", str(ROOT / "solutions" / A), option, value)
    assert proc.returncode == cli.EXIT_USAGE
    assert option in _one_line(proc)


def test_an_unknown_device_setting_is_a_usage_error_in_one_line():
    env = {**__import__("os").environ, "AUTOGRADER_DEVICE": "bogus"}
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(ROOT / "solutions" / A)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == cli.EXIT_USAGE
    assert "AUTOGRADER_DEVICE" in _one_line(proc) and "bogus" in proc.stderr


def test_a_missing_gpu_is_a_grader_failure_in_one_line():
    from autograder import tfops

    if tfops.tensorflow().config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU: --device gpu works here")
    proc = _cli("grade", str(ROOT / "solutions" / A), "--device", "gpu")
    assert proc.returncode == cli.EXIT_GRADER
    assert "no GPU" in _one_line(proc)


def test_an_output_folder_that_does_not_exist_is_refused_before_grading(tmp_path):
    proc = _cli("grade", str(ROOT / "solutions" / A), "--output", str(tmp_path / "missing" / "grades.json"))
    assert proc.returncode == cli.EXIT_USAGE
    assert "does not exist" in _one_line(proc)
    assert not (tmp_path / "missing").exists()


def test_every_subcommand_is_listed_in_the_help():
    proc = _cli("--help")
    for command in ("grade", "report", "list", "sample"):
        assert command in proc.stdout


def test_a_duplicate_notebook_is_graded_once_with_a_warning(tmp_path):
    """Before: '02-pooling-math (1).ipynb' beside '02-pooling-math.ipynb' was graded as a second,
    conflicting result for the same learner, without a word."""
    folder = tmp_path / "submitted" / "dee" / A
    folder.mkdir(parents=True)
    nbformat.write(learner_submission(A), folder / f"{A}.ipynb")
    nbformat.write(learner_submission(A, {"pool2d": "def pool2d(feature_map, pool_size, stride, mode='max'):\n"
                                                    "    return None\n"}), folder / f"{A} (1).ipynb")
    found = find_submissions([str(tmp_path / "submitted")], notes := {})
    assert [(p.name, s) for p, _, s in found] == [(f"{A}.ipynb", "dee")]
    assert f"graded {A}.ipynb; not graded: {A} (1).ipynb" in notes[("dee", A)]
    out = tmp_path / "grades.json"
    proc = _cli("grade", str(tmp_path / "submitted"), "--format", "json", "--output", str(out))
    assert "not graded" in proc.stderr
    data = json.loads(out.read_text())
    assert len(data["submissions"]) == 1 and "not graded" in data["submissions"][0]["notes"][0]


@pytest.mark.parametrize("argv", [
    ("translate", "status", "--language", "zh", "01-convolution-output-sizes"),
    ("translate", "status", "01-convolution-output-sizes", "--language", "zh"),
])
def test_translate_takes_its_options_before_or_after_the_assignment(argv):
    """argparse once ate the assignment as an empty positional when --language came first."""
    done = _cli(*argv)
    assert done.returncode in (0, 1), done.stderr
    assert done.stdout.splitlines()[0].startswith("01-convolution-output-sizes: ")
    assert "02-pooling-math" not in done.stdout


def test_translate_reviewed_needs_cells():
    done = _cli("translate", "reviewed", "01-convolution-output-sizes")
    assert done.returncode == 2 and "CELL" in done.stderr


@pytest.mark.parametrize("argv", [
    ["autograde", A, "--results", "results/results.json"],  # as the docs write it
    ["autograde", "--results", "results/results.json", A],
    ["autograde", A, "--results=results/results.json", "--student", "ada"],
])
def test_autograde_takes_its_own_options_before_or_after_the_assignment(argv, monkeypatch, tmp_path):
    """Before: `autograde A --results FILE` handed --results to nbgrader, which ignored it ("Unrecognized
    alias") and graded every submission again."""
    from autograder import gradebook

    called = {}
    monkeypatch.setattr(gradebook, "autograde", lambda args, jobs, results: called.update(
        args=args, jobs=jobs, results=results) or 0)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "results.json").write_text("{}")
    assert cli.main(argv) == cli.EXIT_OK
    assert called["results"] == ["results/results.json"]
    assert called["args"] == [a for a in argv[1:] if "results" not in a]
    assert cli.main(["autograde", A, "--jobs", "3"]) == 0 and called["jobs"] == 3 and called["args"] == [A]


def test_autograde_refuses_results_it_cannot_read_before_touching_the_gradebook(tmp_path, capsys):
    assert cli.main(["autograde", A, "--results", str(tmp_path / "none.json")]) == cli.EXIT_USAGE
    assert "no such file" in capsys.readouterr().err


HOSTILE = "ev\x1b[2J\x1b]0;full marks\x07il\u202e"  # a folder name: clears the screen, sets the title, reverses text


def test_a_hostile_folder_name_reaches_no_terminal_and_no_xml_as_it_is():
    """A learner's folder name with terminal escapes and a bidirectional override: the table shows
    it escaped, and the JUnit report still parses, with the name escaped."""
    from autograder import formats
    from autograder.trusted import NotebookResult

    result = NotebookResult(A, HOSTILE, f"/x/{HOSTILE}/{A}/{A}.ipynb", [], error=f"note {HOSTILE}")
    table = formats.as_table([result])
    assert not any(ch in table for ch in "\x1b\x07\u202e") and "ev\\x1b[2J" in table and "\\u202e" in table
    suites = ElementTree.fromstring(formats.as_junit([result]).split("?>", 1)[1])
    assert suites[0].get("name").startswith("ev\\x1b[2J")


def test_control_elementtree_writes_a_hostile_name_as_xml_no_parser_reads():
    suites = ElementTree.Element("testsuites")
    ElementTree.SubElement(suites, "testsuite", name=HOSTILE)
    with pytest.raises(ElementTree.ParseError):
        ElementTree.fromstring(ElementTree.tostring(suites, encoding="unicode"))


def test_the_grading_command_prints_a_hostile_folder_name_escaped(tmp_path):
    folder = tmp_path / "submitted" / HOSTILE / A
    folder.mkdir(parents=True)
    nbformat.write(learner_submission(A), folder / f"{A}.ipynb")
    (folder / "nested" / A).mkdir(parents=True)  # refused (nested), so a warning names the path
    nbformat.write(learner_submission(A), folder / "nested" / A / f"{A}.ipynb")
    proc = _cli("grade", str(tmp_path / "submitted"))
    assert proc.returncode == cli.EXIT_OK, proc.stdout + proc.stderr
    assert "ev\\x1b[2J" in proc.stdout and "not graded" in proc.stderr
    assert not any(ch in proc.stdout + proc.stderr for ch in "\x1b\x07\u202e")
