"""A class on the course's JupyterHub (deploy/hub/, ``make hub``), played in a real browser.

The browser test starts its own hub with ``deploy/hub/hub.py start`` (what ``make hub`` runs), as
root, on the environment ``make hub-setup`` builds: an instructor and two learners as Unix users
it makes (homes in a temporary folder), a temporary exchange, free ports on 127.0.0.1. Debian's
headless Chromium, driven by Playwright, then plays one assignment's term:

1. the instructor logs in and, in the formgrader (its own tab), generates and releases
   02-pooling-math;
2. two learners log in and fetch it in the Assignments tab. ada's notebook gets the model
   answers; bob's a catalogued bug in ``pool2d`` and a probe that, when graded, tries to read
   ada's home, the gradebook, the grading secret and the exchange's inbound (the notebooks are
   written into their fetched folders as those users; typing in JupyterLab is test_browser's);
   both submit in the Assignments tab;
3. the instructor collects and autogrades both from the formgrader (the course's trusted grader:
   the course root's nbgrader_config.py), grades the written answers on the manual grading page,
   generates and releases feedback;
4. each learner fetches their feedback in the Assignments tab and opens it: their own score,
   worked out from the points in ``solutions/`` (not from the grader), nothing of the other
   learner's, and for bob every probe refused, with none of what it looked for (ada's notes, the
   gradebook, the secret) in his feedback.

Between steps, checks as the users themselves: a learner can neither read the other's home nor
list the exchange's inbound, and every user's server runs as that user from the hub's environment.

It skips with its reason where it is not root or lacks npm, useradd, Chromium or Playwright. The
hub, every process of its users, the users and the temporary folder are always removed.
Screenshots of each step (``artifacts/hub-*.png``) and the hub's log (``artifacts/jupyterhub.log``)
are kept. The fast tests check the hub's files without starting it.
"""
from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from tests.helpers import ROOT, learner_submission, nbgrader_meta, read

A = "02-pooling-math"
COURSE_ID = "understanding-pooling"
WRITTEN = "written_keep_and_discard"
HUB_DIR = ROOT / "deploy" / "hub"
PREFIX = Path(os.environ.get("HUB_PREFIX", "/opt/understanding-pooling"))
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "artifacts"
TIMEOUT_MS = 120_000  # a server's first start on a cold machine; autograding imports TensorFlow
MANUAL = {"ada": None, "bob": 1}  # the written answer's points given by hand (None: full points)


# ----------------------------------------------------------------------------- the hub's files (fast)
def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{path.name}: {line!r} is not pinned exactly"
            pins[name.lower().replace("_", "-")] = version
    return pins


def test_the_hub_packages_are_pinned_and_new():
    hub, course = _pins(ROOT / "requirements-hub.txt"), _pins(ROOT / "requirements.txt")
    assert "jupyterhub" in hub and "jupyterhub-idle-culler" in hub
    assert not set(hub) & set(course), "requirements-hub.txt only adds to requirements.txt"


