"""Calendar-month arithmetic for terms and limits set in months (a contract's term, an injury leave's
maximum): a leaf module, so that the roster, the welfare processes and the appraisal share it without
importing one another."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, the day kept or the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
