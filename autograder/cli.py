"""Command line: ``python -m autograder <command>``. Thin subcommands; each hands over to one function.

    python -m autograder grade PATH... [--jobs N] [--format table|json|junit|gradescope]
                                       [--output FILE] [--device auto|cpu|gpu] [--timeout S] [--memory MB]
                                       [--budget S]
                                       [--shard K/N]
    python -m autograder merge SHARD.json... [--format json|table|junit] [--output FILE]
    python -m autograder autograde ASSIGNMENT [--jobs N] [--results RESULTS.json]... [--student ID, --force...]
    python -m autograder report [--assignment A]... [--gradebook DB] [--autograded DIR] [--output HTML]
                                [--language en|zh] [--results RESULTS.json]...
    python -m autograder list
    python -m autograder sample ASSIGNMENT...
    python -m autograder sync-text [--check]
    python -m autograder translate build|status [ASSIGNMENT] [--language zh]
    python -m autograder translate reviewed ASSIGNMENT CELL... [--language zh]
    python -m autograder gradescope ASSIGNMENT [--output FILE]
    python -m autograder demo-cells
    python -m autograder new-notebook NN-name [--module NAME] [--exercise NAME]

``grade``:
 1. finds the notebooks: PATH is a notebook, an assignment folder, or nbgrader's
    ``submitted/<student>/<assignment>/`` tree (any folder is searched for notebooks whose
    assignment it can tell from the notebook's or the folder's name);
 2. grades each with trusted verification (:mod:`autograder.trusted`): the learner's code in a
    separate, limited process, TensorFlow's references computed once for the whole run;
 3. prints a per-exercise table (a progress line for batches) or writes JSON, JUnit XML or
    Gradescope's ``results.json``.

Exit status: 0 every submission has full marks; 1 some submission lost points (or could not be
read, which gives it zero); 2 bad usage (a bad option or setting, no notebook found, an output
folder that does not exist), said in one line before any grading starts; 3 the grader itself
failed (a GPU asked for where there is none; a TensorFlow reference that could not be computed,
whose case is then left out of every learner's grade while the others are graded). A summary line
follows the results. ``--shard K/N``: :func:`autograder.results.shard_members`. The grading
workspace of every command is ``grading/`` or ``$COURSE_WORKSPACE`` (:mod:`autograder.workspace`).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .sandbox.limits import MIN_MEMORY_MB, MIN_TIMEOUT_S, Limits

__all__ = ["main", "parser", "EXIT_OK", "EXIT_LOST_POINTS", "EXIT_USAGE", "EXIT_GRADER"]

EXIT_OK, EXIT_LOST_POINTS, EXIT_USAGE, EXIT_GRADER = 0, 1, 2, 3
_DEFAULTS = Limits()


def _fail(command: str, text: str, status: int) -> int:
    print(f"autograder {command}: {text}", file=sys.stderr)
    return status


# The instructor's commands need modules a learner's copy of the autograder leaves out (tools/make_dist.py).
class _InstructorOnly(Exception):
    """An instructor's command run from a learner's copy of the autograder."""


def _instructor_module(name: str):
    """The instructor's module ``name``; :class:`_InstructorOnly` where this copy has none."""
    import importlib

    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.{name}":
            raise _InstructorOnly(name) from None
        raise


# ----------------------------------------------------------------------------- option types
def _at_least(kind, low, what):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number; received {text!r}") from None
        if not value >= low:
            raise argparse.ArgumentTypeError(f"{what} must be at least {low:g}; received {text!r}")
        return value

    return parse


