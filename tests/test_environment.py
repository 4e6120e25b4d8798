"""One set of pins: requirements.txt (pip) and environment.yml (conda) agree, and this is it."""
import re
import sys
from importlib.metadata import version

from tests.helpers import ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\[\]-]+)==([^\s;#]+)$")


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.split("#", 1)[0].strip().lstrip("- ").strip()
        m = PIN.match(line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def _requirements():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    unpinned = [l for l in lines if l.strip() and not l.startswith("#") and "==" not in l]
    assert not unpinned, f"every requirement is pinned exactly: {unpinned}"
    return _pins(lines)


def _environment_yml():
    text = (ROOT / "environment.yml").read_text()
    pip_section = text.split("- pip:", 1)[1].splitlines()
    python = re.search(r"^\s*-\s*python=([\d.]+)\s*$", text, re.M)
    return _pins(pip_section), python.group(1) if python else None


def test_requirements_and_environment_yml_have_the_same_pins():
    pip_pins = _requirements()
    conda_pins, python = _environment_yml()
    assert conda_pins == pip_pins
    assert python == "3.11"


def test_the_required_packages_are_pinned():
    pins = _requirements()
    assert pins["tensorflow-cpu"].startswith("2.21.")
    assert pins["nbgrader"] == "0.9.6"
    assert pins["jupyterlab"].startswith("4.")
    for name in ("numpy", "matplotlib", "pytest"):
        assert name in pins


def test_this_environment_is_the_pinned_one():
    assert sys.version_info[:2] == (3, 11)
    for name, pinned in _requirements().items():
        assert version(name) == pinned, f"{name} {version(name)} installed, {pinned} pinned: run `make setup`"
