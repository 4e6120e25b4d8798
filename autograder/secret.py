"""The grading secret: where the hidden cases' random part comes from.

Visible cases are fixed and public. Hidden cases are an exercise's named edge cases (public: they
are part of the task) plus random cases drawn from a generator seeded by the grading secret, which
only the instructor has. Every learner of one class meets the same hidden cases; without the
secret nobody can list them or hard-code their answers.

Where the secret comes from, first found wins:

1. the environment variable ``AUTOGRADER_SECRET`` (CI: a repository secret);
2. the file named by ``AUTOGRADER_SECRET_FILE``;
3. ``secret`` in the grading workspace under the current folder (the course root, where nbgrader
   runs): ``grading/secret``, or ``$COURSE_WORKSPACE/secret``. The grading commands make it on
   first use (:func:`ensure`), git ignores it, and the learners' distribution never contains it.

Without a secret (a learner's own machine), hidden checks run *practice* cases instead: built the
same way from a public seed, never the graded ones. The sandboxed learner process never sees the
secret: its environment drops every ``AUTOGRADER_`` variable, and its file-system confinement
does not let it read ``grading/``.
"""
from __future__ import annotations

import hashlib
import os
import secrets as _random
from pathlib import Path

import numpy as np

__all__ = ["ENV", "FILE_ENV", "DEFAULT_FILE", "find", "ensure", "location", "hidden_rng", "fingerprint"]

ENV, FILE_ENV = "AUTOGRADER_SECRET", "AUTOGRADER_SECRET_FILE"
DEFAULT_FILE = Path("grading") / "secret"


def location() -> Path:
    """Where the secret file is (or would be made): ``AUTOGRADER_SECRET_FILE``, else the workspace's ``secret``."""
    from .workspace import workspace

    if os.environ.get(FILE_ENV):
        return Path(os.environ[FILE_ENV])
    return workspace() / "secret"


def find() -> str | None:
    """The grading secret, or ``None`` where there is none (a learner's machine)."""
    if os.environ.get(ENV):
        return os.environ[ENV].strip()
    path = location()
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return text or None


def ensure() -> tuple[str, str | None]:
    """The grading secret, made (and saved to ``grading/secret``) when there is none yet.

    Returns ``(secret, note)``: ``note`` says where a new secret was written, else ``None``.
    """
    found = find()
    if found:
        return found, None
    path = location()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = _random.token_hex(16)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value, (f"made a new grading secret in {path}: the hidden cases are drawn from it. Keep it for this "
                   f"class (regrading with another secret grades other cases); never give it to learners.")


def hidden_rng(exercise: str, secret: str | None) -> np.random.Generator:
    """The generator an exercise's hidden cases are drawn from: the secret's, or the practice one."""
    material = f"graded:{secret}:{exercise}" if secret else f"practice:{exercise}"
    return np.random.default_rng(int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big"))


def fingerprint(secret: str | None) -> str:
    """A short public name of the case set a secret gives (never the secret itself)."""
    if not secret:
        return "practice"
    return hashlib.sha256(f"fingerprint:{secret}".encode()).hexdigest()[:8]
