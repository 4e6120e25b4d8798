"""``LatePenaltyPerDay``: a late penalty of a fixed share of the points per started day late.

nbgrader (0.9.6) computes late penalties in ``AssignLatePenalties``, a step of ``nbgrader autograde``
(and so of ``python -m autograder autograde``), through a plugin of the ``LateSubmissionPlugin``
family; it ships only ``none`` and ``zero``. This one takes ``percent_per_day`` percent of the
notebook's points for every started day (24 hours) after the due date, the learner's extension
included::

    penalty = ceil(seconds_late / 86400) * percent_per_day / 100 * max_score,  rounded to 2 decimals

nbgrader then caps the penalty at the score the notebook has when it is autograded (never below
zero), and ``nbgrader export``, the feedback and the class report show ``score - penalty``.
``percent_per_day = 0`` gives no penalty; ``100`` gives zero for any late work, like nbgrader's own
``zero`` method. Configured in ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = "autograder.nbgrader_plugin.late.LatePenaltyPerDay"
    c.LatePenaltyPerDay.percent_per_day = 10.0

The penalty is worked out once per autograde, from the score the notebook has at that moment:
written answers graded by hand afterwards are not in it. nbgrader's cap can therefore leave a late
learner whose automatic score is below the penalty with less than the rule takes once the written
answers are graded; autograding that learner again (``--student ID --force``) after grading by
hand applies the rule to the whole score.

The penalty is rounded to two decimals, as nbgrader's formgrader shows scores: 10% of 14 points is
1.4, not the binary fraction 1.4000000000000001 that the CSV export and the feedback would print.
"""
from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

__all__ = ["LatePenaltyPerDay", "penalty"]

DAY_S = 24 * 60 * 60


def penalty(seconds_late: float, max_score: float, percent_per_day: float) -> float:
    """The rule, before nbgrader's cap at the score: a share of ``max_score`` per started day late,
    rounded to two decimals (nbgrader's formgrader shows scores so)."""
    if seconds_late <= 0 or percent_per_day <= 0:
        return 0.0
    days = math.ceil(seconds_late / DAY_S)
    return round(days * percent_per_day * max_score / 100.0, 2)


class LatePenaltyPerDay(LateSubmissionPlugin):
    """``percent_per_day`` percent of the notebook's points off per started day late (see the module)."""

    percent_per_day = Float(
        10.0, min=0.0,
        help="Percent of the notebook's points taken off for every started day (24 h) after the due date "
             "(and the learner's extension). 0: no penalty; 100: zero for any late work.").tag(config=True)

    def _max_score(self) -> float:
        """The notebook's points, from the gradebook nbgrader's ``AssignLatePenalties`` has open.

        nbgrader 0.9.6 hands a plugin the learner's score and seconds late, not the notebook's
        points; its ``AssignLatePenalties`` (the plugin's parent) has the gradebook and the ids.
        """
        parent = self.parent
        try:
            notebook = parent.gradebook.find_notebook(parent.notebook_id, parent.assignment_id)
        except AttributeError as exc:
            raise RuntimeError("LatePenaltyPerDay must run inside nbgrader's AssignLatePenalties "
                               f"(the gradebook and the notebook's ids were not there: {exc})") from exc
        return float(notebook.max_score)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        max_score = self._max_score()
        value = penalty(total_seconds_late, max_score, self.percent_per_day)
        days = math.ceil(total_seconds_late / DAY_S) if total_seconds_late > 0 else 0
        self.log.warning("Late penalty for %s: %d started day(s) late, %g%% of %g points a day: %g "
                         "(nbgrader caps it at the score, %g)", student_id, days, self.percent_per_day,
                         max_score, value, score)
        return value
