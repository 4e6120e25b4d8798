"""Grading past one machine: the grading image's files and entry point, the Kubernetes manifests and
the GitHub Actions workflows, checked offline.

There is no container daemon here, so the image itself is built by .github/workflows/image.yml;
these tests run its entry point (deploy/grade.sh) directly, with the two folders set by
SUBMISSIONS_DIR and RESULTS_DIR, on a small class, whole and in shards."""
import json
import os
import re
import shlex
import subprocess
import sys
from xml.etree import ElementTree

import nbformat
import pytest

from autograder.results import shard_of
from tests.catalogue import catalogue
from tests.conftest import TEST_SECRET
from tests.docs import documented
from tests.helpers import COURSE, ROOT, learner_submission

A = "02-pooling-math"
GRADE_SH = ROOT / "deploy" / "grade.sh"


# ----------------------------------------------------------------------------- requirements and the image
def _pins(path):
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_the_gpu_requirements_differ_only_in_tensorflow():
    cpu, gpu = _pins(ROOT / "requirements.txt"), _pins(ROOT / "requirements-gpu.txt")
    assert len(cpu) == len(gpu)
    differ = [(c, g) for c, g in zip(cpu, gpu) if c != g]
    assert len(differ) == 1, differ
    (c, g), = differ
    version = c.split("==")[1]
    assert c == f"tensorflow-cpu=={version}" and g == f"tensorflow[and-cuda]=={version}"


def _dockerfile():
    """The Dockerfile's instructions (continuation lines joined, comments dropped)."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_the_dockerfile_builds_the_pinned_image_and_grades_with_the_entry_point():
    lines = _dockerfile()
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in lines and "FROM ${PYTHON_IMAGE}" in lines
    assert "ARG REQUIREMENTS=requirements.txt" in lines
    assert any(re.search(r"pip install -r \S*\$\{REQUIREMENTS\}", line) for line in lines)
    assert any(re.search(r"pip install --no-deps /tmp/build\b", line) for line in lines)  # the package itself
    entry = next(line for line in lines if line.startswith("ENTRYPOINT"))
    assert json.loads(entry.split(None, 1)[1]) == ["/srv/course/deploy/grade.sh"]
    assert any(line.startswith("USER ") and not line.endswith(" root") for line in lines)
    mode = subprocess.run(["git", "ls-files", "-s", "deploy/grade.sh"], cwd=ROOT, capture_output=True, text=True)
    assert mode.stdout.startswith("100755") or os.access(GRADE_SH, os.X_OK), mode.stdout


def test_the_build_context_lets_in_only_what_the_image_copies():
    """.dockerignore ignores everything, then lets in the files the Dockerfile copies: never
    solutions/, grading/ (the secret, the submissions), work/ or .venv/."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert patterns[0] == "*"
    allowed = {p[1:].rstrip("/") for p in patterns if p.startswith("!")}
    assert not allowed & {"solutions", "grading", "work", ".venv", "grading-samples", "tests"}, allowed
    copied = set()
    for line in _dockerfile():
        if line.startswith("COPY ") and "--from" not in line:
            copied.update(p.rstrip("/") for p in shlex.split(line)[1:-1])
    assert copied and copied <= allowed, copied - allowed
    for path in copied:
        assert (ROOT / path).exists(), path


# ----------------------------------------------------------------------------- the entry point
@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """Four learners in nbgrader's submitted/ layout, split 2 + 2 by `--shard K/2`."""
    root = tmp_path_factory.mktemp("deploy")
    variant = next(v for a, v in catalogue()[0] if a == A and v.exercise == "pool2d")
    learners = {"ada": learner_submission(A), "bob": nbformat.read(COURSE / A / f"{A}.ipynb", as_version=4),
                "cyd": learner_submission(A, {variant.cell: variant.source}), "dee": learner_submission(A)}
    assert {shard_of(name, 2, learners) for name in learners} == {1, 2}
    for name, nb in learners.items():
        folder = root / "submissions" / "submitted" / name / A
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{A}.ipynb")
    (root / "secret").write_text(TEST_SECRET + "\n")
    return root


