"""Sample submissions, for trying the grading workflow, in a workspace of their own.

    python -m autograder sample ASSIGNMENT... [--workspace grading-samples]

For each assignment, student ``sample_solution`` submits the instructor's solution notebook
(expected: full marks) and student ``sample_stub`` submits the untouched learner notebook
(expected: zero), with a submission timestamp as nbgrader's exchange writes it. They go into
their own grading workspace (``grading-samples/`` by default), never into the class's
``grading/``: run nbgrader on them with ``COURSE_WORKSPACE=grading-samples`` (``make grade-sample``
does), and the class's gradebook, ``grades.csv``, report and ``release_feedback`` never see them.
``make clean`` removes the sample workspace. Run from the course root.
"""
from __future__ import annotations

import datetime
import shutil
from pathlib import Path

SAMPLES = {"sample_solution": "solutions", "sample_stub": "course"}
WORKSPACE = "grading-samples"


def main(assignments: list[str], root: Path = Path("."), workspace: str = WORKSPACE) -> int:
    if Path(workspace).resolve() == (Path(root) / "grading").resolve():
        print("autograder sample: the samples never go into the class's grading/ workspace; choose another")
        return 2
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    for assignment in assignments:
        for student, folder in SAMPLES.items():
            source = root / folder / assignment
            if not source.is_dir():
                print(f"no folder {source}: run `make course` first")
                return 2
            target = root / workspace / "submitted" / student / assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            (target / "timestamp.txt").write_text(stamp)
            print(f"{student}: submitted {assignment} from {folder}/ into {workspace}/")
    return 0
