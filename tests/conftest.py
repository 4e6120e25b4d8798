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


# The longest modules first: with `-n 2 --dist loadfile` (make test) pytest-xdist hands out whole
# modules in collection order, so a long module collected last (alphabetically: test_tamper,
# test_translations) ran alone at the end while the other worker idled. Measured on 2 cores.
LONGEST_FIRST = ("test_class.py", "test_nbgrader_zh.py", "test_nbgrader.py", "test_tamper.py",
                 "test_bad_submissions.py", "test_shards.py", "test_scaffold.py", "test_notebooks.py",
                 "test_cli.py", "test_dist.py", "test_translations.py", "test_browser.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
