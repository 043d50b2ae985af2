"""Notifications inside the app (issue 15, point 5); docs/design.md, "Notifications (issue 15, point 5)".

``raising``: written with the change that causes them (new task, returned task, escalation: the runner's and
the batch start's transaction; a head's handover; a migration that moves a waiting task) or by the
scheduler's round (due today, due tomorrow, overdue: once per task and kind).
``reading``: the bell's count, the list, marking read. ``purging``: deleting old ones (a bounded history).
"""