def test_the_proxy_is_pinned_by_the_lock_file():
    package = json.loads((HUB_DIR / "package.json").read_text())
    lock = json.loads((HUB_DIR / "package-lock.json").read_text())
    wanted = package["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted), f"configurable-http-proxy {wanted!r} is not an exact version"
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == wanted
    assert all(p.get("integrity") for name, p in lock["packages"].items() if name), \
        "every package in the lock file has its checksum: npm ci installs exactly these"
    assert "deploy/hub/node_modules/" in (ROOT / ".gitignore").read_text().split()


def test_make_hub_runs_the_hub_script():
    dry = subprocess.run(["make", "-n", "hub", "HUB_ARGS=--learners x,y"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "deploy/hub/hub.py setup --python /usr/bin/python3.11 --prefix /opt/understanding-pooling" in dry
    assert "deploy/hub/hub.py start --prefix /opt/understanding-pooling --learners x,y" in dry


def test_learners_get_the_assignments_tab_and_not_the_formgrader(tmp_path):
    """The role settings hub.py writes: nbgrader's course and exchange for both, the instructor's
    extensions off for learners only."""
    sys.path.insert(0, str(HUB_DIR))
    try:
        import hub as hubpy
    finally:
        sys.path.remove(str(HUB_DIR))
    for role in ("learner", "instructor"):
        hubpy._role_settings(tmp_path / role, Path("/srv/x"), learner=role == "learner")
        config = {"get_config": lambda: _Config()}
        exec((tmp_path / role / "nbgrader_config.py").read_text(), config)  # noqa: S102 - written just above
        assert config["c"].CourseDirectory.course_id == COURSE_ID and config["c"].Exchange.root == "/srv/x"
    learner = json.loads((tmp_path / "learner" / "jupyter_server_config.json").read_text())
    assert learner["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.course_list": False}
    off = json.loads((tmp_path / "learner" / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert set(off) == {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                        "@jupyter/nbgrader:course-list"}
    assert "ServerApp" not in json.loads((tmp_path / "instructor" / "jupyter_server_config.json").read_text())
    assert not (tmp_path / "instructor" / "labconfig").exists()


def test_the_z2jh_values_mount_the_exchange_the_learners_config_names():
    """deploy/hub/z2jh: the exchange volume mounted where every pod's nbgrader_config.py says, made
    1777 before the server starts; the learner image at requirements-hub.txt's JupyterHub; no secret."""
    import yaml

    z2jh = HUB_DIR / "z2jh"
    values = yaml.safe_load((z2jh / "config.yaml").read_text())
    single = values["singleuser"]
    mount = single["storage"]["extraVolumeMounts"][0]
    claim = next(v for v in single["storage"]["extraVolumes"] if v["name"] == mount["name"])
    pvc = yaml.safe_load((z2jh / "exchange-pvc.yaml").read_text())
    assert claim["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"]
    assert "ReadWriteMany" in pvc["spec"]["accessModes"]
    config = single["extraFiles"]["nbgrader-config"]["stringData"]
    assert f'c.Exchange.root = "{mount["mountPath"]}"' in config and f'"{COURSE_ID}"' in config
    init = single["initContainers"][0]
    assert init["command"] == ["chmod", "1777", mount["mountPath"]] and init["securityContext"]["runAsUser"] == 0
    assert init["image"] == f'{single["image"]["name"]}:{single["image"]["tag"]}'
    assert "secret" not in json.dumps(single).lower(), "nothing of the grading secret in any learner's pod"
    dockerfile = (z2jh / "learner.Dockerfile").read_text()
    assert "pip install --no-cache-dir -r /tmp/requirements-hub.txt" in dockerfile
    assert "ENTRYPOINT []" in dockerfile and 'CMD ["jupyterhub-singleuser"]' in dockerfile


class _Config:
    def __getattr__(self, name):
        value = type(name, (), {})()
        setattr(self, name, value)
        return value


# ----------------------------------------------------------------------------- the hub, started by the test
def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "the hub test runs as root: it makes Unix users and the hub starts servers as them"
    for tool in ("npm", "useradd", "userdel"):
        if not shutil.which(tool):
            return f"{tool} is missing (the hub's proxy comes from npm; users are made with useradd)"
    python = os.environ.get("HUB_PYTHON", "/usr/bin/python3.11")
    if not os.path.exists(python):
        return f"no Python 3.11 at {python} for the hub's environment (set HUB_PYTHON)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM}: install Debian's chromium or set COURSE_CHROMIUM"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Hub:
    url: str
    base: Path
    exchange: Path
    users: dict[str, str]  # role -> Unix user name
    passwords: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None
    shots: list[str] = field(default_factory=list)

    def home(self, role: str) -> Path:
        return Path(pwd.getpwnam(self.users[role]).pw_dir)

    @property
    def course_root(self) -> Path:
        return self.home("instructor") / COURSE_ID

    def as_user(self, role: str, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        """Run a command as one of the hub's users (their uid, their own group only)."""
        entry = pwd.getpwnam(self.users[role])
        return subprocess.run(command, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[],
                              cwd=entry.pw_dir, env={"HOME": entry.pw_dir, "PATH": "/usr/bin:/bin"},
                              capture_output=True, **kwargs)

    def tail(self, chars: int = 6000) -> str:
        return "the hub's log (end):\n" + self.log.read_text(errors="replace")[-chars:]


def _stop(hub: Hub) -> None:
    """The hub (it stops the servers and the proxy it started), then anything of its users left."""
    import psutil

    if hub.proc and hub.proc.poll() is None:
        hub.proc.send_signal(signal.SIGTERM)
        try:
            hub.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(hub.proc.pid, signal.SIGKILL)
            hub.proc.wait(timeout=15)
    uids = set()
    for name in hub.users.values():
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(name).pw_uid)
    pid_file = hub.base / "state" / "hub" / "jupyterhub-proxy.pid"
    proxy = int(pid_file.read_text()) if pid_file.exists() and pid_file.read_text().strip().isdigit() else None
    left = [p for p in psutil.process_iter(["uids", "cmdline"])
            if p.info["uids"] and p.info["uids"].real in uids
            or (proxy and p.pid == proxy and "configurable-http-proxy" in " ".join(p.info["cmdline"] or []))]
    for p in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            p.kill()
    psutil.wait_procs(left, timeout=10)


@pytest.fixture(scope="module")
def hub():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    for old in ARTIFACTS.glob("hub-*.png"):
        old.unlink()
    setup = subprocess.run(["make", "hub-setup"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert setup.returncode == 0, f"make hub-setup failed:\n{setup.stdout[-3000:]}\n{setup.stderr[-3000:]}"
    base = Path(tempfile.mkdtemp(prefix="pooling-hub-"))
    os.chmod(base, 0o755)  # learners traverse it to their homes and the exchange
    tag = secrets.token_hex(2)
    users = {role: f"hubt{tag}-{role}" for role in ("instructor", "ada", "bob")}
    passwords = {"learner": secrets.token_urlsafe(12), "instructor": secrets.token_urlsafe(32)}
    port = _free_port()
    hub = Hub(f"http://127.0.0.1:{port}", base, base / "exchange", users, passwords, base / "jupyterhub.log")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}  # no test secret
    environ.update(HUB_LEARNER_PASSWORD=passwords["learner"], HUB_INSTRUCTOR_PASSWORD=passwords["instructor"])
    command = [sys.executable, str(HUB_DIR / "hub.py"), "start", "--prefix", str(PREFIX),
               "--state", str(base / "state"), "--exchange", str(hub.exchange), "--home-base", str(base / "home"),
               "--instructor", users["instructor"], "--learners", f"{users['ada']},{users['bob']}",
               "--port", str(port), "--hub-port", str(_free_port()), "--proxy-api-port", str(_free_port())]
    try:
        with open(hub.log, "w") as out:
            hub.proc = subprocess.Popen(command, env=environ, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            assert hub.proc.poll() is None, f"the hub exited ({hub.proc.returncode})\n{hub.tail()}"
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(hub.url + "/hub/api", timeout=5) as response:
                    if response.status == 200:
                        break
            assert time.monotonic() < deadline, f"the hub did not answer in 60 s\n{hub.tail()}"
            time.sleep(0.3)
        yield hub
    finally:
        _stop(hub)
        ARTIFACTS.mkdir(exist_ok=True)
        if hub.log.exists():
            shutil.copy(hub.log, ARTIFACTS / "jupyterhub.log")
        for name in users.values():
            subprocess.run(["userdel", name], capture_output=True)  # its group goes with it
        shutil.rmtree(base, ignore_errors=True)
        left = [n for n in users.values() if subprocess.run(["id", n], capture_output=True).returncode == 0]
        assert not left and not base.exists(), f"left behind: users {left}, folder {base if base.exists() else ''}"


# ----------------------------------------------------------------------------- the browser's steps
def _shot(hub: Hub, page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"hub-{len(hub.shots) + 1:02d}-{name}.png"
    page.screenshot(path=str(path))
    hub.shots.append(path.name)


def _log_in(hub: Hub, browser, role: str):
    """A browser context of its own for one user: the hub's login form, then their JupyterLab."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(hub.url + "/hub/login")
    if not hub.shots:
        _shot(hub, page, "login")
    page.fill("#username_input", hub.users[role])
    page.fill("#password_input", hub.passwords["instructor" if role == "instructor" else "learner"])
    page.click("#login_submit")
    page.wait_for_url(re.compile(rf".*/user/{hub.users[role]}/lab.*"))
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).wait_for()
    return page


def _formgrader_action(page, column: str, row: str = A, key: str = "name") -> str:
    """Click a formgrader button (a column of Manage Assignments, or of Manage Submissions with
    ``key="student-id"``) in the row of ``row``; return its success dialog's text, fail on an error."""
    page.locator("#main-table tr", has=page.locator(f'td.{key}[data-order="{row}"]')).locator(f"td.{column} a").click()
    dialog = page.locator("#success-modal, #error-modal").first
    dialog.wait_for()
    text = dialog.inner_text()
    assert dialog.get_attribute("id") == "success-modal", f"formgrader {column} of {row} failed:\n{text}"
    dialog.locator("button[data-dismiss=modal]").last.click()
    dialog.wait_for(state="detached")
    return text


def _assignments_tab(page):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
    page.locator("#jp-mainmenu-nbgrader .lm-Menu-itemLabel", has_text=re.compile("^Assignment List$")).click()
    panel = page.locator("#nbgrader-assignment-list")
    panel.wait_for()
    return panel


def _item(panel, section: str):
    return panel.locator(f"#{section}_assignments_list .list_item:not(.nested_list_item)", has_text=A)


def _points(notebook) -> dict[str, float]:
    return {c.id: float(nbgrader_meta(c)["points"]) for c in notebook.cells if nbgrader_meta(c).get("points")}


def _probe(hub: Hub, canary_file: Path) -> str:
    """Code in bob's pool2d cell: when graded, read what no learner's code may read, print each outcome."""
    targets = {
        "home": str(canary_file),
        "notebook": str(hub.home("ada") / A / f"{A}.ipynb"),
        "gradebook": str(hub.course_root / "grading" / "gradebook.db"),
        "secret": str(hub.course_root / "grading" / "secret"),
        "inbound": str(hub.exchange / COURSE_ID / "inbound"),
    }
    return (f"import os as _os\nfor _label, _path in {targets!r}.items():\n"
            "    try:\n"
            "        _got = _os.listdir(_path) if _os.path.isdir(_path) else open(_path, 'rb').read(200)\n"
            "        print(f'probe {_label}: READ {_got!r}')\n"
            "    except OSError as _exc:\n"
            "        print(f'probe {_label}: refused ({type(_exc).__name__})')\n\n")


@pytest.mark.browser
def test_a_class_on_the_hub(hub):
    from playwright.sync_api import sync_playwright

    from tests.catalogue.pooling_math import MISTAKES

    bug = next(v for v in MISTAKES if v.cell == "pool2d")
    points = _points(read(A))
    total = sum(points.values())
    expected = {"ada": total, "bob": total - points["pool2d_visible"] - points["pool2d_hidden"]
                - (points[WRITTEN] - MANUAL["bob"])}
    # Learners' servers run the course's pins (and the hub's), like .venv, from the hub's environment.
    pins = {**_pins(ROOT / "requirements.txt"), **_pins(ROOT / "requirements-hub.txt")}
    installed = json.loads(subprocess.run(
        [str(PREFIX / "venv" / "bin" / "python"), "-c", "import json, sys; from importlib.metadata import version; "
         "print(json.dumps({n: version(n) for n in sys.argv[1:]}))", *pins], capture_output=True, text=True,
        check=True).stdout)
    assert installed == pins, "the hub's environment is not the pinned one: run `make hub-setup`"
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            _play(hub, browser, bug, points, expected)
        finally:
            browser.close()
    print(f"the class on the hub took {time.monotonic() - started:.0f} s; screenshots: {', '.join(hub.shots)}")


def _play(hub: Hub, browser, bug, points, expected) -> None:
    users = hub.users
    # 1. The instructor generates and releases 02 from the formgrader, in its own tab.
    teacher = _log_in(hub, browser, "instructor")
    formgrader = hub.url + f"/user/{users['instructor']}/formgrader"
    teacher.goto(formgrader)
    assert "Successfully created the student version" in _formgrader_action(teacher, "assign")
    assert "Released as" in _formgrader_action(teacher, "release")
    _shot(hub, teacher, "formgrader-released")

    # 2. Each learner logs in, fetches 02 in the Assignments tab, fills it in (as that user), submits.
    learners = {}
    canary = f"HOMECANARY-{secrets.token_hex(8)}"
    for role in ("ada", "bob"):
        page = learners[role] = _log_in(hub, browser, role)
        panel = _assignments_tab(page)
        _item(panel, "released").locator("button", has_text="Fetch").click()
        _item(panel, "fetched").wait_for()
        if role == "ada":
            _shot(hub, page, "ada-fetched")
    notes = hub.home("ada") / "notes.txt"
    hub.as_user("ada", ["tee", str(notes)], input=canary.encode(), check=True)
    for role, replacements in (("ada", {}), ("bob", {bug.cell: _probe(hub, notes) + bug.source})):
        path = hub.home(role) / A / f"{A}.ipynb"
        assert path.stat().st_uid == pwd.getpwnam(users[role]).pw_uid, "fetched as the learner"
        notebook = nbformat.writes(learner_submission(A, replacements))
        hub.as_user(role, ["tee", str(path)], input=notebook.encode(), check=True)
    # Walls between learners, as the learners themselves: another's home, the exchange's inbound.
    refused = hub.as_user("bob", ["cat", str(hub.home("ada") / A / f"{A}.ipynb")])
    assert refused.returncode != 0 and b"Permission denied" in refused.stderr
    refused = hub.as_user("bob", ["ls", str(hub.exchange / COURSE_ID / "inbound")])
    assert refused.returncode != 0 and b"Permission denied" in refused.stderr
    for role in ("ada", "bob"):
        page = learners[role]
        _item(page.locator("#nbgrader-assignment-list"), "fetched").locator("button", has_text="Submit").click()
        _item(page.locator("#nbgrader-assignment-list"), "submitted").wait_for()
    _shot(hub, learners["bob"], "bob-submitted")
    _servers_run_as_their_users(hub)

    # 3. The instructor collects, autogrades, grades the written answers, releases feedback.
    secret = secrets.token_hex(16)
    grading = hub.course_root / "grading"
    hub.as_user("instructor", ["mkdir", "-p", str(grading)], check=True)
    hub.as_user("instructor", ["sh", "-c", f"umask 077 && printf '%s\\n' {secret} > {grading / 'secret'}"], check=True)
    teacher.goto(formgrader)
    assert "Collecting submission" in _formgrader_action(teacher, "collect")
    teacher.goto(f"{formgrader}/manage_submissions/{A}")
    for role in ("ada", "bob"):
        assert "Successfully autograded" in _formgrader_action(teacher, "autograde", users[role], "student-id")
    _shot(hub, teacher, "autograded")
    # The control: the probe run by the instructor's user, unconfined, reads what bob's was refused
    # (gradebook, secret, inbound); only ada's home is shut to that user by its mode as well.
    control = hub.as_user("instructor", [str(PREFIX / "venv" / "bin" / "python"), "-c", _probe(hub, notes)],
                          text=True).stdout
    for label in ("gradebook", "secret", "inbound"):
        assert f"probe {label}: READ" in control, control
    assert "probe home: refused (PermissionError)" in control, control
    submissions = teacher.request.get(f"{formgrader}/api/submitted_notebooks/{A}/{A}").json()
    ids = {s["student"]: s["id"] for s in submissions}
    for role in ("bob", "ada"):
        teacher.goto(f"{formgrader}/submissions/{ids[users[role]]}/")
        given = points[WRITTEN] if MANUAL[role] is None else MANUAL[role]
        score = teacher.locator(f"input.score#{WRITTEN}")
        teacher.wait_for_load_state("networkidle")  # the formgrader's scripts bind their change handlers
        for attempt in range(3):  # as a person would: type the score again if it did not save
            score.fill("")
            score.fill(str(given))
            score.press("Tab")  # the formgrader saves on change
            try:
                _saved(teacher, f"{formgrader}/api/grades?submission_id={ids[users[role]]}", given,
                       timeout_s=15 if attempt < 2 else 30)
                break
            except AssertionError:
                if attempt == 2:
                    raise
        if role == "bob":
            score.scroll_into_view_if_needed()
            _shot(hub, teacher, "manual-grading")
    teacher.goto(formgrader)
    _formgrader_action(teacher, "generate-feedback")
    _formgrader_action(teacher, "release-feedback")
    _shot(hub, teacher, "feedback-released")

    # 4. Each learner fetches their feedback and sees their own score, nothing of the other's.
    other = {"ada": "bob", "bob": "ada"}
    for role in ("ada", "bob"):
        page = learners[role]
        panel = page.locator("#nbgrader-assignment-list")  # still open since the learner submitted
        submitted = _item(panel, "submitted")
        submitted.locator("button", has_text="Fetch Feedback").click()
        # "(view feedback)" opens the feedback's folder in the file browser; the learner opens the page.
        submitted.get_by_text("(view feedback)").click()
        page.locator(".jp-DirListing-item", has_text=f"{A}.html").dblclick()
        frame = page.frame_locator(".jp-HTMLViewer iframe").first
        frame.get_by_text(re.compile(rf"{A} \(Score: ")).first.wait_for()
        text, page_html = frame.locator("body").inner_text(), frame.locator("html").inner_html()
        _shot(hub, page, f"{role}-feedback")
        assert f"{A} (Score: {expected[role]:.1f} / {sum(points.values()):.1f})" in text, text[:2000]
        if role == "ada":
            assert users["bob"] not in page_html, "ada's feedback names bob"
        # bob's own probe names ada's folders; what it would have found there must not be here:
        # ada's notes, her submission's name in the exchange, the gradebook, the secret
        for secret_thing in (canary, f"{users[other[role]]}+{A}+", secret, "SQLite format 3"):
            assert secret_thing not in page_html, f"{role}'s feedback holds {secret_thing!r}"
        if role == "bob":
            frame.get_by_text("probe home: refused").first.scroll_into_view_if_needed()
            _shot(hub, page, "bob-feedback-probe")
            for label in ("home", "notebook", "gradebook", "secret", "inbound"):
                assert re.search(rf"probe {label}: refused \(\w+\)", text), f"probe {label} not refused:\n{text[:3000]}"
    # Nothing the probe looked for reached the instructor's records either.
    autograded = (grading / "autograded" / users["bob"] / A / f"{A}.ipynb").read_text()
    for secret_thing in (canary, secret, "SQLite format 3", f"{users['ada']}+{A}+"):
        assert secret_thing not in autograded


def _saved(page, url: str, given: float, timeout_s: float = 30) -> None:
    """Wait until the formgrader's API has the written answer's score by hand (it saves on change)."""
    deadline = time.monotonic() + timeout_s
    while True:
        grades = {g["name"]: g for g in page.request.get(url).json()}
        if grades[WRITTEN]["manual_score"] == given:
            return
        assert time.monotonic() < deadline, f"the formgrader did not save {given} for {WRITTEN}: {grades[WRITTEN]}"
        time.sleep(0.3)


def _servers_run_as_their_users(hub: Hub) -> None:
    """Each user's single-user server: their uid, the hub's environment's Python, their folder."""
    import psutil

    found = {}
    for p in psutil.process_iter(["uids", "cmdline", "cwd"]):
        cmdline = " ".join(p.info["cmdline"] or [])
        if "jupyterhub-singleuser" in cmdline:
            found[p.info["uids"].real] = (cmdline, p.info["cwd"])
    for role, name in hub.users.items():
        entry = pwd.getpwnam(name)
        assert entry.pw_uid in found, f"no server runs as {name}"
        cmdline, cwd = found[entry.pw_uid]
        assert cmdline.split()[0].startswith(str(PREFIX / "venv")), cmdline
        assert cwd == str(hub.course_root if role == "instructor" else Path(entry.pw_dir)), cwd