# ----------------------------------------------------------------------------- commands
def _grade(args) -> int:
    from . import formats, tfops
    from .batch import UsageError, grade, shardable
    from .secret import ENV as SECRET_ENV
    from .secret import ensure as grading_secret
    from .secret import find as find_secret

    if args.output and not Path(args.output).parent.is_dir():
        return _fail("grade", f"--output: the folder {Path(args.output).parent} does not exist", EXIT_USAGE)
    try:
        device = tfops.device(args.device)  # before any work: a bad setting fails in one line
    except ValueError as exc:
        return _fail("grade", f"{exc}", EXIT_USAGE)
    except tfops.DeviceError as exc:
        return _fail("grade", f"the grader cannot run: {exc}", EXIT_GRADER)
    limits = Limits.from_cell_timeout(args.timeout, args.memory, args.budget)
    from .results import header, learners, parse_shard, shard_paths
    from .secret import fingerprint

    try:
        shard = parse_shard(args.shard) if args.shard else None
    except ValueError as exc:
        return _fail("grade", str(exc), EXIT_USAGE)
    try:
        # a learner's copy never makes a grading secret: without one, hidden checks grade practice cases
        from .trusted import instructors_copy

        secret, note = grading_secret() if instructors_copy() else (find_secret(), None)
    except OSError as exc:
        return _fail("grade", f"no grading secret and none could be made ({exc}): set {SECRET_ENV}", EXIT_GRADER)
    if note:
        print(f"autograder grade: {note}", file=sys.stderr)
    if secret is None:
        print("autograder grade: no grading secret here: hidden checks grade practice cases, not the instructor's",
              file=sys.stderr)
    try:
        from .scoring import from_course

        paths, class_list = shard_paths(shardable(args.paths), shard) if shard else (args.paths, None)
        results = grade(paths, args.jobs, args.device, limits, secret=secret) if paths else []
        if class_list is None:
            class_list = learners(r.student for r in results)
        text = formats.render(results, args.format, header(device, fingerprint(secret), args.shard, class_list,
                                                           from_course().key()))
    except (UsageError, ValueError) as exc:
        return _fail("grade", str(exc), EXIT_USAGE)
    except Exception as exc:  # noqa: BLE001 - the grader's own failure: say so, distinct status
        logging.getLogger("autograder").debug("grader failure", exc_info=True)
        return _fail("grade", f"the grader failed: {type(exc).__name__}: {exc}", EXIT_GRADER)
    if shard:  # shards differ by at most one learner
        print(f"autograder grade: shard {args.shard}: {len({r.student for r in results})} of {class_list['count']} "
              "learners", file=sys.stderr)
    return _emit(text, results, args.output, args.format)


def _emit(text: str, results, output: str | None, fmt: str = "table") -> int:
    """Write the rendered results to ``output`` (or print them), then the summary line (on stderr when
    JSON or XML went to stdout); the exit status of a grading run. The grader's own problems (a
    case left out of every learner's grade) are said once, on stderr, and make the status 3."""
    from .formats import summary

    if output:
        Path(output).write_text(text + "\n")
    else:
        print(text)
    print(summary(results) + (f" Written to {output}." if output else ""),
          file=sys.stdout if output or fmt == "table" else sys.stderr)
    problems = sorted({note for r in results for note in getattr(r, "grader_notes", ())})
    for note in problems:
        print(f"autograder: grader problem: {note}", file=sys.stderr)
    if problems:
        return EXIT_GRADER
    return EXIT_OK if all(r.score == r.max_score and not r.error for r in results) else EXIT_LOST_POINTS


def _merge(args) -> int:
    from . import formats
    from .results import MergeError, Merged, merge

    joined = Merged([], [])
    try:
        head, results = merge(args.files, joined)
        text = formats.render(results, args.format, head)
    except (MergeError, ValueError) as exc:
        return _fail("merge", f"nothing was merged: {exc}", EXIT_USAGE)
    print(f"autograder merge: merged {joined.describe()}: {len(results)} submissions of "
          f"{len({r.student for r in results})} learners" + (f" into {args.output}" if args.output else ""),
          file=sys.stdout if args.output else sys.stderr)
    return _emit(text, results, args.output, args.format)