def _entry(*args, **settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_") and k not in ("SHARD", "SHARDS")}
    env.update(PYTHON=sys.executable, PYTHONPATH=str(ROOT), JOBS="2")
    env.update({k: str(v) for k, v in settings.items()})
    return subprocess.run(["bash", str(GRADE_SH), *args], capture_output=True, text=True, env=env, timeout=1800)


def test_it_refuses_to_grade_without_a_secret(classroom, tmp_path):
    secret_file = ROOT / "grading" / "secret"
    existed = secret_file.exists()
    for settings in ({}, {"AUTOGRADER_SECRET": "   "}, {"AUTOGRADER_SECRET_FILE": tmp_path / "missing"},
                     {"AUTOGRADER_SECRET_FILE": classroom / "submissions" / "blank"}):
        (classroom / "submissions" / "blank").write_text("\n")
        done = _entry(SUBMISSIONS_DIR=classroom / "submissions", RESULTS_DIR=tmp_path, **settings)
        assert done.returncode == 3, (settings, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "secret" in done.stderr, done.stderr
        assert not list(tmp_path.iterdir())  # nothing graded, nothing written
        (classroom / "submissions" / "blank").unlink()
    assert secret_file.exists() == existed  # and no secret made in the course root


def test_bad_settings_are_usage_errors(classroom, tmp_path):
    cases = [({"SHARD": "3/2"}, "--shard"), ({"JOB_COMPLETION_INDEX": "0"}, "SHARDS"),
             ({"JOB_COMPLETION_INDEX": "x", "SHARDS": "2"}, "JOB_COMPLETION_INDEX"),
             ({"SUBMISSIONS_DIR": tmp_path / "none"}, "no submissions"), ({"RESULTS_DIR": tmp_path / "none"}, "results")]
    for settings, said in cases:
        base = {"SUBMISSIONS_DIR": classroom / "submissions", "RESULTS_DIR": tmp_path, "AUTOGRADER_SECRET": TEST_SECRET}
        done = _entry(**{**base, **settings})
        assert done.returncode == 2 and said in done.stderr, (settings, done.stderr)
    done = _entry("merge", RESULTS_DIR=tmp_path)
    assert done.returncode == 2 and "no shard" in done.stderr


def _submissions(path):
    return json.loads(path.read_text())["submissions"]


@pytest.fixture(scope="module")
def whole(classroom, tmp_path_factory):
    """The whole class graded by the entry point, without shards: results.json, results.xml, report.html."""
    folder = tmp_path_factory.mktemp("whole")
    done = _entry(SUBMISSIONS_DIR=classroom / "submissions", RESULTS_DIR=folder,
                  AUTOGRADER_SECRET_FILE=classroom / "secret")
    return folder, done


def test_a_class_whole(classroom, whole):
    """The whole class into results.json, results.xml and report.html (exit 0: points lost are
    results); its shards on Kubernetes: test_the_cluster_path_as_written."""
    folder, done = whole
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "results.json", "results.xml"]
    head = json.loads((folder / "results.json").read_text())
    scores = {s["student"]: s["score"] for s in head["submissions"]}
    assert scores["ada"] == scores["dee"] == 8 and scores["bob"] == 0 and 0 < scores["cyd"] < 8, scores
    from autograder.secret import fingerprint

    assert head["cases_from"] == fingerprint(TEST_SECRET)  # the mounted secret, not practice cases
    junit = ElementTree.parse(folder / "results.xml").getroot()
    assert len(junit.findall("testsuite")) == 4 and junit.findall(".//failure")
    assert "4 submissions" in done.stdout and "cyd" in done.stdout  # the report's line and the table


# ----------------------------------------------------------------------------- Kubernetes
K8S = ROOT / "deploy" / "k8s"


def _manifests():
    import yaml

    docs = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and "kind" in doc and doc["kind"] != "Kustomization" and "apiVersion" in doc:
                docs[(doc["kind"], doc["metadata"]["name"])] = doc
    return docs


def _quantity(text) -> float:
    """A Kubernetes quantity in bytes (memory) or cores (cpu)."""
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9}
    number, unit = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(text)).groups()
    return float(number) * units.get(unit, 1)


