"""Check your notebooks headlessly and say which checks pass: ``make check`` runs this.

    python check.py [NOTEBOOK_OR_FOLDER ...] [--timeout S]      (default: work/)

Each notebook runs top to bottom in a fresh kernel of the Python running this script (the
course's ``.venv``), in the notebook's own folder, as JupyterLab runs it; nothing is saved, your
notebooks are never changed. Then, in the same kernel, each exercise's hidden check runs on
practice cases: your instructor grades other hidden cases, drawn from a grading secret you do not
have, so passing these is a good sign, not a guarantee. Written answers are graded by hand and are
not checked here.

For each exercise it prints whether the visible check passed (or failed, with the first line of
its message, or is not done yet) and whether the practice hidden cases passed. The full message
of a failing check is in the notebook: run its check cell in JupyterLab.

It speaks the notebooks' language (Chinese for the Chinese course's notebooks, whose metadata say
so), else ``COURSE_LANGUAGE``, else English.

Exit status: 0 every check passed; 1 some check failed or is not done yet; 2 no notebook found.
"""
from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

# What this script says, in the notebooks' language (the checks' own messages come from autograder).
WORDS = {
    "en": {"passed": "passed", "failed": "failed", "not done": "not done", "did not run": "did not run",
           "visible": "visible check", "practice": "practice hidden cases", "secret": "hidden cases (a grading secret's)",
           "unwritten": "your function still raises NotImplementedError()",
           "name": "{error}: {first} (did its cell run without an error?)",
           "no output": "no output (the kernel stopped before this cell?)",
           "died": "the kernel died ({exc}): the checks after that did not run",
           "kernel": "kernel {python}, autograder from {package}",
           "no kernel": "kernel: unknown (the probe cell did not run: is autograder installed? run `make setup`)",
           "none": "check.py: no notebook in {paths} (run `make lab` or `make check` first: they copy the notebooks into work/)",
           "total": "Visible checks passed: {visible} of {n}. Hidden checks passed: {hidden} of {n}{practice}. "
                    "Written answers are graded by hand.",
           "practice note": " (practice cases: your instructor's are others)"},
    "zh": {"passed": "通过", "failed": "未通过", "not done": "尚未实现", "did not run": "没有运行",
           "visible": "可见检查", "practice": "本地自测的隐藏用例", "secret": "隐藏用例（来自评分密钥）",
           "unwritten": "你的函数仍然引发 NotImplementedError()",
           "name": "{error}：{first}（它所在的单元格运行时没有出错吗？）",
           "no output": "没有输出（内核在这个单元格之前停止了？）",
           "died": "内核意外退出（{exc}）：之后的检查没有运行",
           "kernel": "内核 {python}，autograder 来自 {package}",
           "no kernel": "内核：未知（探测单元格没有运行：autograder 安装了吗？请运行 `make setup`）",
           "none": "check.py：{paths} 中没有笔记本（请先运行 `make lab` 或 `make check`：它们会把笔记本复制到 work/）",
           "total": "可见检查通过 {visible}/{n}。隐藏检查通过 {hidden}/{n}{practice}。书面回答由老师人工评分。",
           "practice note": "（本地自测用例：老师评分时用的是另一些用例）"},
}
PRACTICE = ("Practice:", "本地自测：")  # how the checks' practice note starts, in each language
PROBE = "import json as _j, sys as _s, autograder as _a\nprint(_j.dumps([_s.executable, _a.__file__]))"


class ThisPython(AsyncKernelManager):
    """A kernel of this interpreter, whatever other kernels are installed on the machine."""

    @property
    def kernel_spec(self):
        return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                          display_name="Python 3", language="python")


def notebooks(paths: list[str]) -> list[Path]:
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        elif p.suffix == ".ipynb" and p.is_file():
            found.append(p)
    return found


def visible_checks(nb) -> list[tuple[str, str, str]]:
    """``(exercise, function, cell id)`` of each check cell: a graded cell calling ``check("name", function)``."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check" and len(node.args) >= 2
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[1], ast.Name)):
                found.append((node.args[0].value, node.args[1].id, cell.id))
    return found


def notebook_language(paths: list[Path]) -> str:
    """The notebooks' language (their metadata), else COURSE_LANGUAGE, else English."""
    import os

    for path in paths:
        try:
            lang = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get("autograder", {}).get("language")
        except (OSError, ValueError):
            continue
        if lang in WORDS:
            return lang
    lang = (os.environ.get("COURSE_LANGUAGE") or "en").lower()
    return lang if lang in WORDS else "en"


