"""Command line: ``python -m autograder <command>``. Thin subcommands; each delegates to a function.

    python -m autograder grade PATH... [--jobs N] [--format table|json|junit|gradescope]
                                       [--output FILE] [--device auto|cpu|gpu] [--timeout S] [--memory MB]
    python -m autograder report [--gradebook DB] [--autograded DIR] [--output HTML]
    python -m autograder list

``grade``:
 1. finds the notebooks: PATH is a notebook, an assignment folder, or nbgrader's
    ``submitted/<student>/<assignment>/`` tree (any folder is searched for notebooks whose
    assignment it can tell from the notebook's or the folder's name);
 2. grades each with trusted verification (:mod:`autograder.trusted`): the learner's code in a
    separate, limited process, TensorFlow's references computed once for the whole run;
 3. prints a per-exercise table (a progress line for batches) or writes JSON, JUnit XML or
    Gradescope's ``results.json``.

Exit status of ``grade``: 0 every submission has full marks; 1 some submission lost points
(or could not be read, which gives it zero); 2 bad usage (no notebook found, unknown format);
3 the grader itself failed (e.g. a TensorFlow reference could not be computed).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import logging
import sys
from pathlib import Path
from xml.etree import ElementTree

from . import registry

__all__ = ["main", "grade", "find_submissions", "EXIT_OK", "EXIT_LOST_POINTS", "EXIT_USAGE", "EXIT_GRADER"]

EXIT_OK, EXIT_LOST_POINTS, EXIT_USAGE, EXIT_GRADER = 0, 1, 2, 3
FORMATS = ("table", "json", "junit", "gradescope")


class UsageError(Exception):
    pass


def _assignment_of(path: Path) -> str | None:
    for name in (path.stem, path.parent.name):
        if name in registry.ASSIGNMENTS:
            return name
    return None


def find_submissions(paths: list[str]) -> list[tuple[Path, str, str]]:
    """``(notebook, assignment, student)`` for every gradable notebook under ``paths``."""
    found = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"no such file or folder: {raw}")
        notebooks = [path] if path.is_file() else sorted(
            p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        for nb in notebooks:
            assignment = _assignment_of(nb)
            if assignment is None:
                if path.is_file():
                    raise UsageError(f"cannot tell the assignment of {nb}: name it <assignment>.ipynb or put it in "
                                     f"a folder named after the assignment ({', '.join(registry.notebooks())})")
                continue
            parts = nb.resolve().parts
            student = parts[-3] if nb.parent.name == assignment and len(parts) >= 3 else nb.stem
            found.append((nb, assignment, student))
    if not found:
        raise UsageError(f"no notebook of a known assignment under {' '.join(paths)}")
    return found


def grade(paths: list[str], jobs: int = 1, device: str | None = None, timeout: float = 30.0,
          memory: int = 4096, progress: bool = True) -> list:
    """Grade every submission under ``paths``; returns :class:`~autograder.trusted.NotebookResult` s."""
    from .sandbox import Limits
    from .trusted import Grader

    submissions = find_submissions(paths)
    grader = Grader(device, Limits(cell_timeout=timeout, call_timeout=max(1.0, timeout / 3), memory_mb=memory))
    results = [None] * len(submissions)
    show = progress and len(submissions) > 1 and sys.stderr.isatty()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grader.grade_path, nb, a, s): i for i, (nb, a, s) in enumerate(submissions)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            results[futures[future]] = future.result()
            if show:
                bar = "#" * (30 * done // len(submissions))
                print(f"\r[{bar:<30}] {done}/{len(submissions)} submissions", end="", file=sys.stderr, flush=True)
    if show:
        print(file=sys.stderr)
    return results


# ----------------------------------------------------------------------------- output formats
def _first_line(text: str) -> str:
    return next((line for line in text.strip().splitlines() if line.strip()), "")


def as_table(results) -> str:
    lines = []
    for r in results:
        lines.append(f"{r.student or r.path}  {r.assignment}  {r.score}/{r.max_score}")
        if r.error:
            lines.append(f"  ! {r.error}")
        for c in r.cells:
            mark = "\u2714" if c["passed"] else "\u2718"
            lines.append(f"  {mark} {c['grade_id']:<32} {c['score']}/{c['max_score']}  {_first_line(c['message'])[:100]}")
    return "\n".join(lines)


def as_json(results, device: str) -> str:
    from . import __version__, tfops

    return json.dumps({
        "autograder": __version__,
        "tensorflow": tfops.tensorflow().__version__,
        "device": device,
        "submissions": [dict(student=r.student, assignment=r.assignment, path=r.path, score=r.score,
                             max_score=r.max_score, error=r.error, notes=r.notes, cells=r.cells) for r in results],
    }, indent=2)


def as_junit(results) -> str:
    suites = ElementTree.Element("testsuites")
    for r in results:
        cells = r.cells
        suite = ElementTree.SubElement(suites, "testsuite", name=f"{r.student}/{r.assignment}",
                                       tests=str(len(cells)), failures=str(sum(not c["passed"] for c in cells)))
        for c in cells:
            case = ElementTree.SubElement(suite, "testcase", classname=f"{r.assignment}.{r.student}", name=c["grade_id"])
            if c["passed"]:
                ElementTree.SubElement(case, "system-out").text = c["message"]
            else:
                failure = ElementTree.SubElement(case, "failure", message=_first_line(c["message"])[:200])
                failure.text = c["message"]
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


def as_gradescope(results) -> str:
    if len(results) != 1:
        raise UsageError(f"--format gradescope writes one submission's results.json; {len(results)} were found")
    r = results[0]
    tests = [dict(name=c["grade_id"], score=c["score"], max_score=c["max_score"],
                  status="passed" if c["passed"] else "failed", output=c["message"],
                  visibility="after_published" if c["which"] == "hidden" else "visible") for c in r.cells]
    return json.dumps({"score": r.score, "output": r.error or f"{r.assignment}: {r.score}/{r.max_score}",
                       "tests": tests, "visibility": "visible", "stdout_visibility": "hidden"}, indent=2)


# ----------------------------------------------------------------------------- commands
def _cmd_grade(args) -> int:
    from . import tfops

    device = tfops.device(args.device)
    try:
        results = grade(args.paths, args.jobs, args.device, args.timeout, args.memory)
        text = {"table": as_table, "json": lambda r: as_json(r, device), "junit": as_junit,
                "gradescope": as_gradescope}[args.format](results)
    except UsageError as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the grader's own failure: say so, distinct status
        logging.getLogger("autograder").debug("grader failure", exc_info=True)
        print(f"autograder grade: the grader failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_GRADER
    if args.output:
        Path(args.output).write_text(text + "\n")
    else:
        print(text)
    return EXIT_OK if all(r.score == r.max_score and not r.error for r in results) else EXIT_LOST_POINTS


def _cmd_report(args) -> int:
    from . import report

    return report.main(gradebook=args.gradebook, autograded=args.autograded, output=args.output)


def _cmd_list(args) -> int:
    for e in registry.exercises():
        print(f"{e.notebook:<30} {e.name:<22} {e.function}{e.signature}  "
              f"{e.points['visible']}+{e.points['hidden']} points, {len(e.cases('visible'))}+{len(e.cases('hidden'))} cases")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder", description="The pooling course's autograder.")
    p.add_argument("-v", "--verbose", action="count", default=0, help="-v: info, -vv: debug logging")
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade notebooks with trusted verification",
                       description=__doc__.split("``grade``:")[1].split("Exit status")[0],
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="Exit status: 0 full marks everywhere; 1 points lost; 2 bad usage; 3 the grader failed.")
    g.add_argument("paths", nargs="+", metavar="PATH", help="a notebook, an assignment folder or nbgrader's submitted/ tree")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time")
    g.add_argument("--format", choices=FORMATS, default="table", help="output format")
    g.add_argument("--output", help="write the output to this file instead of stdout")
    g.add_argument("--device", choices=("auto", "cpu", "gpu"), default=None, help="where TensorFlow's references run (default: cpu)")
    g.add_argument("--timeout", type=float, default=30.0, help="seconds a notebook cell may run (a call: a third of it)")
    g.add_argument("--memory", type=int, default=4096, help="memory limit of the learner's process, in MB")
    g.set_defaults(run=_cmd_grade)
    r = sub.add_parser("report", help="write the class report (HTML) from nbgrader's gradebook")
    from .report import add_arguments

    add_arguments(r)
    r.set_defaults(run=_cmd_report)
    sub.add_parser("list", help="list the exercises of the registry").set_defaults(run=_cmd_list)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)])
    return args.run(args)
