# The course's entry points. Every target sets itself up first (a virtual environment in .venv,
# made from requirements.txt), so on a fresh machine one command does everything:
#
#   make lab     set up, copy the learner notebooks into work/ (never overwriting), open JupyterLab
#   make test    set up and run this repository's tests (what CI runs)
#
# Instructor targets: `make course` (regenerate course/ from solutions/ with nbgrader),
# `make autograde A=<assignment>` (nbgrader's gradebook, every submission graded in parallel),
# `make grade-ui` (JupyterLab at the course root: the formgrader, to grade written answers),
# `make report` (grading/report.html from the gradebook), `make grade` (the fast grading command
# over grading/submitted, no nbgrader needed), `make grade-sample` (the solution and the stub of
# each assignment graded in their own workspace, grading-samples/, never the class's grading/).
# `make dist` builds what learners get into dist/: their folder, its .tar.gz and .zip, a wheel (tools/make_dist.py;
# `make dist COURSE_LANGUAGE=zh`: the Chinese course, into dist/zh/).
# `make clean` removes caches and the sample workspace only: never grading/ or work/.
# `make hub` (as root) runs the course on a JupyterHub of this machine: every learner their own Unix
# user, nbgrader's exchange, the instructor's formgrader (deploy/hub/, docs/jupyterhub.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
# nbgrader runs `alembic` and Jupyter kernels from PATH: the environment's bin folder comes first.
export PATH := $(BIN):$(PATH)
ASSIGNMENTS := $(notdir $(patsubst %/,%,$(wildcard solutions/*/)))
PYTEST_ARGS ?= -n 2 --dist loadfile
LAB_ARGS ?=
# The course's language: `make lab COURSE_LANGUAGE=zh` opens the Chinese course (in work-zh/).
COURSE_LANGUAGE ?= en
SUFFIX := $(if $(filter en,$(COURSE_LANGUAGE)),,-$(COURSE_LANGUAGE))
export COURSE_LANGUAGE

.PHONY: help setup lab test course autograde grade-ui grade-sample grade report dist hub hub-setup clean clean-grading

help:
	@sed -n '2,17p' Makefile

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "This course needs Python 3.11; found " + sys.version.split()[0] + " at " + sys.executable + ". Run: make PYTHON=/path/to/python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	mkdir -p work$(SUFFIX) && cp -rn course$(SUFFIX)/. work$(SUFFIX)/
	@echo "Your notebooks are in work$(SUFFIX)/ (your own copies: 'make lab' never overwrites them)."
	$(BIN)/jupyter lab --notebook-dir=work$(SUFFIX) $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Both languages: course/ from solutions/; solutions-zh/ built from solutions/ and i18n/zh/, then course-zh/.
course: setup
	COURSE_LANGUAGE=en $(BIN)/nbgrader generate_assignment '*' --force
	COURSE_LANGUAGE=zh $(BIN)/python -m autograder translate build --language zh
	COURSE_LANGUAGE=zh $(BIN)/nbgrader generate_assignment '*' --force
	$(BIN)/python -m autograder demo-cells

autograde: setup
	@test -n "$(A)" || { echo "usage: make autograde A=<assignment> [NBGRADER_ARGS='--student ID --force']"; exit 2; }
	$(BIN)/python -m autograder autograde --jobs 2 $(A) $(NBGRADER_ARGS)

grade-ui: setup
	@echo "JupyterLab at the course root: open Nbgrader > Formgrader (or /formgrader) to grade written answers."
	$(BIN)/jupyter lab --notebook-dir=. $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

# Samples live in their own workspace: the class's gradebook, grades.csv, report and
# release_feedback never see them.
grade-sample: export COURSE_WORKSPACE := grading-samples
grade-sample: course
	$(BIN)/python -m autograder sample $(ASSIGNMENTS) --workspace grading-samples
	for a in $(ASSIGNMENTS); do \
	  $(BIN)/python -m autograder autograde --jobs 2 $$a --force || exit 1; \
	  $(BIN)/nbgrader generate_feedback $$a --force || exit 1; \
	done
	$(BIN)/nbgrader export
	@cat grading-samples/grades.csv

grade: setup
	$(BIN)/python -m autograder grade grading/submitted --jobs 2

report: setup
	$(BIN)/python -m autograder report

# What learners get (never solutions/, tests/ or grading/); the build fails if its scan finds instructor material.
dist: setup
	$(BIN)/python tools/make_dist.py

# The course's JupyterHub on this machine (deploy/hub/hub.py). hub-setup: the hub's own environment
# in $(HUB_PREFIX)/venv (requirements.txt + requirements-hub.txt, the package copied in, readable by
# every user) and configurable-http-proxy from npm; only what changed is redone. hub: as root, the
# users, the exchange and the instructor's course root, then JupyterHub on http://127.0.0.1:8000.
# HUB_ARGS: more options of `hub.py start`, e.g. "--learners alice,bob" or "--roster roster.csv".
HUB_PYTHON ?= /usr/bin/python3.11
HUB_PREFIX ?= /opt/understanding-pooling
HUB_ARGS ?= --learners learner1,learner2
hub-setup:
	python3 deploy/hub/hub.py setup --python $(HUB_PYTHON) --prefix $(HUB_PREFIX)

hub: hub-setup
	python3 deploy/hub/hub.py start --prefix $(HUB_PREFIX) $(HUB_ARGS)

# Caches, test artifacts and the sample workspace. Never grading/ (the class's gradebook and
# submissions) nor work/ (a learner's notebooks): see clean-grading.
clean:
	rm -rf .pytest_cache .hypothesis artifacts build dist grading-samples
	find . -name __pycache__ -type d -prune -not -path "./.venv/*" -exec rm -rf {} +

# Deleting the class's grading workspace needs an explicit CONFIRM=yes.
clean-grading:
	@if [ "$(CONFIRM)" != yes ]; then \
	  echo "This deletes grading/: the gradebook, every submission, feedback and grades.csv."; \
	  echo "Nothing was deleted. To do it: make clean-grading CONFIRM=yes"; exit 2; fi
	rm -rf grading
