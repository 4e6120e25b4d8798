"""The course on a JupyterHub of one machine: ``make hub`` (docs/jupyterhub.md, "A hub on one machine").

    python3 deploy/hub/hub.py setup   [--python PY] [--prefix DIR]     the hub's environment and proxy
    python3 deploy/hub/hub.py prepare [options]                        as root: users, exchange, course root
    python3 deploy/hub/hub.py start   [options]                        as root: prepare, then run JupyterHub

``setup`` (any user who can write PREFIX; only what changed is redone):

1. PREFIX/venv (default /opt/understanding-pooling/venv): a virtual environment of a Python 3.11
   that every user can run (default /usr/bin/python3.11), with requirements.txt and
   requirements-hub.txt, and this repository's ``autograder`` package installed as a copy (never
   editable: learners' servers must not see the checkout, with ``solutions/`` and maybe
   ``grading/``), and JupyterLab's defaults for the hub (no news or update notices). Made
   readable by all: the hub runs every single-user server from it.
2. deploy/hub/node_modules: configurable-http-proxy, as pinned by package-lock.json (``npm ci``).

``prepare`` (as root; run again, it changes nothing that exists):

1. Unix users: the instructor and every learner (``--learners``, ``--roster`` with nbgrader's
   roster columns, ``id`` first), each with a home of their own, mode 0700, and a group of their own.
2. nbgrader's exchange (default /srv/nbgrader/exchange): root-owned, mode 1777 (world-writable as
   nbgrader requires, sticky so that nobody removes what another made), and its course folder made
   now by the instructor, so that no learner can take the course's name first. nbgrader makes the
   rest on release: ``inbound`` 2733 (learners write, cannot list), ``outbound`` 755, ``feedback`` 711.
3. The instructor's course root, ~instructor/understanding-pooling (mode 0700): a copy of
   nbgrader_config.py, solutions/ and course/ (and the Chinese pair) from this repository, made once
   and never overwritten (it holds grading/: the gradebook, the submissions and the grading secret).
4. STATE (default PREFIX/state): ``hub/`` (mode 0700: the hub's database, cookie secret, the demo
   passwords, settings.json) and ``jupyter/learner``, ``jupyter/instructor``: each role's Jupyter
   settings (the course id and exchange for nbgrader; learners without the formgrader, course list
   and create-assignment extensions; idle kernels shut down after an hour).

``start`` runs ``jupyterhub -f deploy/hub/jupyterhub_config.py`` in STATE/hub, which reads
settings.json. The demo authenticator is JupyterHub's SharedPasswordAuthenticator: learners log in
with one password, the instructor (the hub's admin) with another (both printed; set them with
HUB_LEARNER_PASSWORD / HUB_INSTRUCTOR_PASSWORD). ``--authenticator pam`` logs everyone in with their
own Unix password instead. Only the standard library is used here, so any python3 runs it.
"""
from __future__ import annotations

import argparse
import csv
import fcntl
import hashlib
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COURSE_ID = "understanding-pooling"
# What the instructor's course root gets from the repository (never grading/, tests/ or .venv).
COURSE_FILES = ("nbgrader_config.py", "solutions", "course", "solutions-zh", "course-zh")
# nbgrader's instructor-side extensions, off in learners' servers.
LAB_PLUGINS_OFF = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                   "@jupyter/nbgrader:course-list")
SERVER_EXTENSIONS_OFF = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
IDLE_KERNEL_S = 3600
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def fail(message: str, status: int = 2):
    print(f"hub.py: {message}", file=sys.stderr)
    raise SystemExit(status)


def say(message: str) -> None:
    print(f"hub: {message}", flush=True)


# ----------------------------------------------------------------------------- setup
def _digest(*paths: Path) -> str:
    """A hash of files' contents (folders: every file below, by relative path, caches left out)."""
    h = hashlib.sha256()
    for path in paths:
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for f in files:
            h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _others_can_run(python: Path) -> str | None:
    """Why users other than root could not run ``python`` (a folder on its way they cannot enter)."""
    real = python.resolve()
    for folder in [*reversed(real.parents)]:
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return f"{folder} is mode {stat.filemode(os.stat(folder).st_mode)}: other users cannot enter it"
    return None


