"""Issue 13 point 7, one service per directory: two ``auxpolice serve`` processes on one machine, each over
its own instance directory and port, both answer, and stopping one leaves the other answering. gunicorn's
control socket (by default ``~/.gunicorn/gunicorn.ctl``, one path for every service of a user) is off, so
nothing is written under the shared home directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

AUXPOLICE = Path(sys.executable).parent / "auxpolice"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def wait_until(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def home(tmp_path: Path) -> Path:
    shared = tmp_path / "home"
    shared.mkdir()
    return shared


def start(instance: Path, home: Path, port: int) -> subprocess.Popen[bytes]:
    instance.mkdir()
    env = {
        **os.environ,
        "HOME": str(home),
        "DATABASE_URL": f"sqlite:///{instance / 'auxpolice.db'}",
        "AUXPOLICE_AUDIT_KEY": f"key-of-{instance.name}",
    }
    upgrade = [str(AUXPOLICE), "db", "upgrade"]
    subprocess.run(upgrade, env=env, check=True, capture_output=True, timeout=60)  # noqa: S603 (our own command)
    with (instance / "serve.log").open("wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(  # noqa: S603 (our own command)
            [str(AUXPOLICE), "serve", "--port", str(port), "--no-scheduler"],
            env=env,
            cwd=instance,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group: stopped by its id, never by name
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture
def services(tmp_path: Path, home: Path) -> Iterator[list[tuple[subprocess.Popen[bytes], int]]]:
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        for name in ("one", "two"):
            port = free_port()
            started.append((start(tmp_path / name, home, port), port))
        yield started
    finally:
        for process, _ in started:
            stop(process)


def test_two_services_from_two_directories_run_side_by_side(
    services: list[tuple[subprocess.Popen[bytes], int]], home: Path
) -> None:
    (first, first_port), (second, second_port) = services
    for port in (first_port, second_port):
        assert wait_until(lambda port=port: answers(port), 20), f"port {port} does not answer"
    assert not (home / ".gunicorn").exists(), "no control socket under the shared home directory"

    stop(first)
    assert first.returncode is not None and not answers(first_port)
    time.sleep(1)  # anything the stopped service removed on its way out is gone by now
    assert second.poll() is None and answers(second_port)
    assert not (home / ".gunicorn").exists()
