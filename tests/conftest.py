"""Test session settings: a fixed grading secret, so the hidden cases are the same in every run
(and no test makes a grading/secret file in the repository). Subprocesses inherit it."""
import os

TEST_SECRET = "pooling-course-test-secret"
os.environ.setdefault("AUTOGRADER_SECRET", TEST_SECRET)
