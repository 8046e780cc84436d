"""Starting the whole system as a user does, and talking to it, for the end-to-end tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pika

WAIT_SECONDS = 60


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except (httpx.HTTPError, AssertionError, KeyError) as exc:
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


@dataclass
class System:
    env: dict[str, str]
    process: subprocess.Popen[str]
    tokens: dict[str, str]
    ports: dict[str, int]
    rabbitmq_url: str

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    def call(self, method: str, service: str, path: str, role: str,
             body: dict[str, Any] | None = None) -> httpx.Response:
        return httpx.request(method, self.url(service, path), json=body,
                             headers={"Authorization": f"Bearer {self.tokens[role]}"},
                             timeout=30)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "shared.cli.main", *args], env=self.env,
                              capture_output=True, text=True, timeout=120, check=True)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@contextmanager
def running_system(database_url: str, rabbitmq_url: str, tmp_path: Path) -> Iterator[System]:
    """``complaints run`` on its own ports, store and vhost; stopped with Ctrl-C at the end."""
    ports = {name: free_port()
             for name in ("intake", "tracker", "reporting", "dispatcher", "relay")}
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RABBITMQ_URL": rabbitmq_url,
        "COMPLAINTS_TOKENS": str(tmp_path / "tokens.toml"),
        "RELAY_WAKE_PORT": str(free_port(socket.SOCK_DGRAM)),
        **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    # The processes' logs go to a file, never to a pipe nobody reads: once a pipe's buffer
    # (64 KiB) is full, every process writing a log line blocks, and the system hangs.
    log = (tmp_path / "complaints-run.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "shared.cli.main", "run"], env=env,
                               cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        tokens_file = tmp_path / "tokens.toml"
        wait_for("the tokens file", tokens_file.exists)
        tokens: dict[str, str] = {}
        for token, who in tomllib.loads(tokens_file.read_text())["tokens"].items():
            tokens[who if isinstance(who, str) else who["role"]] = token
        for name, port in ports.items():
            wait_for(f"{name} to be healthy", lambda p=port: httpx.get(
                f"http://127.0.0.1:{p}/healthz", timeout=2).status_code == 200)
        yield System(env, process, tokens, ports, rabbitmq_url)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def drain_queue(url: str, queue: str) -> list[dict[str, Any]]:
    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        messages = []
        while True:
            method, properties, body = channel.basic_get(queue, auto_ack=True)
            if method is None:
                return messages
            envelope = json.loads(body)
            assert properties.headers["event_type"] == envelope["type"]
            assert properties.headers["event_id"] == envelope["event_id"]
            messages.append(envelope)
    finally:
        connection.close()




def process_running(parent: int, module: str) -> int | None:
    """The pid of ``parent``'s child running ``python -m <module>``."""
    for pid in children_of(parent):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if module.encode() in cmdline:
            return pid
    return None


class TcpProxy:
    """A loopback TCP relay in front of the broker, so a test can take the broker away
    (every connection cut, new ones refused) and bring it back, without touching the
    shared RabbitMQ."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """The broker goes away: refuse new connections and cut every open one."""
        with self._lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
