"""Moving running instances between versions of a process (issue 14, point 5): the moves themselves
(moves.py), what the migration page offers (choices.py) and reports (report.py), and its history
(history.py)."""
