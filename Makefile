# The course's entry points: `make help` lists them. Every target sets itself up first (a virtual
# environment in .venv, made from requirements.txt), so on a fresh machine one command does everything.
# Each target's line of help is the `## ` comment after its name; `make help` prints them.
#
# The grading workspace is grading/, or the folder COURSE_WORKSPACE names (`make report
# COURSE_WORKSPACE=grading-zh`): every target that reads or writes grading files uses it, as
# nbgrader_config.py and `python -m autograder` do.
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
# The grading workspace (nbgrader_config.py and autograder/workspace.py follow the same variable).
override COURSE_WORKSPACE := $(or $(COURSE_WORKSPACE),grading)
export COURSE_WORKSPACE

.PHONY: help setup lab test course autograde grade-ui grade-sample grade report dist hub hub-setup clean clean-grading

help: ## this list
	@echo "make TARGET [COURSE_LANGUAGE=zh] [COURSE_WORKSPACE=$(COURSE_WORKSPACE)]"
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)$$/  make \1\t\2/p' $(firstword $(MAKEFILE_LIST)) | expand -t 22

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "This course needs Python 3.11; found " + sys.version.split()[0] + " at " + sys.executable + ". Run: make PYTHON=/path/to/python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP) ## make .venv from requirements.txt (every target does it first)

lab: setup ## copy the notebooks into work/ (never overwriting) and open JupyterLab there
	mkdir -p work$(SUFFIX) && cp -rn course$(SUFFIX)/. work$(SUFFIX)/
	@echo "Your notebooks are in work$(SUFFIX)/ (your own copies: 'make lab' never overwrites them)."
	$(BIN)/jupyter lab --notebook-dir=work$(SUFFIX) $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

test: setup ## run this repository's tests (what CI runs)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Both languages: course/ from solutions/; solutions-zh/ built from solutions/ and i18n/zh/, then course-zh/.
course: setup ## regenerate course/ and course-zh/ from solutions/ with nbgrader
	COURSE_LANGUAGE=en $(BIN)/nbgrader generate_assignment '*' --force
	COURSE_LANGUAGE=zh $(BIN)/python -m autograder translate build --language zh
	COURSE_LANGUAGE=zh $(BIN)/nbgrader generate_assignment '*' --force
	$(BIN)/python -m autograder demo-cells

autograde: setup ## A=<assignment> [NBGRADER_ARGS='--student ID --force']: the gradebook, graded in parallel
	@test -n "$(A)" || { echo "usage: make autograde A=<assignment> [NBGRADER_ARGS='--student ID --force']"; exit 2; }
	$(BIN)/python -m autograder autograde --jobs 2 $(A) $(NBGRADER_ARGS)

grade-ui: setup ## JupyterLab at the course root: the formgrader, to grade written answers
	@echo "JupyterLab at the course root: open Nbgrader > Formgrader (or /formgrader) to grade written answers."
	$(BIN)/jupyter lab --notebook-dir=. $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

# Samples live in their own workspace: the class's gradebook, grades.csv, report and
# release_feedback never see them.
grade-sample: export COURSE_WORKSPACE := grading-samples
grade-sample: course ## the solution and the stub of each assignment, in their own workspace grading-samples/
	$(BIN)/python -m autograder sample $(ASSIGNMENTS) --workspace grading-samples
	for a in $(ASSIGNMENTS); do \
	  $(BIN)/python -m autograder autograde --jobs 2 $$a --force || exit 1; \
	  $(BIN)/nbgrader generate_feedback $$a --force || exit 1; \
	done
	$(BIN)/nbgrader export
	@cat grading-samples/grades.csv

grade: setup ## the fast grading command over WORKSPACE/submitted (no gradebook)
	$(BIN)/python -m autograder grade $(COURSE_WORKSPACE)/submitted --jobs 2

report: setup ## WORKSPACE/report.html, the class report, from the workspace's gradebook
	$(BIN)/python -m autograder report

# What learners get (never solutions/, tests/ or grading/); the build fails if its scan finds instructor material.
dist: setup ## what learners get, into dist/ (folder, .tar.gz, .zip, wheel); COURSE_LANGUAGE=zh: into dist/zh/
	$(BIN)/python tools/make_dist.py

# The course's JupyterHub on this machine (deploy/hub/hub.py). hub-setup: the hub's own environment
# in $(HUB_PREFIX)/venv (requirements.txt + requirements-hub.txt, the package copied in, readable by
# every user) and configurable-http-proxy from npm; only what changed is redone. hub: as root, the
# users, the exchange and the instructor's course root, then JupyterHub on http://127.0.0.1:8000.
# HUB_ARGS: more options of `hub.py start`, e.g. "--learners alice,bob" or "--roster roster.csv".
HUB_PYTHON ?= /usr/bin/python3.11
HUB_PREFIX ?= /opt/understanding-pooling
HUB_ARGS ?= --learners learner1,learner2
hub-setup: ## the hub's own environment under HUB_PREFIX and configurable-http-proxy (as root)
	python3 deploy/hub/hub.py setup --python $(HUB_PYTHON) --prefix $(HUB_PREFIX)

hub: hub-setup ## the course on a JupyterHub of this machine (as root; HUB_ARGS="--learners a,b")
	python3 deploy/hub/hub.py start --prefix $(HUB_PREFIX) $(HUB_ARGS)

# Caches, test artifacts and the sample workspace. Never grading/ (the class's gradebook and
# submissions) nor work/ (a learner's notebooks): see clean-grading.
clean: ## caches, test artifacts and grading-samples/ (never a grading workspace or work/)
	rm -rf .pytest_cache .hypothesis artifacts build dist grading-samples
	find . -name __pycache__ -type d -prune -not -path "./.venv/*" -exec rm -rf {} +

# Deleting the class's grading workspace needs an explicit CONFIRM=yes.
clean-grading: ## delete the grading workspace (needs CONFIRM=yes)
	@if [ "$(CONFIRM)" != yes ]; then \
	  echo "This deletes $(COURSE_WORKSPACE)/: the gradebook, every submission, feedback and grades.csv."; \
	  echo "Nothing was deleted. To do it: make clean-grading CONFIRM=yes"; exit 2; fi
	@git check-ignore -q "$(COURSE_WORKSPACE)/" || { echo "$(COURSE_WORKSPACE)/ is not a git-ignored grading workspace: nothing was deleted."; exit 2; }
	rm -rf -- "$(COURSE_WORKSPACE)"
