"""Administration for users with the global role admin: accounts (users.py), departments (departments.py)
and the village register with its history (register.py).

Each change is one transaction with one audit event naming what it was before and after; passwords and
tokens never go into the log.
"""
