"""JupyterLab in a real browser: a learner solves ``pool2d``; nbgrader's extensions are there.

Starts ``jupyter lab`` from this environment on a temporary course root (copies of
``nbgrader_config.py``, ``solutions/`` and ``course/``; its own config, runtime and settings
folders, a random token, a free port on 127.0.0.1) and drives Debian's headless Chromium with
Playwright. Playwright is given ``executable_path``: it never downloads a browser of its own.

1. The server side: JupyterLab's page lists the ``@jupyter/nbgrader`` extension as enabled, the
   nbgrader server extensions answer, and the formgrader lists the course's assignment.
2. The learner: opens ``course/02-pooling-math/02-pooling-math.ipynb``, finds the Nbgrader menu
   and the Validate button, types a correct ``pool2d`` into its exercise cell, runs the notebook
   from the Run menu and reads the visible check's ``✔ pool2d: all N visible cases passed``.
3. The instructor: Nbgrader > Formgrader opens the formgrader, which lists ``02-pooling-math``;
   after ``nbgrader autograde`` of one submission, the formgrader's manual grading page shows the
   grader's note (model answer and rubric) under the written answer.
4. A Chinese learner, the Chinese report and feedback: tests/test_browser_zh.py (with this
   module's JupyterLab fixtures).

The browser tests skip with a reason where Playwright or Chromium is missing (``.ci/run``
installs Debian's ``chromium``; ``COURSE_CHROMIUM`` names another binary); the server checks of
step 1 still run. The jupyter server, its kernels and the browser are always stopped.
Screenshots of the solved exercise, the formgrader and the rubric are kept in ``artifacts/``
(git-ignored), with the server's log.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

from tests.helpers import BIN, COURSE, ROOT, SOLUTIONS, env, read

ASSIGNMENT = "02-pooling-math"
NOTEBOOK = f"course/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
# Flags that work in a container without a display, a GPU, a sandbox or the internet.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 60_000  # every wait in the browser; the kernel's TensorFlow import alone takes ~5 s
PASSED = re.compile(r"\u2714 pool2d: all \d+ visible cases passed")
# JupyterLab settings for a quiet, deterministic page: every cell attached to the DOM (no
# windowing), no news or update notifications over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False, "fetchNews": "false"},
}


@pytest.fixture(scope="module")
def chromium() -> str:
    pytest.importorskip(
        "playwright.sync_api",
        reason="the Python package playwright is not installed: `.venv/bin/pip install playwright` "
               "(it drives Debian's chromium; never run `playwright install`)")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
                    "(apt-get install chromium) or point COURSE_CHROMIUM at a Chromium binary")
    return CHROMIUM


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path

    def get(self, path: str) -> tuple[int, str]:
        request = urllib.request.Request(self.url + path, headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def get_json(self, path: str):
        status, body = self.get(path)
        assert status == 200, f"GET {path}: HTTP {status}\n{body[:2000]}\n{self.tail()}"
        return json.loads(body)

    def tail(self, chars: int = 4000) -> str:
        return "jupyter lab's log (end):\n" + self.log.read_text(errors="replace")[-chars:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server, then anything it started that outlived it (kernels run in their own session)."""
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # jupyter_server shuts its kernels down on SIGTERM
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # start_new_session: the group is the server's
            proc.wait(timeout=15)
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(children, timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """``jupyter lab`` on a temporary course root; always stopped, kernels included."""
    root = tmp_path_factory.mktemp("lab-root")
    home = tmp_path_factory.mktemp("lab-home")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    ignore = shutil.ignore_patterns(".ipynb_checkpoints")
    shutil.copytree(SOLUTIONS, root / "solutions", ignore=ignore)
    shutil.copytree(COURSE, root / "course", ignore=ignore)
    for folder in ("solutions-zh", "course-zh"):  # the Chinese course (tests skip without it)
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, root / folder, ignore=ignore)
    for name, value in LAB_SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    e = env()
    for var, folder in {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
                        "JUPYTER_RUNTIME_DIR": "runtime", "IPYTHONDIR": "ipython"}.items():
        e[var] = str(home / folder)  # nothing from the user's own Jupyter setup
    port, token = _free_port(), secrets.token_hex(16)
    log = home / "lab.log"
    command = [
        str(BIN / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: find cells by their ids
        f"--LabApp.user_settings_dir={home / 'settings'}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
    ] + (["--allow-root"] if os.geteuid() == 0 else [])  # CI runs as root
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=root, env=e, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"jupyter lab exited ({proc.returncode})\n{server.tail()}"
            try:
                if server.get("/api/status")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"jupyter lab did not answer in 60 s\n{server.tail()}"
            time.sleep(0.3)
        yield server
    finally:
        _stop(proc)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log, ARTIFACTS / "jupyterlab.log")


