"""A RabbitMQ node of a test's own, to kill, freeze and restart (never the shared one).

The shared broker on 5672 serves every helper and CI run on this machine: a
test that takes a broker away starts a private node instead, on a port of the
fault tests' own range (AMQP 5700-5719, Erlang distribution 20000 above),
with a node name, configuration and data folder of its own, and removes the
data when done. The node is its own process group, so a kill or a freeze
reaches every OS process it started.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pika
import pytest

RABBITMQ_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
AMQP_PORTS = range(5700, 5720)
DIST_PORT_OFFSET = 20000
START_SECONDS = 90.0


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_amqp_port() -> int:
    for port in AMQP_PORTS:
        if _port_free(port) and _port_free(port + DIST_PORT_OFFSET):
            return port
    pytest.skip(f"no free port for a private RabbitMQ in {AMQP_PORTS}")


def amqp_answers(url: str, timeout: float = 2.0) -> bool:
    """Whether an AMQP connection to ``url`` opens now (the node finished booting)."""
    parameters = pika.URLParameters(url)
    parameters.socket_timeout = timeout
    parameters.stack_timeout = timeout
    parameters.connection_attempts = 1
    try:
        connection = pika.BlockingConnection(parameters)
    except Exception:
        return False
    with contextlib.suppress(Exception):
        connection.close()
    return True


class PrivateRabbit:
    """One private node: start, kill (-9), freeze and thaw, remove (with its data)."""

    def __init__(self) -> None:
        if not RABBITMQ_SERVER.exists():
            pytest.skip(f"needs {RABBITMQ_SERVER} (Debian's rabbitmq-server)")
        self.port = _free_amqp_port()
        self.node = f"complaints-fault-{uuid.uuid4().hex[:8]}@localhost"
        self.home = Path(tempfile.mkdtemp(prefix="complaints-fault-rabbit-"))
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"
        self._process: subprocess.Popen[bytes] | None = None
        # The machine's /etc/rabbitmq would put this node on the shared port.
        (self.home / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (self.home / "enabled_plugins").write_text("[].\n")
        (self.home / "rabbitmq-env.conf").write_text("")

    def _environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.home),  # its own Erlang cookie
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.port + DIST_PORT_OFFSET),
            "RABBITMQ_MNESIA_BASE": str(self.home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.home / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.home / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.home / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.home / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(self.home / "pid"),
        }

    def start(self) -> None:
        """Boot the node (again, on the same data after a kill) and wait until AMQP answers."""
        assert self._process is None or self._process.poll() is not None, "already running"
        output = (self.home / "server.out").open("ab")
        self._process = subprocess.Popen(
            [str(RABBITMQ_SERVER)], env=self._environment(), cwd=self.home,
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        output.close()
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"private RabbitMQ exited at start:\n{self._tail()}")
            if amqp_answers(self.url, timeout=1.0):
                return
            time.sleep(0.3)
        raise RuntimeError(f"private RabbitMQ did not answer in {START_SECONDS} s:\n{self._tail()}")

    def _signal(self, signum: int) -> None:
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signum)

    def kill(self) -> None:
        """``kill -9`` the whole node: no goodbye to its clients, no clean shutdown."""
        self._signal(signal.SIGKILL)
        if self._process is not None:
            self._process.wait(timeout=30)

    def freeze(self) -> None:
        """``kill -STOP``: the port still accepts TCP (the kernel does), nothing answers."""
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def remove(self) -> None:
        """Stop the node whatever its state and delete its data."""
        self.kill()
        shutil.rmtree(self.home, ignore_errors=True)

    def _tail(self, lines: int = 30) -> str:
        path = self.home / "server.out"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])
