"""Work injury and death on duty (issue 17, points 4-5): the station's reports, the operators of the
``work_injury`` and ``death_on_duty`` processes (bpmn/welfare/), and what the officer's record shows of them.

Importing this package registers the operators.
"""

from service.usecases.welfare.death import death_on_duty_record
from service.usecases.welfare.injury import injury_history
from service.usecases.welfare.reporting import REPORTS, may_report, report, report_form

__all__ = ["REPORTS", "death_on_duty_record", "injury_history", "may_report", "report", "report_form"]
