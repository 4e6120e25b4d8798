"""Which walls held around a learner run, in one record and one plain line.

Both reports it is made from were sent before any learner code ran (the supervisor's account of
its namespaces and new root, then the learner's process's Landlock report and the user it runs
as); the control group is the grader's own. Every result carries this record: a reader of the
results knows, for each learner, what confined the code that was graded.
"""
from __future__ import annotations

__all__ = ["account"]


def account(walls: dict, landlock_report: dict, group, no_group: str = "") -> dict:
    """Which walls held, from the supervisor's and the learner's reports (both sent before any learner
    code ran), the control group the grader made, and a plain line."""
    from .landlock import Confinement

    fields = {k: landlock_report.get(k) for k in ("abi", "filesystem", "network", "signals", "abstract_sockets", "reason")}
    try:
        held = Confinement.from_dict(fields)
    except ValueError:
        held = Confinement(0, reason="the learner's process sent no readable report of its confinement")
    spaces = [name for key, name in (("pid_namespace", "PID"), ("network_namespace", "network"),
                                     ("mount_namespace", "mount")) if walls.get(key) is True]
    user = str(landlock_report.get("user") or "the grader's")[:40]
    parts = [held.describe()]
    parts.append(f"{', '.join(spaces)} namespaces" if spaces else "no namespaces")
    parts.append(f"running as {user}")
    parts.append(group.describe() if group is not None else f"no control group ({no_group}): per-process limits only")
    if walls.get("reason"):
        parts.append(str(walls["reason"])[:300])
    return {**held.to_dict(), "walls": {k: walls.get(k) for k in ("pid_namespace", "network_namespace",
                                                                   "mount_namespace", "disk_mb")},
            "user": user, "cgroup": group.describe() if group is not None else "", "describe": "; ".join(parts)}
