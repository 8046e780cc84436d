"""``complaints run`` as a supervisor: the banner when the services answer, and no child
outliving it, however it ends (Ctrl-C is in test_complaint_life.py).

Each test runs the real command on its own ports, SQLite store and vhost, and
finds the processes it started by the test's folder in their environment, so a
child reparented after its supervisor died is still found.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.support import children_of, free_port, running_system

HTTP_SERVICES = ("intake", "tracker", "reporting", "dispatcher")


def run_env(tmp_path: Path, rabbitmq_url: str) -> tuple[dict[str, str], dict[str, int]]:
    ports = {name: free_port() for name in HTTP_SERVICES}
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'complaints.db'}",
           "RABBITMQ_URL": rabbitmq_url, "COMPLAINTS_TOKENS": str(tmp_path / "tokens.toml"),
           "RELAY_WAKE_PORT": str(free_port(socket.SOCK_DGRAM)),
           **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()}}
    return env, ports


def started_in(folder: Path) -> list[int]:
    """Live ``complaints run`` and ``python -m services.*`` processes whose environment
    names ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if (state != "Z" and any(part.startswith((b"services.", b"shared.cli")) for part in cmdline)
                and str(folder).encode() in environ):
            found.append(int(entry.name))
    return found


@pytest.fixture
def no_survivors(tmp_path: Path) -> Iterator[None]:
    """After the test, nothing it started is left, whatever the test's outcome."""
    yield
    for pid in started_in(tmp_path):
        os.kill(pid, signal.SIGKILL)


def assert_all_gone(tmp_path: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while (left := started_in(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"still running after the supervisor ended: {left}"


def start_run(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], Path]:
    """``complaints run`` in a session of its own, as from a terminal; waits for the banner.

    Returns the process and the file its stderr goes to.
    """
    errors_path = tmp_path / "stderr.log"
    with errors_path.open("w") as errors:
        process = subprocess.Popen([sys.executable, "-m", "shared.cli.main", "run"], env=env,
                                   cwd=tmp_path, stdout=subprocess.PIPE, stderr=errors, text=True,
                                   start_new_session=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []],
                     daemon=True).start()
    deadline = time.monotonic() + 90
    try:
        while "complaints is running" not in lines.get(timeout=deadline - time.monotonic()):
            pass
    except queue.Empty:
        process.kill()
        pytest.fail("no banner within 90 s: " + errors_path.read_text()[-2000:])
    return process, errors_path


def test_the_banner_comes_once_every_service_answers(
        tmp_path: Path, fresh_rabbitmq_url: str, no_survivors: None) -> None:
    env, ports = run_env(tmp_path, fresh_rabbitmq_url)
    process, _errors = start_run(tmp_path, env)
    try:
        for name, port in ports.items():  # at once: any answer, 200 or 503, will do
            status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code
            assert status in (200, 503), name
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def test_ctrl_c_in_the_terminal_stops_everything_without_a_traceback(
        tmp_path: Path, fresh_rabbitmq_url: str, no_survivors: None) -> None:
    env, _ports = run_env(tmp_path, fresh_rabbitmq_url)
    process, errors = start_run(tmp_path, env)
    # The terminal signals its whole foreground group; the children must not be in it,
    # or each service ends on a KeyboardInterrupt of its own (a traceback, at times).
    children = [pid for pid in started_in(tmp_path) if pid != process.pid]
    assert len(children) == 5
    assert all(os.getpgid(pid) != os.getpgid(process.pid) for pid in children)
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert_all_gone(tmp_path)
    assert "Traceback" not in errors.read_text()


def test_run_piped_through_head_leaves_no_process_behind(
        tmp_path: Path, fresh_rabbitmq_url: str, no_survivors: None) -> None:
    env, _ports = run_env(tmp_path, fresh_rabbitmq_url)
    # The second run, as in the report: the tokens file exists, so the first line
    # is the banner or a log line, and the supervisor is already supervising.
    (tmp_path / "tokens.toml").write_text('[tokens]\n"t" = "kiosk"\n', encoding="utf-8")
    # stderr to a file: a child left behind would hold a captured stderr open.
    with (tmp_path / "stderr.log").open("w") as errors:
        piped = subprocess.Popen(
            ["bash", "-c", f"{sys.executable} -m shared.cli.main run | head -1"], env=env,
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        first, _ = piped.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        piped.kill()
        pytest.fail("complaints run went on for a minute after its standard output closed")
    assert first.count("\n") == 1
    assert_all_gone(tmp_path)
    stderr = (tmp_path / "stderr.log").read_text()
    assert "complaints run: standard output was closed; stopped everything" in stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_no_child_outlives_the_supervisor_killed(
        tmp_path: Path, fresh_rabbitmq_url: str, no_survivors: None, signum: int) -> None:
    with running_system(f"sqlite:///{tmp_path / 'complaints.db'}", fresh_rabbitmq_url,
                        tmp_path) as system:
        children = children_of(system.process.pid)
        assert len(children) == 5  # four services and the relay
        assert sorted(started_in(tmp_path)) == sorted([system.process.pid, *children])
        system.process.send_signal(signum)
        system.process.wait(timeout=30)
        assert_all_gone(tmp_path)