def _container(job):
    spec = job["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    return spec, container, {e["name"]: e for e in container.get("env", [])}


def test_the_manifests_parse_and_hold_what_each_needs():
    docs = _manifests()
    assert set(docs) == {("PersistentVolumeClaim", "grading"), ("Pod", "grading-shell"), ("Job", "grade-class"),
                         ("Job", "merge-results")}, set(docs)
    for (kind, name), doc in docs.items():
        assert doc["apiVersion"] == {"Job": "batch/v1"}.get(kind, "v1"), (kind, name)
    pvc = docs[("PersistentVolumeClaim", "grading")]
    assert pvc["spec"]["accessModes"] and pvc["spec"]["resources"]["requests"]["storage"]
    claims = set()
    for doc in docs.values():
        if doc["kind"] in ("Job", "Pod"):
            pod = doc["spec"]["template"]["spec"] if doc["kind"] == "Job" else doc["spec"]
            volumes = {v["name"]: v for v in pod["volumes"]}
            for c in pod["containers"]:
                assert c["image"] and c["resources"]["requests"] and c["resources"]["limits"], c["name"]
                assert c["securityContext"]["allowPrivilegeEscalation"] is False
                assert all(m["name"] in volumes for m in c["volumeMounts"])
            assert pod["securityContext"]["runAsNonRoot"] is True and pod["automountServiceAccountToken"] is False
            claims |= {v["persistentVolumeClaim"]["claimName"] for v in volumes.values() if "persistentVolumeClaim" in v}
    assert claims == {"grading"}


def test_the_grading_job_is_indexed_one_shard_per_index():
    job = _manifests()[("Job", "grade-class")]
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    n = spec["completions"]
    assert 1 <= spec["parallelism"] <= n
    pod, container, env = _container(job)
    assert pod["restartPolicy"] == "Never"
    assert env["SHARDS"]["value"] == str(n)  # grade.sh: shard JOB_COMPLETION_INDEX + 1 of SHARDS
    assert "JOB_COMPLETION_INDEX" not in env and "SHARD" not in env  # Kubernetes sets the index
    assert env["AUTOGRADER_SECRET"]["valueFrom"]["secretKeyRef"] == {"name": "autograder-secret", "key": "secret"}
    assert container["args"] == ["grade"]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/submissions"]["readOnly"] is True and mounts["/submissions"]["subPath"] == "submitted"
    assert mounts["/results"]["subPath"] == "results" and not mounts["/results"].get("readOnly")
    assert {env["SUBMISSIONS_DIR"]["value"], env["RESULTS_DIR"]["value"]} == {"/submissions", "/results"}


def test_the_grading_pods_are_sized_from_the_measurements():
    """Requests hold the grader with TensorFlow (a 1.5 GB budget; bench/grading_memory.py measured
    0.7 GB) and JOBS learners; the limit leaves room for JOBS learner processes at their own cap
    (grade --memory, 4 GB by default), so that cap fires before the pod's."""
    from autograder.sandbox.limits import Limits

    _, container, env = _container(_manifests()[("Job", "grade-class")])
    jobs = int(env["JOBS"]["value"])
    requests, limits = container["resources"]["requests"], container["resources"]["limits"]
    assert _quantity(requests["memory"]) >= 1.5 * 2**30
    assert _quantity(limits["memory"]) >= 1.5 * 2**30 + jobs * Limits().memory_mb * 2**20
    assert _quantity(requests["cpu"]) >= jobs
    merge = _container(_manifests()[("Job", "merge-results")])
    assert merge[1]["args"] == ["merge"] and "AUTOGRADER_SECRET" not in merge[2]  # merging grades nothing


def test_the_job_runs_the_entry_point_with_the_index_kubernetes_gives(tmp_path):
    """What a pod does with JOB_COMPLETION_INDEX and SHARDS is tested on a class in
    test_a_class_whole_and_in_shards; here, the last index is the last shard."""
    n = _manifests()[("Job", "grade-class")]["spec"]["completions"]
    done = _entry(SUBMISSIONS_DIR=tmp_path / "empty", RESULTS_DIR=tmp_path, AUTOGRADER_SECRET=TEST_SECRET,
                  JOB_COMPLETION_INDEX=n - 1, SHARDS=n)
    assert done.returncode == 2 and "no submissions" in done.stderr  # settings accepted; nothing to grade


def test_the_volume_needs_no_read_write_many_and_every_pod_runs_beside_it():
    """Managed clusters' default storage classes offer ReadWriteOnce only (a ReadWriteMany claim stays
    Pending there): one node mounts the volume, so each Job's pods ask for the shell pod's node."""
    docs = _manifests()
    assert docs[("PersistentVolumeClaim", "grading")]["spec"]["accessModes"] == ["ReadWriteOnce"]
    shell = docs[("Pod", "grading-shell")]["metadata"]["labels"]
    for name in ("grade-class", "merge-results"):
        pod = docs[("Job", name)]["spec"]["template"]["spec"]
        (term,) = pod["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term["topologyKey"] == "kubernetes.io/hostname"
        assert term["labelSelector"]["matchLabels"].items() <= shell.items(), (name, term)


def test_a_failed_shard_fails_the_job_at_once():
    """A wait on the Job must end when a shard has failed (before: `kubectl wait --for=condition=complete`
    sat out its 3 hours): a bad setting (exit 2) fails its index without retries, a failed index fails the Job."""
    spec = _manifests()[("Job", "grade-class")]["spec"]
    assert spec["maxFailedIndexes"] == 0 and spec["backoffLimitPerIndex"] >= 1
    rules = spec["podFailurePolicy"]["rules"]
    assert {"action": "FailIndex", "onExitCodes": {"containerName": "grade", "operator": "In", "values": [2]}} in rules
    assert _container(_manifests()[("Job", "grade-class")])[1]["name"] == "grade"


def _schema_versions():
    import kubernetes_validate

    return ["1.29.0", kubernetes_validate.utils.latest_version()]  # backoffLimitPerIndex's first, the newest


@pytest.mark.parametrize("version", _schema_versions())
def test_every_manifest_passes_the_kubernetes_api_schema(version):
    """Each object against the Kubernetes API's own schema for that version (kubernetes-validate ships
    them: offline), strictly: a misspelt field fails here instead of being dropped by the cluster."""
    import kubernetes_validate
    import yaml

    checked = 0
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and "kind" in doc:
                kubernetes_validate.validate(doc, version, strict=True)
                checked += 1
    assert checked == 4
    broken = {**_manifests()[("Job", "grade-class")]}
    broken["spec"] = {**broken["spec"], "backoffLimitPerIndx": 1}
    with pytest.raises(kubernetes_validate.ValidationError, match="backoffLimitPerIndx"):
        kubernetes_validate.validate(broken, version, strict=True)


GRADE_CLASS = K8S / "grade-class.sh"
IMAGE = "registry.example.org/course/pooling-grader:v1.0"


def _cluster(state, *args, **settings):
    """deploy/k8s/grade-class.sh against the pretend cluster of tests/fake_kubectl.py in ``state``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "SHARD", "JOB_"))}
    env.update(FAKE_K8S=str(state), KUBECTL=f"{sys.executable} {ROOT / 'tests' / 'fake_kubectl.py'}", POLL="0",
               IMAGE=IMAGE)
    env.update({k: str(v) for k, v in settings.items()})
    return subprocess.run(["bash", str(GRADE_CLASS), *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=1800)


def test_the_cluster_path_refuses_a_placeholder_image_or_a_missing_secret(classroom, tmp_path):
    done = _cluster(tmp_path / "k8s", classroom / "submissions" / "submitted", tmp_path / "results",
                    IMAGE="ghcr.io/YOUR-ORG/pooling-grader:v1.0")
    assert done.returncode == 2 and "placeholder" in done.stderr, done.stderr
    done = _cluster(tmp_path / "k8s", classroom / "submissions" / "submitted", tmp_path / "results")
    assert done.returncode == 2 and "kubectl create secret generic autograder-secret" in done.stderr, done.stderr


def test_the_cluster_path_as_written(classroom, whole, tmp_path):
    """docs/grading-past-one-machine.md's Kubernetes run, on a pretend cluster that runs the pods here
    (tests/fake_kubectl.py): the manifests as applied pass the API schema, each of the N shards grades
    its learners, the merge gives the whole run's results. Run again, the copy is the same (no
    submitted/submitted) and old results go; a shard that fails ends the wait at once, no merge."""
    import kubernetes_validate
    import yaml

    state, results = tmp_path / "k8s", tmp_path / "results"
    state.mkdir()
    (state / "secret").write_text(TEST_SECRET)
    (argv,) = documented("grading-past-one-machine.md", "deploy/k8s/grade-class.sh grading/submitted results",
                         **{"grading/submitted": str(classroom / "submissions" / "submitted"), "results": str(results)})
    assert argv[0] == str(GRADE_CLASS.relative_to(ROOT))
    done = _cluster(state, *argv[1:])
    assert done.returncode == 0, done.stderr + (state / "pods.log").read_text()
    n = _manifests()[("Job", "grade-class")]["spec"]["completions"]
    assert sorted(p.name for p in results.iterdir()) == sorted(
        ["report.html", "results.json", "results.xml"] + [f"shard-{k}-of-{n}.json" for k in range(1, n + 1)])
    sizes = [len(_submissions(results / f"shard-{k}-of-{n}.json")) for k in range(1, n + 1)]
    assert max(sizes) - min(sizes) <= 1, sizes  # balanced: 4 learners in 4 shards, one each
    def graded(path):  # everything but where the notebook was (the pretend volume, or the class's folder)
        return [{k: v for k, v in sub.items() if k != "path"} for sub in _submissions(path)]

    assert graded(results / "results.json") == graded(whole[0] / "results.json")
    applied = sorted((state / "applied").glob("*.yaml"))
    assert len(applied) == 4
    for path in applied:
        doc = yaml.safe_load(path.read_text())
        kubernetes_validate.validate(doc, _schema_versions()[0], strict=True)
        images = {c["image"] for c in (doc["spec"].get("template", {}).get("spec", doc["spec"])).get("containers", [])}
        assert images <= {IMAGE} and "YOUR-ORG" not in path.read_text(), path.name
    submitted = sorted(p.relative_to(state / "volume") for p in (state / "volume" / "submitted").rglob("*.ipynb"))

    (results / "results.json").unlink()
    again = _cluster(state, classroom / "submissions" / "submitted", results, FAKE_K8S_BREAK_INDEX=1)
    assert again.returncode == 1, again.stderr
    assert "job/grade-class failed; failed shards (completion indexes): 1" in again.stderr
    assert sorted(p.relative_to(state / "volume") for p in (state / "volume" / "submitted").rglob("*.ipynb")) == \
        submitted, "the second copy is the same files, not submitted/submitted"
    assert not (results / "results.json").exists(), "no merge after a failed shard"
    calls = (state / "calls.log").read_text().splitlines()
    assert calls.count("delete job grade-class merge-results --ignore-not-found --cascade=foreground") == 2
    second = calls[len(calls) - 1 - calls[::-1].index("get secret autograder-secret"):]
    assert not [line for line in second if "merge-results" in line and not line.startswith("delete")], second


def _kubectl():
    from shutil import which

    return which("kubectl")


@pytest.mark.skipif(not _kubectl(), reason="kubectl is not installed")
def test_kustomize_renders_the_manifests_offline():
    done = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\nkind: ") + done.stdout.startswith("kind: ") >= 3


@pytest.mark.skipif(not _kubectl(), reason="kubectl is not installed")
def test_kubectl_client_dry_run():
    files = [str(p) for p in sorted(K8S.glob("*.yaml")) if p.name != "kustomization.yaml"]
    args = ["kubectl", "apply", "--dry-run=client", "--validate=false"] + [a for f in files for a in ("-f", f)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode and re.search(r"connection refused|unable to recognize|couldn't get current server API|"
                                     r"no configuration has been provided", done.stderr):
        pytest.skip("kubectl apply --dry-run=client needs a cluster's API discovery even with --validate=false "
                    f"(no cluster here): {done.stderr.strip().splitlines()[-1][:160]}")
    assert done.returncode == 0, done.stderr
    assert "created (dry run)" in done.stdout or "configured (dry run)" in done.stdout


# ----------------------------------------------------------------------------- GitHub Actions
WORKFLOWS = ROOT / ".github" / "workflows"
_PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
_USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)\s*(#.*)?$")


def _workflow_texts():
    """Every workflow: the repository's own, and the examples in docs/ (```yaml blocks with jobs)."""
    texts = {str(p.relative_to(ROOT)): p.read_text() for p in sorted(WORKFLOWS.glob("*.y*ml"))}
    for doc in sorted((ROOT / "docs").glob("*.md")):
        for i, block in enumerate(re.findall(r"```ya?ml\n(.*?)```", doc.read_text(), re.S)):
            if re.search(r"^jobs:", block, re.M):
                texts[f"{doc.relative_to(ROOT)} (example {i + 1})"] = block
    return texts


def _load(text):
    import yaml

    doc = yaml.safe_load(text)
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
    return doc


def _steps(doc):
    for name, job in doc["jobs"].items():
        for step in job.get("steps", []):
            yield name, step


def test_the_workflows_are_there_and_parse():
    texts = _workflow_texts()
    for name in ("autograde-solutions.yml", "grade-class.yml", "image.yml", "tests.yml"):
        assert f".github/workflows/{name}" in texts, name
    assert any(name.startswith("docs/grade-a-learner-repository.md") for name in texts)
    for name, text in texts.items():
        doc = _load(text)
        assert doc["on"] and doc["jobs"], name
        for job_name, job in doc["jobs"].items():
            assert job.get("runs-on") and (job.get("steps") or job.get("uses")), (name, job_name)


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment():
    for name, text in _workflow_texts().items():
        parsed = [step["uses"] for _, step in _steps(_load(text)) if "uses" in step]
        assert parsed, name
        for ref in parsed:
            assert _PINNED.match(ref), f"{name}: {ref} is not pinned to a 40-character commit SHA"
        lines = [m for m in map(_USES_LINE.match, text.splitlines()) if m]
        assert len(lines) == len(parsed), name
        for m in lines:
            assert m.group(2) and re.match(r"#\s*v\d+(\.\d+)*\b", m.group(2)), f"{name}: {m.group(1)} has no # vX.Y.Z"
    # one action, one commit, everywhere
    pins = {}
    for name, text in _workflow_texts().items():
        for m in filter(None, map(_USES_LINE.match, text.splitlines())):
            action, sha = m.group(1).split("@")
            pins.setdefault(action, set()).add((sha, m.group(2).strip()))
    assert all(len(v) == 1 for v in pins.values()), pins


def test_every_workflow_has_least_permissions_and_no_persisted_credentials():
    for name, text in _workflow_texts().items():
        doc = _load(text)
        assert "permissions" in doc, f"{name}: no top-level permissions"
        assert doc["permissions"] in ({}, {"contents": "read"}), f"{name}: {doc['permissions']}"
        for job_name, job in doc["jobs"].items():
            granted = job.get("permissions", {})
            writes = {k for k, v in granted.items() if v == "write"}
            assert writes <= {"packages"}, (name, job_name, granted)
            if writes:  # only the image push, and only on tags
                assert "refs/tags/" in str(job.get("if")), (name, job_name)
        checkouts = [step for _, step in _steps(doc) if step.get("uses", "").startswith("actions/checkout@")]
        for step in checkouts:
            assert step.get("with", {}).get("persist-credentials") is False, f"{name}: {step}"


def test_the_class_is_graded_in_shards_then_merged():
    doc = _load((WORKFLOWS / "grade-class.yml").read_text())
    assert set(doc["on"]) == {"workflow_dispatch"}
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert {"submissions-repository", "shards"} <= set(inputs)
    grade, merge = doc["jobs"]["grade"], doc["jobs"]["merge"]
    assert "fromJSON(needs.plan.outputs.shards)" in str(grade["strategy"]["matrix"]["shard"])
    run = next(s for s in grade["steps"] if "deploy/grade.sh" in s.get("run", ""))
    assert run["env"]["AUTOGRADER_SECRET"] == "${{ secrets.AUTOGRADER_SECRET }}"
    assert run["env"]["SHARD"] == "${{ matrix.shard }}/${{ needs.plan.outputs.count }}"
    assert any("upload-artifact" in s.get("uses", "") for s in grade["steps"])
    assert "grade" in merge["needs"]
    steps = [s.get("uses", "") + s.get("run", "") for s in merge["steps"]]
    assert any("download-artifact" in s for s in steps) and any("grade.sh merge" in s for s in steps)
    report = next(s for s in merge["steps"] if "upload-artifact" in s.get("uses", ""))
    assert {"results/results.json", "results/results.xml", "results/report.html"} <= set(report["with"]["path"].split())
    # submissions are data: the only things run come from this repository
    assert all("class/" not in s.get("run", "") for _, s in _steps(doc))


def test_the_tests_workflow_runs_ci_with_a_pip_cache():
    doc = _load((WORKFLOWS / "tests.yml").read_text())
    steps = [s for _, s in _steps(doc)]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11" and python["with"]["cache"] == "pip"
    assert python["with"]["cache-dependency-path"] == "requirements.txt"
    assert any(s.get("run") == "bash .ci/run" for s in steps)


def test_the_image_workflow_builds_cpu_and_gpu_and_pushes_only_tags():
    doc = _load((WORKFLOWS / "image.yml").read_text())
    for job in ("build", "push"):
        variants = doc["jobs"][job]["strategy"]["matrix"]["include"]
        assert {v["requirements"] for v in variants} == {"requirements.txt", "requirements-gpu.txt"}
    assert doc["jobs"]["push"]["if"] == "startsWith(github.ref, 'refs/tags/v')"
    for _, step in _steps({"jobs": {"build": doc["jobs"]["build"]}}):
        assert step.get("with", {}).get("push") in (None, False), step
