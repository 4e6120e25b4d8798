"""Memory of a grading run: what a Kubernetes pod (deploy/k8s/) or a CI job must hold.

    .venv/bin/python bench/grading_memory.py PATH [--jobs 2]   # PATH: what `grade` takes

Runs ``python -m autograder grade PATH --jobs N --format json`` and samples, every 50 ms, the
resident memory (RSS, from /proc) of the grader's process and of each of its descendants (the
zygote, the learner processes). Prints the peaks: the grader's own and the largest single other
process's (each one's own high-water mark, VmHWM), and the whole tree's sum (sampled), which is what a container's memory limit counts (roughly: the
cgroup also counts the page cache). Linux only. It measures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(paths: list[str], jobs: int) -> dict:
    cmd = [sys.executable, "-m", "autograder", "grade", *paths, "--jobs", str(jobs), "--format", "json",
           "--output", os.devnull]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = {"grader": 0.0, "other": 0.0, "tree": 0.0}
    while proc.poll() is None:
        tree = _children()
        stack, total = list(tree.get(proc.pid, [])), _rss_mb(proc.pid)
        peak["grader"] = max(peak["grader"], _rss_mb(proc.pid, "VmHWM"))
        while stack:
            pid = stack.pop()
            rss = _rss_mb(pid)
            peak["other"] = max(peak["other"], _rss_mb(pid, "VmHWM"))
            total += rss
            stack += tree.get(pid, [])
        peak["tree"] = max(peak["tree"], total)
        time.sleep(0.05)
    return {**peak, "seconds": time.monotonic() - started, "status": proc.returncode,
            "stderr": proc.stderr.read().decode()[-400:]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="+")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    m = measure(args.paths, args.jobs)
    print(f"grade {' '.join(args.paths)} --jobs {args.jobs}: exit {m['status']} in {m['seconds']:.1f} s")
    print(f"peak RSS: grader {m['grader']:.0f} MB; largest other process {m['other']:.0f} MB; "
          f"whole tree {m['tree']:.0f} MB")
    if m["status"] not in (0, 1):
        print(m["stderr"], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
