"""Put sample submissions into nbgrader's submitted folder, for trying the grading workflow.

    python -m autograder sample ASSIGNMENT...

For each assignment, student ``sample_solution`` submits the instructor's solution notebook
(expected: full marks) and student ``sample_stub`` submits the untouched learner notebook
(expected: zero). Existing submissions of these two students are replaced; nobody else's are
touched. Run from the course root (where nbgrader_config.py is).
"""
from __future__ import annotations

import shutil
from pathlib import Path

SAMPLES = {"sample_solution": "solutions", "sample_stub": "course"}


def main(assignments: list[str], root: Path = Path(".")) -> int:
    for assignment in assignments:
        for student, folder in SAMPLES.items():
            source = root / folder / assignment
            if not source.is_dir():
                print(f"no folder {source}: run `make course` first")
                return 2
            target = root / "grading" / "submitted" / student / assignment
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            print(f"{student}: submitted {assignment} from {folder}/")
    return 0
