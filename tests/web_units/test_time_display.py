"""One time rule on the pages (issue 11, part 5): Beijing time, with the zone named.

The appraisal deadline is the end of the 5th in Beijing time. The queue showed 2026-12-06 (the stored
value read back eight hours late from SQLite, printed as a UTC date) and creation times in UTC without a
label.
"""

from __future__ import annotations

from flask import Flask

from service.context import ServiceContext
from service.usecases.appraisal import start_month
from tests.api.appraisal_steps import seed
from tests.web_units.browser_session import web_login


def test_the_queue_shows_the_deadline_day_and_labels_times(app: Flask, ctx: ServiceContext) -> None:
    seed(ctx)
    start_month(ctx, "2026-11", "test")
    page = web_login(app, "gushan_station").get("/queues/police_station:gushan").get_data(as_text=True)
    assert "2026-12-05" in page and "2026-12-06" not in page
    # Created at 01:00 UTC on 26 November (the test clock): 09:00 Beijing time, and it says so.
    assert "2026-11-26 09:00 北京时间" in page
