"""Sharded grading: N shards of a class, merged, give exactly the unsharded result; the gradebook
path and the class report accept the merged results."""
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from autograder.results import MergeError, learners, merge, parse_shard, shard_members, shard_of
from tests.catalogue import catalogue
from tests.helpers import ROOT, learner_submission

A = "02-pooling-math"
LEARNERS = 240


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A few hundred synthetic submissions: solutions and catalogued mistakes, in nbgrader's layout."""
    root = tmp_path_factory.mktemp("shards")
    mistakes = [v for a, v in catalogue()[0] if a == A]
    for i in range(LEARNERS):
        variant = mistakes[i % len(mistakes)] if i % 3 else None
        nb = learner_submission(A, {variant.cell: variant.source} if variant else None)
        folder = root / "submitted" / f"learner{i:03d}" / A
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{A}.ipynb")
    return root


def _grade(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=3000)


def test_shards_are_balanced_and_the_same_everywhere():
    """Sizes differ by at most one learner for any class and any N (a hash of the id once gave three
    shards of a class of six 0, 1 and 5 learners); the same list gives the same split, in any order."""
    import random

    for size in range(0, 40):
        ids = [f"learner{i:02d}" for i in range(size)]
        for n in range(1, 9):
            split = [shard_members(ids, k, n) for k in range(1, n + 1)]
            sizes = [len(s) for s in split]
            assert max(sizes) - min(sizes) <= 1, (size, n, sizes)
            assert sorted(sum(split, [])) == sorted(ids), (size, n)
            shuffled = random.Random(size * 10 + n).sample(ids + ids[:3], len(ids) + min(3, size))
            assert [shard_members(shuffled, k, n) for k in range(1, n + 1)] == split  # order and repeats do not matter
            assert all(shard_of(s, n, shuffled) == k for k, members in enumerate(split, 1) for s in members)
    six = ["ada", "bob", "cyd", "dee", "eve", "fay"]
    assert [len(shard_members(six, k, 3)) for k in (1, 2, 3)] == [2, 2, 2]
    assert parse_shard("2/8") == (2, 8)
    for bad in ("0/4", "5/4", "2", "a/b"):
        with pytest.raises(ValueError, match="--shard"):
            parse_shard(bad)


def test_merged_shards_are_exactly_the_unsharded_result(classroom, tmp_path):
    whole = tmp_path / "whole.json"
    ran = _grade("grade", str(classroom / "submitted"), "--jobs", "2", "--format", "json", "--output", str(whole))
    assert ran.returncode == 1, ran.stderr
    shards = []
    for k in (1, 2, 3):
        out = tmp_path / f"shard{k}.json"
        ran = _grade("grade", str(classroom / "submitted"), "--jobs", "2", "--shard", f"{k}/3", "--format", "json",
                     "--output", str(out))
        assert ran.returncode in (0, 1), ran.stderr
        shards.append(out)
    per_shard = [json.loads(p.read_text())["submissions"] for p in shards]
    assert all(per_shard) and sum(map(len, per_shard)) == LEARNERS
    assert max(map(len, per_shard)) - min(map(len, per_shard)) <= 1, [len(p) for p in per_shard]
    assert not set.intersection(*({s["student"] for s in subs} for subs in per_shard))
    merged = tmp_path / "merged.json"
    ran = _grade("merge", *map(str, shards), "--output", str(merged))
    assert ran.returncode == 1, ran.stderr
    # it says what it merged, then the summary (before: exit 1 and not a word)
    said = ran.stdout.splitlines()
    assert said[0] == (f"autograder merge: merged 3 shards (1/3, 2/3, 3/3): {LEARNERS} submissions of {LEARNERS} "
                       f"learners into {merged}"), ran.stdout
    assert said[-1].startswith(f"Summary: {LEARNERS} graded: "), ran.stdout
    refused = _grade("merge", *map(str, shards[:2]), "--output", str(tmp_path / "half.json"))
    assert refused.returncode == 2 and not (tmp_path / "half.json").exists()
    assert "nothing was merged: the shards are not exactly 1..N" in refused.stderr, refused.stderr
    unsharded, joined = json.loads(whole.read_text()), json.loads(merged.read_text())
    assert joined["submissions"] == unsharded["submissions"]
    assert {k: v for k, v in joined.items() if k != "shard"} == {k: v for k, v in unsharded.items() if k != "shard"}
    report = tmp_path / "report.html"
    ran = _grade("report", "--results", str(merged), "--output", str(report))
    assert ran.returncode == 0 and f"{LEARNERS} submissions" in ran.stdout, ran.stderr
    made = re.search(r'<p class=note>(Made .*?)</p>', report.read_text(), re.S).group(1)
    assert made.endswith(f"from the results {merged} (automatic checks only)."), made  # not "... and the same."
    with pytest.raises(MergeError, match="1..N"):
        merge(shards[:2])
    with pytest.raises(MergeError, match="has two results"):
        merge([whole, whole])


def test_shards_cut_from_different_lists_of_learners_do_not_merge(tmp_path):
    """The split depends on the whole list of learners: a shard graded after a learner was added
    would overlap or miss others, so merge refuses it."""
    one = {"autograder": "0.1.0", "tensorflow": "2.21.0", "device": "/CPU:0", "cases_from": "aaaa", "shard": "1/2",
           "learners": learners(["ada", "bob", "cyd"]), "submissions": []}
    two = {**one, "shard": "2/2", "learners": learners(["ada", "bob", "cyd", "dee"])}
    paths = []
    for i, doc in enumerate((one, two)):
        paths.append(tmp_path / f"{i}.json")
        paths[-1].write_text(json.dumps(doc))
    with pytest.raises(MergeError, match="different lists of learners"):
        merge(paths)
    two["learners"] = learners(["cyd", "bob", "ada"])  # the same list, in another order
    paths[1].write_text(json.dumps(two))
    assert merge(paths)[1] == []


def test_shards_graded_with_another_secret_do_not_merge(tmp_path):
    one = {"autograder": "0.1.0", "tensorflow": "2.21.0", "device": "/CPU:0", "cases_from": "aaaa", "shard": "1/2",
           "submissions": []}
    two = {**one, "cases_from": "bbbb", "shard": "2/2"}
    paths = []
    for i, doc in enumerate((one, two)):
        paths.append(tmp_path / f"{i}.json")
        paths[-1].write_text(json.dumps(doc))
    with pytest.raises(MergeError, match="graded differently"):
        merge(paths)
