"""Work injury and death on duty (issue 17, points 4-5): the station's reports, the operators of the
``work_injury`` and ``death_on_duty`` processes (bpmn/welfare/), and what the officer's record shows of them.

Importing this package registers the operators.
"""

# The roster's listing reads this package's records for the officer's page, and this package reads the
# roster's labels: the roster is imported first, whichever of the two a caller imports.
import service.usecases.roster  # noqa: F401  # isort: skip

from service.usecases.welfare.death import death_on_duty_record
from service.usecases.welfare.injury import injury_history
from service.usecases.welfare.reporting import REPORTS, may_report, next_task_of, report, report_form

__all__ = [
    "REPORTS",
    "death_on_duty_record",
    "injury_history",
    "may_report",
    "next_task_of",
    "report",
    "report_form",
]