def _outcome(cell, words: dict = WORDS["en"]) -> tuple[str, str, str]:
    """``(status, first line, all text)`` of an executed check cell; status: "passed", "failed",
    "not done" or "did not run"."""
    outputs = cell.get("outputs", [])
    text = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    for out in outputs:
        if out.output_type == "error":
            text += "\n".join([out.evalue] + out.get("traceback", [])[-1:])
            first = next((l.strip() for l in out.evalue.splitlines() if l.strip() and not l.startswith(PRACTICE)),
                         out.ename)
            if "NotImplementedError" in text or out.ename == "NotImplementedError":
                return "not done", words["unwritten"], text
            if out.ename == "NameError":
                return "failed", words["name"].format(error=out.ename, first=first), text
            return "failed", first if out.ename == "ExerciseFailed" else f"{out.ename}: {first}", text
    if "\u2714" in text:
        return "passed", next((l for l in text.splitlines() if "\u2714" in l), ""), text
    return "did not run", words["no output"], text


def run(path: Path, timeout: float, words: dict = WORDS["en"]) -> tuple[list[dict], str]:
    """Run one notebook with its practice hidden checks; one record per exercise, and the kernel's line."""
    nb = nbformat.read(path, as_version=4)
    exercises = visible_checks(nb)
    extra = [nbformat.v4.new_code_cell(f"check({name!r}, {function}, hidden=True)", id=f"practice-{i}")
             for i, (name, function, _) in enumerate(exercises)]
    probe = nbformat.v4.new_code_cell(PROBE, id="practice-probe")
    nb.cells += [probe, *extra]
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
                            kernel_manager_class=ThisPython, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    note = ""
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines (TensorFlow's): not the cells'
    except DeadKernelError as exc:
        note = words["died"].format(exc=exc)
    by_id = {c.id: c for c in nb.cells}
    records = []
    for (name, function, cell_id), practice in zip(exercises, extra):
        visible, visible_line, _ = _outcome(by_id[cell_id], words)
        hidden, hidden_line, text = _outcome(practice, words)
        # check() says "Practice: ..." when there is no grading secret (always, on a learner's machine)
        practised = any(p in text for p in PRACTICE) or hidden == "not done"
        kind = words["practice"] if practised else words["secret"]
        records.append(dict(exercise=name, function=function, visible=visible, visible_line=visible_line,
                            hidden=hidden, hidden_line=hidden_line, hidden_kind=kind, practice=practised))
    kernel = next((o.text.strip() for o in probe.get("outputs", []) if o.output_type == "stream"), "")
    try:
        python, package = json.loads(kernel)
        kernel = words["kernel"].format(python=python, package=Path(package).parent)
    except (ValueError, TypeError):
        kernel = words["no kernel"]
    return records, (note + "; " if note else "") + kernel


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python check.py", description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="*", default=["work"], metavar="NOTEBOOK_OR_FOLDER")
    p.add_argument("--timeout", type=float, default=300, help="seconds a cell may run (default 300)")
    args = p.parse_args(argv)
    found = notebooks(args.paths)
    words = WORDS[notebook_language(found)]
    if not found:
        print(words["none"].format(paths=" ".join(args.paths)), file=sys.stderr)
        return 2
    marks = {"passed": "\u2714", "failed": "\u2718", "not done": "\u2026", "did not run": "?"}
    every = []
    for path in found:
        start = time.monotonic()
        records, kernel = run(path, args.timeout, words)
        every += records
        print(f"{path.stem}  ({path}, {time.monotonic() - start:.0f} s; {kernel})")
        sep = "：" if words is WORDS["zh"] else ": "
        for r in records:
            print(f"  {marks[r['visible']]} {r['function']:<22} {words['visible']}{sep}{words[r['visible']]}"
                  + (sep + r["visible_line"] if r["visible"] != "passed" else ""))
            print(f"  {marks[r['hidden']]} {'':<22} {r['hidden_kind']}{sep}{words[r['hidden']]}"
                  + (sep + r["hidden_line"] if r["hidden"] != "passed" else ""))
    visible, hidden = (sum(r[which] == "passed" for r in every) for which in ("visible", "hidden"))
    practice = all(r["practice"] for r in every)
    print(words["total"].format(visible=visible, hidden=hidden, n=len(every),
                                practice=words["practice note"] if practice else ""))
    return 0 if visible == hidden == len(every) else 1


if __name__ == "__main__":
    sys.exit(main())
