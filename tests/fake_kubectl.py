"""A stand-in for ``kubectl`` against a pretend cluster, for running deploy/k8s/grade-class.sh offline.

The cluster's state lives in the folder ``FAKE_K8S`` names: ``volume/`` (the grading volume),
``secret`` (the Secret autograder-secret's value, when it exists), ``applied/`` (every object
applied, as YAML), ``jobs.json`` (each Job's conditions and failed indexes) and ``calls.log``
(every command line). What it does with each command grade-class.sh runs:

* ``apply -f -``: records the objects; a Pod makes ``volume/results``; a Job runs its pods here,
  all at once, as the kubelet would: the container's ``args`` given to ``deploy/grade.sh`` with
  the container's environment (the Secret's value for ``secretKeyRef``), ``JOB_COMPLETION_INDEX``
  for an Indexed Job, and each mount's path mapped into ``volume/`` (its ``subPath``). An index
  whose pod fails is retried up to ``backoffLimitPerIndex`` times unless ``podFailurePolicy`` says
  ``FailIndex`` for its exit code; a failed index fails the Job (``maxFailedIndexes: 0``).
  ``FAKE_K8S_BREAK_INDEX=I`` makes index I's pod start with a broken ``JOB_COMPLETION_INDEX`` (and
  runs that pod alone: the others would be stopped when the Job fails);
* ``exec [-i] POD -- CMD...``: runs CMD here with ``/grading`` mapped to ``volume/``;
* ``get job NAME -o jsonpath=...``: the Job's true conditions, or its failed indexes;
* ``get secret``, ``wait``, ``delete``, ``logs``: what the state says, or nothing to do.
"""
from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
STATE = Path(os.environ["FAKE_K8S"])
VOLUME = STATE / "volume"


def _jobs() -> dict:
    path = STATE / "jobs.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _save_jobs(jobs: dict) -> None:
    (STATE / "jobs.json").write_text(json.dumps(jobs))


def _pod(spec: dict, index: int | None, python: str) -> int:
    """Run one pod of a Job's template here: deploy/grade.sh with the container's args and environment."""
    container = spec["template"]["spec"]["containers"][0]
    mounts = {m["mountPath"]: VOLUME / m.get("subPath", "") for m in container.get("volumeMounts", [])
              if m["name"] != "tmp"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTOGRADER_", "SHARD", "JOB_"))}
    for item in container.get("env", []):
        if "valueFrom" in item:
            env[item["name"]] = (STATE / "secret").read_text()
        else:
            value = item["value"]
            env[item["name"]] = str(mounts.get(value, value))
    if index is not None:
        env["JOB_COMPLETION_INDEX"] = str(index)
        if os.environ.get("FAKE_K8S_BREAK_INDEX") == str(index):
            env["JOB_COMPLETION_INDEX"] = "broken"
    env.update(PYTHON=python, PYTHONPATH=str(ROOT))
    done = subprocess.run(["bash", str(ROOT / "deploy" / "grade.sh"), *container.get("args", [])], env=env,
                          capture_output=True, text=True, timeout=1800)
    with open(STATE / "pods.log", "a") as log:
        log.write(f"--- {index} exit {done.returncode}\n{done.stderr}\n")
    return done.returncode


def _run_job(job: dict) -> dict:
    spec = job["spec"]
    python = os.environ.get("FAKE_K8S_PYTHON", sys.executable)
    indexed = spec.get("completionMode") == "Indexed"
    indexes = list(range(spec.get("completions", 1))) if indexed else [None]
    if indexed and os.environ.get("FAKE_K8S_BREAK_INDEX"):
        indexes = [int(os.environ["FAKE_K8S_BREAK_INDEX"])]
    fail_now = {v for rule in spec.get("podFailurePolicy", {}).get("rules", []) if rule["action"] == "FailIndex"
                for v in rule.get("onExitCodes", {}).get("values", [])}
    retries = spec.get("backoffLimitPerIndex", spec.get("backoffLimit", 0))

    def attempt(index):
        for _ in range(retries + 1):
            code = _pod(spec, index, python)
            if code == 0 or code in fail_now:
                return code
        return code

    with concurrent.futures.ThreadPoolExecutor(max_workers=spec.get("parallelism", 1)) as pool:
        codes = dict(zip(indexes, pool.map(attempt, indexes)))
    failed = [str(i) for i, code in codes.items() if code != 0]
    return {"conditions": ["Failed"] if failed else ["Complete"], "failedIndexes": ",".join(failed)}


def main(args: list[str]) -> int:
    STATE.mkdir(parents=True, exist_ok=True)
    with open(STATE / "calls.log", "a") as log:
        log.write(" ".join(args) + "\n")
    if args[:2] == ["get", "secret"]:
        return 0 if (STATE / "secret").exists() else 1
    if args[0] == "apply":
        assert args[1:] == ["-f", "-"], args
        jobs = _jobs()
        for doc in yaml.safe_load_all(sys.stdin.read()):
            name = doc["metadata"]["name"]
            (STATE / "applied").mkdir(exist_ok=True)
            (STATE / "applied" / f"{doc['kind']}-{name}.yaml").write_text(yaml.safe_dump(doc))
            if doc["kind"] == "Pod":
                (VOLUME / "results").mkdir(parents=True, exist_ok=True)
            if doc["kind"] == "Job":
                if name in jobs:
                    print(f"job.batch/{name} unchanged")  # a Job is not run again: delete it first
                    continue
                jobs[name] = _run_job(doc)
            print(f"{doc['kind'].lower()}/{name} configured")
        _save_jobs(jobs)
        return 0
    if args[0] == "delete":
        jobs = _jobs()
        for name in args[2:]:
            jobs.pop(name, None)
        _save_jobs(jobs)
        return 0
    if args[0] == "exec":
        command = args[args.index("--") + 1:]
        command = [part.replace("/grading", str(VOLUME)) for part in command]
        return subprocess.run(command, stdin=sys.stdin if "-i" in args else subprocess.DEVNULL).returncode
    if args[:2] == ["get", "job"]:
        job = _jobs().get(args[2])
        if job is None:
            print(f'Error from server (NotFound): jobs.batch "{args[2]}" not found', file=sys.stderr)
            return 1
        print(job["failedIndexes"] if "failedIndexes}" in args[-1] else " ".join(job["conditions"]) + " ", end="")
        return 0
    if args[0] in ("wait", "logs"):
        return 0
    print(f"fake kubectl: {' '.join(args)} is not something grade-class.sh runs", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
