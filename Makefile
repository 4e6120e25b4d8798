# The course's entry points. Every target sets itself up first (a virtual environment in .venv,
# made from requirements.txt), so on a fresh machine one command does everything:
#
#   make lab     set up, copy the learner notebooks into work/ (never overwriting), open JupyterLab
#   make test    set up and run this repository's tests (what CI runs)
#
# Instructor targets: `make course` (regenerate course/ from solutions/ with nbgrader),
# `make grade-sample` (autograde a sample submission per assignment, write feedback, export grades),
# `make report` (grading/report.html from the gradebook), `make grade` (the fast grading command
# over grading/submitted, no nbgrader needed).
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

.PHONY: help setup lab test course grade-sample grade report clean

help:
	@sed -n '2,13p' Makefile

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "This course needs Python 3.11; found " + sys.version.split()[0] + " at " + sys.executable + ". Run: make PYTHON=/path/to/python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	mkdir -p work && cp -rn course/. work/
	@echo "Your notebooks are in work/ (your own copies: 'make lab' never overwrites them)."
	$(BIN)/jupyter lab --notebook-dir=work $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

course: setup
	for a in $(ASSIGNMENTS); do $(BIN)/nbgrader generate_assignment $$a --force || exit 1; done

grade-sample: course
	$(BIN)/python -m autograder sample $(ASSIGNMENTS)
	for a in $(ASSIGNMENTS); do \
	  $(BIN)/nbgrader autograde $$a || exit 1; \
	  $(BIN)/nbgrader generate_feedback $$a || exit 1; \
	done
	$(BIN)/nbgrader export
	@cat grading/grades.csv

grade: setup
	$(BIN)/python -m autograder grade grading/submitted --jobs 2

report: setup
	$(BIN)/python -m autograder report

clean:
	rm -rf grading work .pytest_cache
