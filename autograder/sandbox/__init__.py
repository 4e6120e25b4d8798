"""The sandbox: learner code runs here, in a separate, limited process, never in the grader.

* :mod:`.limits`: the limits (:class:`Limits`, the one place their defaults live);
* :mod:`.runner`: the grader's side: start the learner process, watch it, collect outcomes;
* :mod:`.learner`: the learner's side: limit itself, run the cells, call the functions.
"""
from .limits import Limits
from .runner import Call, LearnerRun, run_learner

__all__ = ["Call", "Limits", "LearnerRun", "run_learner"]
