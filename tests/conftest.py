"""Test session settings: a fixed grading secret, so the hidden cases are the same in every run
(and no test makes a grading/secret file in the repository). Subprocesses inherit it.

A notebook's setup cell run in this process (``autograder.use_language(...)``) chooses the
language for the whole process: each test starts and ends with no language chosen, so one test's
choice never decides what another one hears."""
import os

import pytest

TEST_SECRET = "pooling-course-test-secret"
os.environ.setdefault("AUTOGRADER_SECRET", TEST_SECRET)


@pytest.fixture(autouse=True)
def _no_language_chosen():
    from autograder import i18n

    i18n._chosen[0] = None
    yield
    i18n._chosen[0] = None