def _autograde(args) -> int:
    autograde = _instructor_module("gradebook").autograde
    from .results import MergeError

    # --jobs and --results are taken wherever they stand, before or after the assignment (as the docs
    # write `autograde A --results FILE`); everything else is nbgrader's, in its order
    own = argparse.ArgumentParser(prog="python -m autograder autograde", add_help=False, allow_abbrev=False)
    own.add_argument("--jobs", type=_at_least(int, 1, "--jobs"), default=args.jobs)
    own.add_argument("--results", action="append", default=list(args.results or []))
    mine, nbgrader_args = own.parse_known_args(args.nbgrader_args)
    if [r for r in mine.results if not Path(r).is_file()]:
        return _fail("autograde", f"--results: no such file: {', '.join(mine.results)}", EXIT_USAGE)
    if not [a for a in nbgrader_args if not a.startswith("-")]:
        return _fail("autograde", "name the assignment, e.g. `python -m autograder autograde 02-pooling-math`",
                     EXIT_USAGE)
    try:
        return autograde(nbgrader_args, jobs=mine.jobs, results=mine.results or None)
    except MergeError as exc:
        return _fail("autograde", f"--results: {exc}; nothing was written to the gradebook", EXIT_USAGE)


def _report(args) -> int:
    report = _instructor_module("report")

    return report.main(gradebook=args.gradebook, autograded=args.autograded, output=args.output,
                       results=args.results, language=args.language, assignments=args.assignment)


def _list(args) -> int:
    from . import registry

    for e in registry.exercises():
        print(f"{e.notebook:<30} {e.name:<22} {e.function}{e.signature}  "
              f"{e.points['visible']}+{e.points['hidden']} points, {len(e.cases('visible'))}+{len(e.cases('hidden'))} cases")
    return EXIT_OK


def _sample(args) -> int:
    sample = _instructor_module("sample")

    return sample.main(args.assignments, workspace=args.workspace)


def _sync_text(args) -> int:
    sync = _instructor_module("exercise_text").sync

    changed = sync(Path("."), check_only=args.check)
    for assignment, cells in changed.items():
        print(f"{assignment}: {'out of date' if args.check else 'rewrote'} {', '.join(cells)}")
    if args.check:
        return EXIT_LOST_POINTS if changed else EXIT_OK
    if changed:
        print("Now run `make course` so that course/ follows.")
    return EXIT_OK


def _translate(args) -> int:
    translations = _instructor_module("translations")
    try:
        return translations.command(args.action, args.assignment, args.cells, args.language)
    except ValueError as exc:
        return _fail("translate", str(exc), EXIT_USAGE)


def _demo_cells(args) -> int:
    from . import watch

    path = watch.write_demo_sources(Path("."))
    print(f"wrote {path}: the released demonstration cells, which grading does not run")
    return EXIT_OK


def _gradescope(args) -> int:
    build = _instructor_module("gradescope").build

    try:
        path, note = build(args.assignment, args.output)
    except (ValueError, FileNotFoundError) as exc:
        return _fail("gradescope", str(exc), EXIT_USAGE)
    except (OSError, RuntimeError) as exc:
        return _fail("gradescope", f"the zip could not be built: {exc}", EXIT_GRADER)
    if note:
        print(f"autograder gradescope: {note}", file=sys.stderr)
    from .secret import location

    print(f"Wrote {path}: upload it on Gradescope's Configure Autograder page. It holds the class's grading "
          f"secret: keep it as private as {location()}.")
    return EXIT_OK


def _new_notebook(args) -> int:
    scaffold = _instructor_module("scaffold")

    try:
        paths = scaffold.create(Path("."), args.assignment, args.module, args.exercise)
    except (ValueError, FileExistsError) as exc:
        return _fail("new-notebook", str(exc), EXIT_USAGE)
    for path in paths:
        print(f"wrote {path}")
    print(scaffold.next_steps(args.assignment, paths))
    return EXIT_OK


