"""The tests' PostgreSQL databases: copies made per test, dropped in batches behind the tests' backs.

PostgreSQL forces a checkpoint on every ``DROP DATABASE`` and waits for it. Dropped one per test, each
test waited for a flush of whatever every other test had written meanwhile: about 1,500 checkpoints a CI
run, 0.3 s of sync each under the suite's load. Dropped a batch at a time by a background thread, the
first drop's checkpoint writes what is dirty, the next ones find almost nothing, and no test waits.
"""

from __future__ import annotations

import threading

from bench.pgschema import drop_databases

BATCH = 16


class DeferredDrops:
    """Names of databases no test uses any more; dropped ``BATCH`` at a time, the rest at ``close``."""

    def __init__(self) -> None:
        self._pending: list[str] = []
        self._lock = threading.Lock()
        self._dropping: threading.Thread | None = None

    def add(self, name: str) -> None:
        with self._lock:
            self._pending.append(name)
            if len(self._pending) < BATCH or (self._dropping and self._dropping.is_alive()):
                return
            batch, self._pending = self._pending, []
            self._dropping = threading.Thread(target=drop_databases, args=(batch,), daemon=True)
            self._dropping.start()

    def close(self) -> None:
        """Drop what is left and wait: nothing the run made stays behind."""
        with self._lock:
            dropping, batch, self._pending = self._dropping, self._pending, []
        if dropping:
            dropping.join()
        drop_databases(batch)
