"""The sandbox: learner code runs here, in a separate, limited process, never in the grader.

* :mod:`.limits`: the limits (:class:`Limits`, the one place their defaults live);
* :mod:`.runner`: the grader's side: start the learner process, watch it, collect outcomes;
* :mod:`.learner`: the learner's side: a supervisor that outlives nothing it starts, and a runner
  that limits itself, confines itself, runs the cells and calls the functions;
* :mod:`.landlock`: the confinement (Landlock: file system, TCP, signals, abstract sockets).
"""
from .limits import Limits
from .runner import Call, LearnerRun, run_learner

__all__ = ["Call", "Limits", "LearnerRun", "run_learner"]
