"""``auxpolice serve`` as a subprocess, and the CPU time it and its PostgreSQL backends use."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg

from bench.pgschema import POSTGRES_URL


class Server:
    """``auxpolice serve`` in its own session; stopped with SIGTERM, then SIGKILL."""

    def __init__(self, url: str, processes: int, logfile: Path) -> None:
        with socket.socket() as probe:  # a free port on loopback
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.logfile = logfile.open("wb")
        command = [
            str(Path(sys.executable).with_name("auxpolice")),
            "serve",
            "--workers",
            str(processes),
            "--no-scheduler",
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
            command,
            env={**os.environ, "DATABASE_URL": url},
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                try:
                    connection.request("GET", "/readyz")
                    if connection.getresponse().status == 200:
                        return
                finally:
                    connection.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server was not ready within {timeout:.0f} s")

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
            how = f"SIGTERM (exit {self.process.returncode})"
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            how = "SIGKILL after 30 s"
        self.logfile.close()
        return how


def _stat(pid: str) -> list[str] | None:
    try:
        return (Path("/proc") / pid / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def session_cpu(session: int) -> float:
    """CPU seconds (user + system) of the live processes of a session: the gunicorn master and workers."""
    stats = (_stat(path.name) for path in Path("/proc").glob("[0-9]*"))
    ticks = sum(int(f[11]) + int(f[12]) for f in stats if f is not None and int(f[3]) == session)
    return ticks / os.sysconf("SC_CLK_TCK")


def backend_cpu(application_name: str) -> float:
    """CPU seconds of the PostgreSQL backends (same machine) whose connections carry ``application_name``."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        pids = [
            str(row[0])
            for row in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (application_name,)
            )
        ]
    stats = [_stat(pid) for pid in pids]
    return sum(int(f[11]) + int(f[12]) for f in stats if f is not None) / os.sysconf("SC_CLK_TCK")


class BackendSampler(threading.Thread):
    """Sample what the server's PostgreSQL backends are doing, every ``interval`` seconds, until stopped."""

    def __init__(self, application_name: str, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.application_name, self.interval = application_name, interval
        self.samples = 0
        self.seen: Counter[str] = Counter()  # "active", "idle in transaction", "Lock:advisory", ...
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            while not self.stop.wait(self.interval):
                rows = connection.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE application_name = %s",
                    (self.application_name,),
                ).fetchall()
                self.samples += 1
                for state, kind, event in rows:
                    self.seen[f"{kind}:{event}" if kind in ("Lock", "IO", "LWLock") else str(state)] += 1

    def average(self) -> dict[str, float]:
        """Backends per state (or per wait event), averaged over the samples."""
        return {name: count / max(1, self.samples) for name, count in self.seen.most_common()}
