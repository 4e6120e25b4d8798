"""The sandbox: learner code runs here, in separate, walled-in processes, never in the grader.

The grader's side:

* :mod:`.runner`: start the learner's side, drive it one request at a time, time it, stop it;
* :mod:`.start`, :mod:`.zygote`: how the learner's side starts (forked from a pre-imported zygote);
* :mod:`.files`: which files of a submission the learner's code gets, and how the notebook is read
  (regular files only, never through a link);
* :mod:`.cgroups`: one memory budget, process count and CPU clock for a run's process tree;
* :mod:`.held`: the plain account of which walls held;
* :mod:`.limits`: the limits (:class:`Limits`, the one place their defaults live).

The learner's side, which trusts nothing it does not build before learner code runs:

* :mod:`.learner`: the supervisor, the namespace's init and the learner's process;
* :mod:`.walls`: namespaces, the new root, an unprivileged user;
* :mod:`.landlock`: the confinement that needs no privilege (files, TCP, signals, abstract sockets);
* :mod:`.serve`: what the learner's process does once walled in: cells, calls, timed runs.

Between them, :mod:`.channel`: two pipes, one JSON message per line, every message checked.
"""
from .limits import Limits
from .runner import Call, LearnerRun, run_learner

__all__ = ["Call", "Limits", "LearnerRun", "run_learner"]
