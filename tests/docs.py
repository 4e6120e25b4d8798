"""The commands of docs/, as the tests run them: each test takes a command line from the page that
shows it (:func:`documented`), so the tests run what the docs say, in the docs' argument order,
and a page that changes a command breaks the test that runs it.

:func:`commands` reads every command line of a page's ```bash blocks (continuation lines joined,
comments dropped). ``tests/test_docs.py`` checks that every such line of docs/ is run by a test
through :func:`documented`, or is one that cannot run on one machine (a cluster, a container
daemon, root, the network), with the reason.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def commands(page: str) -> list[str]:
    """The command lines of ``docs/<page>``'s bash blocks, in order (a repeated line once)."""
    found: list[str] = []
    for block in re.findall(r"```(?:bash|sh|shell)\n(.*?)```", (DOCS / page).read_text(), re.S):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#") and line not in found:
                found.append(line)
    return found


def documented(page: str, line: str, replace: dict | None = None, **words: str) -> list[list[str]]:
    """The argv of each command of ``line`` (``a && b``: two), which ``docs/<page>`` must show as it is.

    ``words`` replace placeholder arguments (``A="02-pooling-math", ID="alice"``: an argument that
    is exactly ``A``); ``replace`` replaces text within arguments (a date, a folder)."""
    assert line in commands(page), f"docs/{page} no longer shows `{line}`: the test runs what the page says"
    runs = []
    for part in line.split(" && "):
        argv = [words.get(arg, arg) for arg in shlex.split(part)]
        for old, new in (replace or {}).items():
            argv = [arg.replace(old, new) for arg in argv]
        runs.append(argv)
    return runs