# ----------------------------------------------------------------------------- the parser
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder", description="The pooling course's autograder.")
    p.add_argument("-v", "--verbose", action="count", default=0, help="-v: info, -vv: debug logging")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="grade notebooks with trusted verification",
                       description=__doc__.split("``grade``:")[1].split("Exit status")[0],
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="Exit status: 0 full marks everywhere; 1 points lost; 2 bad usage; 3 the grader failed.")
    g.add_argument("paths", nargs="+", metavar="PATH", help="a notebook, an assignment folder or nbgrader's submitted/ tree")
    g.add_argument("--jobs", type=_at_least(int, 1, "--jobs"), default=1, help="submissions graded at the same time")
    g.add_argument("--format", choices=("table", "json", "junit", "gradescope"), default="table", help="output format")
    g.add_argument("--output", help="write the output to this file instead of stdout")
    g.add_argument("--device", choices=("auto", "cpu", "gpu"), default=None,
                   help="where TensorFlow's references run (default: AUTOGRADER_DEVICE, else cpu)")
    g.add_argument("--timeout", type=_at_least(float, MIN_TIMEOUT_S, "--timeout"), default=_DEFAULTS.cell_timeout,
                   help=f"seconds a notebook cell may run (a call: a third of it); default {_DEFAULTS.cell_timeout:g}")
    g.add_argument("--memory", type=_at_least(int, MIN_MEMORY_MB, "--memory"), default=_DEFAULTS.memory_mb,
                   help=f"memory of the learner's processes together, in MB; default {_DEFAULTS.memory_mb}")
    g.add_argument("--budget", type=_at_least(float, MIN_TIMEOUT_S, "--budget"), default=_DEFAULTS.total_timeout,
                   help=f"seconds a whole notebook may take, cells and calls together; default "
                        f"{_DEFAULTS.total_timeout:g}")
    g.add_argument("--shard", metavar="K/N", help="grade only the learners of shard K of N (the sorted learner ids "
                                                 "dealt round-robin: sizes differ by at most one; the split depends "
                                                 "on every learner found, so grade all shards from the same "
                                                 "submissions); merge the shards with `merge`")
    g.set_defaults(run=_grade)
    m = sub.add_parser("merge", help="join the JSON results of the shards of `grade --shard K/N` into one")
    m.add_argument("files", nargs="+", metavar="SHARD.json", help="the shards' `--format json` results")
    m.add_argument("--format", choices=("json", "table", "junit"), default="json", help="output format")
    m.add_argument("--output", help="write the output to this file instead of stdout")
    m.set_defaults(run=_merge)

    a = sub.add_parser("autograde", help="nbgrader autograde into the gradebook, every submission graded in "
                                         "parallel in the sandbox first (run from the course root)",
                       description="The same gradebook as `nbgrader autograde ASSIGNMENT`, faster: every submission "
                                   "is graded first, --jobs at a time, in the sandbox; then nbgrader's own converter "
                                   "writes the gradebook and the autograded notebooks (see autograder/gradebook.py).")
    a.add_argument("--jobs", type=_at_least(int, 1, "--jobs"), default=2, help="submissions graded at the same time")
    a.add_argument("--results", action="append", metavar="RESULTS.json",
                   help="write these results (`grade --format json`, or shards) instead of grading (repeatable)")
    a.add_argument("nbgrader_args", nargs=argparse.REMAINDER, metavar="ASSIGNMENT [OPTIONS]",
                   help="the assignment and nbgrader autograde's own options (--student ID, --force ...); "
                        "--jobs and --results may follow the assignment too")
    a.set_defaults(run=_autograde)

    r = sub.add_parser("report", help="write the class report (HTML) from the grading workspace's gradebook "
                                      "(WORKSPACE: grading/, or COURSE_WORKSPACE)")
    r.add_argument("--gradebook", default=None, help="nbgrader's gradebook, read only (default: WORKSPACE/gradebook.db)")
    r.add_argument("--autograded", default=None,
                   help="the autograded notebooks' folder (default: WORKSPACE/autograded)")
    r.add_argument("--output", default=None, help="the HTML file to write (default: WORKSPACE/report.html)")
    r.add_argument("--assignment", action="append", metavar="ASSIGNMENT",
                   help="report on this assignment only (repeatable; default: every assignment with a submission)")
    r.add_argument("--results", action="append", metavar="RESULTS.json",
                   help="report on these JSON results (grade --format json, or its shards) instead of the gradebook")
    r.add_argument("--language", choices=("en", "zh"), default=None,
                   help="the language of the report's labels (default: COURSE_LANGUAGE, else en)")
    r.set_defaults(run=_report)
    sub.add_parser("list", help="list the exercises of the registry").set_defaults(run=_list)
    s = sub.add_parser("sample", help="submit the solution and the stub of assignments as sample students")
    s.add_argument("assignments", nargs="+", metavar="ASSIGNMENT", help="assignment names, e.g. 02-pooling-math")
    s.add_argument("--workspace", default="grading-samples", help="the samples' own grading workspace")
    s.set_defaults(run=_sample)
    t = sub.add_parser("sync-text", help="write each exercise's hints and check headings from the registry into "
                                         "solutions/ (run from the course root)")
    t.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date")
    t.set_defaults(run=_sync_text)
    tl = sub.add_parser("translate", help="the course in another language: build the translated notebooks, list "
                                          "what is out of date, record a reviewed translation (from the course root)")
    actions = tl.add_subparsers(dest="action", required=True, metavar="{build,status,reviewed}")
    for action, text in (("build", "write solutions-LANGUAGE/ from the English and the translations"),
                         ("status", "list what is missing or out of date (exit 1 if anything is)"),
                         ("reviewed", "record that these cells' translations match today's English")):
        a = actions.add_parser(action, help=text)
        if action == "reviewed":
            a.add_argument("assignment", metavar="ASSIGNMENT")
            a.add_argument("cells", nargs="+", metavar="CELL", help="the cell ids whose translation you checked")
        else:
            a.add_argument("assignment", nargs="?", metavar="ASSIGNMENT", help="one assignment (default: all)")
            a.set_defaults(cells=[])
        a.add_argument("--language", default="zh", choices=("zh",), help="the language (default zh)")
    tl.set_defaults(run=_translate)
    sub.add_parser("demo-cells", help="record the released notebooks' demonstration cells in the package (so that "
                                      "the learner's check knows which names grading will not provide; "
                                      "`make course` runs it)").set_defaults(run=_demo_cells)
    gs = sub.add_parser("gradescope", help="build Gradescope's autograder zip of one assignment "
                                           "(setup.sh, run_autograder, the pins, the package, the secret)")
    gs.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment, e.g. 02-pooling-math")
    gs.add_argument("--output", default=None,
                    help="the zip to write (default: WORKSPACE/gradescope-ASSIGNMENT.zip in the git-ignored grading "
                         "workspace, grading/ or COURSE_WORKSPACE)")
    gs.set_defaults(run=_gradescope)
    nn = sub.add_parser("new-notebook", help="start a new notebook from the templates in docs/template/: its source "
                                             "notebook, exercise module and catalogue (run from the course root)")
    nn.add_argument("assignment", metavar="NN-name", help="the new assignment, e.g. 07-pool-sum")
    nn.add_argument("--module", help="its exercise module and catalogue's name (default: the words, e.g. pool_sum)")
    nn.add_argument("--exercise", help="its first exercise's id and function name (default: the module's name)")
    nn.set_defaults(run=_new_notebook)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)])
    try:
        return args.run(args)
    except _InstructorOnly:
        return _fail(args.command, "this command is for instructors; this copy of the autograder (a learner's) "
                                   "does not have it", EXIT_USAGE)