@pytest.fixture(scope="module")
def page(lab, chromium, tmp_path_factory):
    """Headless Chromium showing the learner notebook, its kernel started and idle."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # an empty user-data-dir
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000})
        try:
            context.set_default_timeout(TIMEOUT_MS)
            tab = context.pages[0] if context.pages else context.new_page()
            _open_notebook(tab, lab, NOTEBOOK)
            yield tab
        finally:
            context.close()


def _open_notebook(tab, lab, notebook: str) -> None:
    """Open a notebook, wait until its kernel is idle, and label each cell's DOM node with its id."""
    tab.goto(f"{lab.url}/lab/tree/{notebook}?token={lab.token}")
    tab.wait_for_function(
        """() => {
            const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            const kernel = panel && panel.sessionContext && panel.sessionContext.session
                && panel.sessionContext.session.kernel;
            return kernel && kernel.status === 'idle' && panel.content.widgets.length > 0;
        }""", timeout=TIMEOUT_MS)
    tab.evaluate("""() => {
        for (const cell of window.jupyterapp.shell.currentWidget.content.widgets)
            cell.node.dataset.cellId = cell.model.id;
    }""")


def _cell(page, cell_id: str):
    return page.locator(f'.jp-Notebook [data-cell-id="{cell_id}"]')


def _type_and_run_all(page, cell_id: str, code: str) -> None:
    """Type code into an exercise cell, save, and Run > Run All Cells."""
    _cell(page, cell_id).locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)  # typed text as one input event: no auto-indent, no auto-brackets
    typed = page.evaluate("""(id) => window.jupyterapp.shell.currentWidget.content.widgets
        .find(c => c.model.id === id).model.sharedModel.getSource()""", cell_id)
    assert typed == code, "the editor changed the typed code"
    page.keyboard.press("Control+s")
    # Run > Run All Cells: 02 stops at uncovered_cells, still a stub, after pool2d's checks.
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def _solution(cell_id: str) -> str:
    """The instructor's code of a solution cell, without nbgrader's BEGIN/END SOLUTION lines."""
    source = next(c.source for c in read(ASSIGNMENT).cells if c.id == cell_id)
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def test_nbgrader_extensions_are_enabled_on_the_server(lab):
    status, html = lab.get(f"/lab/tree/{NOTEBOOK}")
    assert status == 200, lab.tail()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    names = [ext["name"] for ext in config.get("federated_extensions", [])]
    assert "@jupyter/nbgrader" in names, f"JupyterLab loads no nbgrader extension: {names}"
    disabled = config.get("disabledExtensions", [])
    assert not [d for d in disabled if "nbgrader" in str(d)], f"nbgrader plugins disabled: {disabled}"
    # The server extensions: assignment list / validate (nbgrader_version), and the formgrader
    # serving this course's assignments from the nbgrader_config.py of the course root.
    import nbgrader

    assert lab.get_json(f"/nbgrader_version?version={nbgrader.__version__}")["success"] is True
    assert "success" in lab.get_json("/assignments?course_id=")  # the assignment list's handler answers
    listed = [a["name"] for a in lab.get_json("/formgrader/api/assignments")]
    assert ASSIGNMENT in listed, f"the formgrader lists {listed}"