def _run(command: list, **kwargs) -> None:
    say(" ".join(str(c) for c in command))
    subprocess.run([str(c) for c in command], check=True, **kwargs)


def setup(python: str, prefix: Path) -> None:
    python = Path(shutil.which(python) or python)
    if not python.exists():
        fail(f"no Python at {python}: give a Python 3.11 every user can run, e.g. HUB_PYTHON=/usr/bin/python3.11")
    version = subprocess.run([str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True).stdout.strip()
    if version != "3.11":
        fail(f"{python} is Python {version or '?'}; the course needs 3.11 (HUB_PYTHON=/path/to/python3.11)")
    why = _others_can_run(python)
    if why:
        fail(f"learners' servers could not run {python}: {why}. Use a Python 3.11 outside any private "
             "folder (Debian's /usr/bin/python3.11, or one installed under /opt): HUB_PYTHON=...")
    env, changed = prefix / "venv", False
    try:
        prefix.mkdir(parents=True, exist_ok=True)
        os.chmod(prefix, 0o755)  # every user enters it to reach the environment
    except PermissionError:
        fail(f"cannot write {prefix}: run as root (sudo make hub-setup), or choose another HUB_PREFIX")
    lock = open(prefix / ".setup.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # two setups at once (two checkouts' tests) take turns
    if not (env / "bin" / "python").exists():
        _run([python, "-m", "venv", env])
        _run([env / "bin/python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    stamps = {
        ".requirements.sha256": (_digest(ROOT / "requirements.txt", ROOT / "requirements-hub.txt"),
                                 ["-r", ROOT / "requirements.txt", "-r", ROOT / "requirements-hub.txt"]),
        # a copy of the package, not editable: learners' servers never see this checkout
        ".package.sha256": (_digest(ROOT / "pyproject.toml", ROOT / "autograder"),
                            ["--no-deps", "--no-build-isolation", "--force-reinstall", ROOT]),
    }
    for name, (digest, args) in stamps.items():
        stamp = env / name
        if not stamp.exists() or stamp.read_text() != digest:
            _run([env / "bin/python", "-m", "pip", "install", "--quiet", *args], cwd=ROOT)
            stamp.write_text(digest)
            changed = True
    # JupyterLab's defaults for every user of the hub: no news or update questions over the class's work.
    overrides = env / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.parent.mkdir(parents=True, exist_ok=True)
    overrides.write_text(json.dumps(LAB_OVERRIDES, indent=1))
    if changed:  # a root umask of 077 must not lock learners out of their own Python
        _run(["chmod", "-R", "a+rX", prefix / "venv"])
    npm_lock, installed = HERE / "package-lock.json", HERE / "node_modules" / ".package-lock.sha256"
    if not installed.exists() or installed.read_text() != _digest(npm_lock):
        if not shutil.which("npm"):
            fail("npm is missing: install Node.js 20 or later with npm (the hub's proxy, "
                 "configurable-http-proxy, comes from npm)")
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE)
        installed.write_text(_digest(npm_lock))
    say(f"environment ready: {env} (Python {version}); proxy: {HERE / 'node_modules/.bin/configurable-http-proxy'}")


# ----------------------------------------------------------------------------- prepare
def _user(name: str, home_base: Path | None) -> pwd.struct_passwd:
    """The Unix user ``name``, made if missing: its own group, a login shell, a private home."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        command = ["useradd", "--create-home", "--user-group", "--shell", "/bin/bash"]
        if home_base:
            command += ["--base-dir", str(home_base)]
        _run(command + [name])
        entry = pwd.getpwnam(name)
    os.chmod(entry.pw_dir, 0o700)  # no learner reads another's home (nor the instructor's course root)
    return entry


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)


def _role_settings(folder: Path, exchange: Path, learner: bool) -> None:
    """One role's Jupyter settings folder: nbgrader's course and exchange, lab and server settings."""
    _write(folder / "nbgrader_config.py",
           "# Written by deploy/hub/hub.py prepare: the course and the exchange of this hub.\n"
           f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(exchange)!r}\n")
    server: dict = {"MappingKernelManager": {"cull_idle_timeout": IDLE_KERNEL_S, "cull_interval": 300}}
    if learner:
        server["ServerApp"] = {"jpserver_extensions": {name: False for name in SERVER_EXTENSIONS_OFF}}
        _write(folder / "labconfig" / "page_config.json",
               json.dumps({"disabledExtensions": {name: True for name in LAB_PLUGINS_OFF}}, indent=1))
    _write(folder / "jupyter_server_config.json", json.dumps(server, indent=1))
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            os.chmod(path, 0o755)


def _password(hub_dir: Path, role: str, length: int) -> Path:
    """The demo password of a role: HUB_<ROLE>_PASSWORD, else the one made before, else a new one."""
    path = hub_dir / f"{role}-password"
    given = os.environ.get(f"HUB_{role.upper()}_PASSWORD")
    if given or not path.exists():
        _write(path, given or secrets.token_urlsafe(length), 0o600)
    return path


def learners_of(args) -> list[str]:
    names = [n.strip() for n in (args.learners or "").replace(",", " ").split() if n.strip()]
    if args.roster:
        with open(args.roster, newline="") as f:
            names += [row["id"].strip() for row in csv.DictReader(f) if row.get("id", "").strip()]
    return list(dict.fromkeys(names))


def prepare(args) -> Path:
    """Users, the exchange, the instructor's course root and the role settings; returns settings.json."""
    if os.geteuid() != 0:
        fail("run as root (sudo make hub): the hub starts each user's server as that user")
    prefix, state, exchange = Path(args.prefix), Path(args.state or Path(args.prefix) / "state"), Path(args.exchange)
    env = prefix / "venv"
    if not (env / "bin" / "jupyterhub-singleuser").exists():
        fail(f"no hub environment in {env}: run `make hub-setup` first")
    learners = learners_of(args)
    if args.instructor in learners:
        fail(f"{args.instructor} is the instructor and cannot also be a learner")
    home_base = Path(args.home_base) if args.home_base else None
    if home_base:
        home_base.mkdir(parents=True, exist_ok=True)
    instructor = _user(args.instructor, home_base)
    for name in learners:
        _user(name, home_base)
    # Every server runs from the environment as its user: fail here, not in a spawn's timeout.
    check = subprocess.run([str(env / "bin" / "python"), "-c", "import autograder, jupyterhub"],
                           user=instructor.pw_uid, group=instructor.pw_gid, extra_groups=[], cwd="/",
                           capture_output=True, text=True)
    if check.returncode:
        fail(f"{args.instructor} cannot use the hub's environment {env}:\n{check.stderr[-1500:]}")
    # The exchange: world-writable and sticky; the course's folder belongs to the instructor.
    exchange.mkdir(parents=True, exist_ok=True)
    os.chmod(exchange, 0o1777)
    course_exchange = exchange / COURSE_ID
    if not course_exchange.exists():
        course_exchange.mkdir()
        os.chown(course_exchange, instructor.pw_uid, instructor.pw_gid)
        os.chmod(course_exchange, 0o755)
    elif course_exchange.stat().st_uid != instructor.pw_uid:
        fail(f"{course_exchange} belongs to uid {course_exchange.stat().st_uid}, not to {args.instructor}")
    # The instructor's course root, made once.
    course_root = Path(instructor.pw_dir) / COURSE_ID
    if not course_root.exists():
        course_root.mkdir(mode=0o700)
        for name in COURSE_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, course_root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
            elif source.is_file():
                shutil.copy2(source, course_root / name)
        _run(["chown", "-R", f"{instructor.pw_uid}:{instructor.pw_gid}", course_root])
        say(f"course root made: {course_root} (from {ROOT})")
    else:
        say(f"course root kept as it is: {course_root}")
    os.chmod(course_root, 0o700)
    # The hub's state: its own files private, the role settings readable by everyone.
    hub_dir = state / "hub"
    hub_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)
    os.chmod(hub_dir, 0o700)
    _role_settings(state / "jupyter" / "learner", exchange, learner=True)
    _role_settings(state / "jupyter" / "instructor", exchange, learner=False)
    os.chmod(state / "jupyter", 0o755)
    settings = {
        "env": str(env), "state": str(hub_dir), "exchange": str(exchange), "course_root": str(course_root),
        "instructor": args.instructor, "learners": learners, "authenticator": args.authenticator,
        "ip": args.ip, "port": args.port, "hub_port": args.hub_port, "proxy_api_port": args.proxy_api_port,
        "proxy": str(HERE / "node_modules" / ".bin" / "configurable-http-proxy"),
        "learner_settings": str(state / "jupyter" / "learner"),
        "instructor_settings": str(state / "jupyter" / "instructor"),
        "idle_timeout": args.idle_timeout,
    }
    if args.authenticator == "shared-password":
        settings["learner_password_file"] = str(_password(hub_dir, "learner", 12))
        settings["instructor_password_file"] = str(_password(hub_dir, "instructor", 32))
    path = hub_dir / "settings.json"
    _write(path, json.dumps(settings, indent=1), 0o600)
    return path


def start(args) -> None:
    settings_path = prepare(args)
    settings = json.loads(settings_path.read_text())
    if not Path(settings["proxy"]).exists():
        fail("configurable-http-proxy is not installed: run `make hub-setup` first")
    url = f"http://{args.ip}:{args.port}/"
    say(f"{url}  instructor: {args.instructor}; learners: {', '.join(settings['learners']) or '(none yet)'}")
    if args.authenticator == "shared-password":
        say(f"demo passwords (shared: every learner can log in as every other learner): learners "
            f"{Path(settings['learner_password_file']).read_text()}, instructor "
            f"{Path(settings['instructor_password_file']).read_text()}")
    env = {**os.environ, "POOLING_HUB_SETTINGS": str(settings_path),
           "PATH": f"{settings['env']}/bin:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    os.chdir(settings["state"])
    jupyterhub = os.path.join(settings["env"], "bin", "jupyterhub")
    os.execve(jupyterhub, [jupyterhub, "-f", str(HERE / "jupyterhub_config.py")], env)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="hub.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    default_prefix = os.environ.get("HUB_PREFIX", "/opt/understanding-pooling")
    p = sub.add_parser("setup", help="the hub's environment (PREFIX/venv) and proxy (node_modules)")
    p.add_argument("--python", default=os.environ.get("HUB_PYTHON", "/usr/bin/python3.11"),
                   help="a Python 3.11 every user can run (default /usr/bin/python3.11)")
    p.add_argument("--prefix", default=default_prefix, help="where the environment goes (PREFIX/venv)")
    for name in ("prepare", "start"):
        p = sub.add_parser(name, help="as root: users, exchange, course root" + (", then JupyterHub" if name == "start" else ""))
        p.add_argument("--prefix", default=default_prefix, help="the environment's prefix, as for setup")
        p.add_argument("--state", help="the hub's state and role settings (default PREFIX/state)")
        p.add_argument("--exchange", default=os.environ.get("HUB_EXCHANGE", "/srv/nbgrader/exchange"),
                       help="nbgrader's exchange (default /srv/nbgrader/exchange)")
        p.add_argument("--instructor", default=os.environ.get("HUB_INSTRUCTOR", "instructor"),
                       help="the instructor's user name (the hub's admin; default instructor)")
        p.add_argument("--learners", default=os.environ.get("HUB_LEARNERS", ""),
                       help="learners' user names, separated by commas or spaces")
        p.add_argument("--roster", help="a roster CSV with an id column (nbgrader's): one learner per row")
        p.add_argument("--home-base", help="make new users' homes in this folder (default: useradd's, /home)")
        p.add_argument("--authenticator", choices=("shared-password", "pam"),
                       default=os.environ.get("HUB_AUTHENTICATOR", "shared-password"),
                       help="shared-password: a demo (one password for all learners); pam: Unix passwords")
        p.add_argument("--ip", default=os.environ.get("HUB_IP", "127.0.0.1"), help="the address to serve on")
        p.add_argument("--port", type=int, default=int(os.environ.get("HUB_PORT", 8000)), help="the public port")
        p.add_argument("--hub-port", type=int, default=8081, help="the hub's internal API port")
        p.add_argument("--proxy-api-port", type=int, default=8001, help="the proxy's API port")
        p.add_argument("--idle-timeout", type=int, default=3600,
                       help="stop a server idle this many seconds (jupyterhub-idle-culler; 0: never)")
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(args.python, Path(args.prefix))
    elif args.command == "prepare":
        say(f"settings: {prepare(args)}")
    else:
        start(args)


if __name__ == "__main__":
    main()
