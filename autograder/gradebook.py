"""``python -m autograder autograde ASSIGNMENT``: nbgrader's gradebook, written fast.

The same result as ``nbgrader autograde ASSIGNMENT`` (same scores per grade cell, autograded
notebooks with the learners' outputs and the trusted verdicts in place, late penalties, restored
deleted cells, grader's notes), so that the formgrader, ``generate_feedback``, ``release_feedback``
and ``export`` work on it exactly as after nbgrader's own command, but faster:

1. nbgrader's ``AutogradeApp`` is set up in this process from the course's ``nbgrader_config.py``
   (the same folders, gradebook, late-penalty plugin, options as the command line's);
2. every submission nbgrader is about to grade is graded first, ``--jobs`` at a time, by the
   trusted grader (:class:`autograder.trusted.Grader`: the learner's code in the confined sandbox,
   TensorFlow's answers computed once);
3. nbgrader's own ``Autograde`` converter then runs as usual; its :class:`TrustedExecute` step
   takes each submission's result from step 2 instead of grading it again.

Every learner's code runs in the sandbox, once; nothing of a learner's runs in this process.
"""
from __future__ import annotations

import concurrent.futures
import glob
import os
import sys

__all__ = ["autograde"]


def _submissions(app, assignment: str) -> list[tuple[str, str]]:
    """``(student, notebook path)`` of every submission nbgrader's converter will grade."""
    from .sandbox.files import is_regular

    coursedir = app.coursedir
    pattern = coursedir.format_path(coursedir.submitted_directory, coursedir.student_id or "*", assignment)
    excluded = set(filter(None, (coursedir.student_id_exclude or "").split(",")))
    found = []
    for folder in sorted(glob.glob(pattern)):
        student = os.path.basename(os.path.dirname(os.path.normpath(folder)))
        path = os.path.join(folder, f"{assignment}.ipynb")
        if student in excluded or not is_regular(path):
            continue  # a link or a special file: nbgrader's run refuses it (AlignCells), with why
        dest = coursedir.format_path(coursedir.autograded_directory, student, assignment)
        force = app.config.get("BaseConverter", {}).get("force", False) or app.config.get("Autograde", {}).get("force", False)
        if os.path.exists(os.path.join(dest, f"{assignment}.ipynb")) and not force:
            new, old = coursedir.get_existing_timestamp(folder), coursedir.get_existing_timestamp(dest)
            if new is None or old is None or new <= old:
                continue  # nbgrader will skip it too
        found.append((student, path))
    return found


def autograde(argv: list[str], jobs: int = 2, results: list | None = None) -> int:
    """Run ``nbgrader autograde <argv>`` with every submission pre-graded, ``jobs`` at a time.

    ``argv`` are nbgrader's own arguments (the assignment, ``--student``, ``--force``...).
    ``results``: JSON results files (``grade --format json``, or ``merge`` of shards graded
    elsewhere) to write instead of grading here; a submission they lack is graded here. Returns
    nbgrader's exit status.
    """
    from nbgrader.apps.autogradeapp import AutogradeApp

    from . import registry
    from .nbgrader_plugin import TrustedExecute, precompute

    app = AutogradeApp()
    app.initialize(list(argv))
    assignment = app.coursedir.assignment_id or (app.extra_args[0] if app.extra_args else "")
    if assignment in registry.assignments():
        submissions = _submissions(app, assignment)
        taken = ""
        if results:
            from .results import MergeError, merge

            head, graded = merge(results)
            wanted = list(TrustedExecute(parent=app)._scoring())
            if list(head.get("scoring") or [False, 1]) != wanted:
                raise MergeError(f"the results were scored {head.get('scoring')} (partial credit, decimals) and this "
                                 f"course scores {wanted} (nbgrader_config.py's Scoring): grade them again")
            known = {r.student: r for r in graded if r.assignment == assignment}
            for student, _path in submissions:
                if student in known:
                    precompute(student, assignment, known[student])
            imported = sum(s in known for s, _ in submissions)
            submissions = [(s, p) for s, p in submissions if s not in known]
            taken = f" ({imported} more taken from {', '.join(map(str, results))})"
        grader = TrustedExecute(parent=app)._grader()
        print(f"autograder autograde: grading {len(submissions)} submissions of {assignment}, {jobs} at a time, "
              f"in the sandbox{taken}", file=sys.stderr, flush=True)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(grader.grade_path, path, assignment, student): student
                       for student, path in submissions}
            for future in concurrent.futures.as_completed(futures):
                precompute(futures[future], assignment, future.result())
    from .nbgrader_plugin.execute import grader_problems

    try:
        app.start()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 3 if grader_problems() else 0  # a case left out of every grade: the instructor must know