def _nbgrader_menu(page, item: str) -> None:
    """Open the Nbgrader menu of the menu bar and click one of its items."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
    page.locator("#jp-mainmenu-nbgrader .lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


def test_learner_sees_the_nbgrader_menu_and_validate_button(page):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
    menu = page.locator("#jp-mainmenu-nbgrader")
    for item in ("Assignment List", "Course List", "Formgrader"):
        menu.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).wait_for(state="visible")
    page.keyboard.press("Escape")
    button = page.locator(".jp-NotebookPanel-toolbar .validate-button")
    button.wait_for(state="visible")
    assert "Validate" in button.inner_text()
    # The learner's assignment list opens (this course has no exchange: it lists nothing).
    _nbgrader_menu(page, "Assignment List")
    page.locator("#nbgrader-assignment-list").get_by_text("Released assignments").wait_for()
    # Back to the notebook for the next tests.
    page.locator(".lm-TabBar-tab", has_text=f"{ASSIGNMENT}.ipynb").click()
    page.locator(".jp-NotebookPanel").first.wait_for(state="visible")


def test_learner_types_pool2d_and_the_visible_check_passes(page, lab):
    code = _solution("pool2d")
    _type_and_run_all(page, "pool2d", code)
    check = _cell(page, "pool2d_visible")
    output = check.locator(".jp-OutputArea-output")
    try:
        output.filter(has_text=PASSED).wait_for(timeout=TIMEOUT_MS)
    finally:
        with contextlib.suppress(Exception):  # never hide the failure above behind a screenshot's
            check.scroll_into_view_if_needed()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-pool2d-visible-check.png"))
    assert PASSED.search(output.inner_text()), output.inner_text()
    assert check.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    # What was saved is the learner's code (the save went through the server).
    saved = nbformat.reads(json.dumps(lab.get_json(f"/api/contents/{NOTEBOOK}?content=1")["content"]), as_version=4)
    assert next(c.source for c in saved.cells if c.id == "pool2d") == code


def test_learner_validates_the_notebook(page):
    """Validate (nbgrader's server extension runs the saved notebook): pool2d passes, the stub fails."""
    page.locator(".jp-NotebookPanel-toolbar .validate-button").click()
    message = page.locator(".jp-Dialog #validation-message")
    message.wait_for(timeout=TIMEOUT_MS)
    text = message.inner_text()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    assert "The following cell failed" in text, text
    assert 'check("uncovered_cells", uncovered_cells)' in text, text  # still a stub
    assert 'check("pool2d", pool2d)' not in text, text  # the typed solution passes


def test_instructor_opens_the_formgrader(page):
    _nbgrader_menu(page, "Formgrader")
    frame = page.frame_locator("#formgrader-iframe iframe")
    frame.get_by_text(ASSIGNMENT, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-formgrader.png"))


@pytest.fixture(scope="module")
def graded(lab):
    """One learner's 02 handed in and graded by ``nbgrader autograde`` in the lab's course root."""
    from nbgrader.api import Gradebook

    from tests.helpers import learner_submission, run

    run(["nbgrader", "generate_assignment", ASSIGNMENT, "--force"], cwd=lab.root)
    folder = lab.root / "grading" / "submitted" / "ada" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(learner_submission(ASSIGNMENT), folder / f"{ASSIGNMENT}.ipynb")
    run(["nbgrader", "autograde", ASSIGNMENT], cwd=lab.root)
    with Gradebook(f"sqlite:///{lab.root / 'grading' / 'gradebook.db'}") as gb:
        return gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "ada").id


def test_grader_sees_the_rubric_under_a_written_answer_in_the_formgrader(page, lab, graded):
    """Manual grading: the formgrader shows the learner's written answer and, under it, the
    instructor's model answer and rubric (AddRubrics), which the learner never saw."""
    tab = page.context.new_page()
    try:
        tab.goto(f"{lab.url}/formgrader/submissions/{graded}/?token={lab.token}")
        rubric = tab.get_by_text(re.compile(r"For the grader.*written_keep_and_discard", re.S)).first
        rubric.wait_for(timeout=TIMEOUT_MS)
        rubric.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "formgrader-rubric.png"))
        # the written answer's score box is there for the grader to fill in
        assert tab.locator("input.score").count() >= 1
        text = tab.locator("body").inner_text()
        model = next(c.source for c in read(ASSIGNMENT).cells if c.id == "written_keep_and_discard")
        line = [line for line in model.splitlines() if len(line) > 60 and "###" not in line][0]
        words = re.sub(r"[*`_]", "", line)[20:60]  # as rendered: no markdown marks
        assert words in text, f"the model answer ({words!r}) is not under the written answer"
    finally:
        tab.close()


@pytest.fixture(scope="module")
def graded_payload(lab, graded):
    """A second learner whose written answers carry a script (an ``<img onerror>`` that would read
    the grading secret through the server's contents API), graded the same way."""
    from nbgrader.api import Gradebook

    from tests.adversary import XSS, with_written_answers
    from tests.helpers import learner_submission, run

    folder = lab.root / "grading" / "submitted" / "mallory" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(with_written_answers(learner_submission(ASSIGNMENT), XSS), folder / f"{ASSIGNMENT}.ipynb")
    run(["nbgrader", "autograde", ASSIGNMENT, "--student", "mallory"], cwd=lab.root)
    with Gradebook(f"sqlite:///{lab.root / 'grading' / 'gradebook.db'}") as gb:
        return gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "mallory").id


def test_a_script_in_a_written_answer_does_not_run_in_the_formgrader(page, lab, graded_payload):
    """The instructor opens mallory's answer in the formgrader: the answer's text is there, its
    script is not, and it did not run. The control: the same answer as nbgrader's template renders
    markdown (markdown2html, no cleaning) runs the script in the same browser."""
    from nbconvert.filters import markdown2html

    from tests.adversary import XSS

    tab = page.context.new_page()
    try:
        tab.goto(f"{lab.url}/formgrader/submissions/{graded_payload}/?token={lab.token}")
        answer = tab.get_by_text("The answer is 4.").first
        answer.wait_for(timeout=TIMEOUT_MS)
        answer.scroll_into_view_if_needed()
        tab.wait_for_timeout(1000)
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "formgrader-script-refused.png"))
        assert tab.evaluate("window.__pwned") is None
        assert tab.locator("img[onerror]").count() == 0 and tab.locator("a[href^='javascript']").count() == 0
        control = page.context.new_page()
        try:
            control.set_content(f"<html><body>{markdown2html(XSS)}</body></html>")
            control.wait_for_function("window.__pwned === 1", timeout=TIMEOUT_MS)
        finally:
            control.close()
    finally:
        tab.close()

