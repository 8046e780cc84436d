""""An append just committed": the nudge that wakes the relay at once.

PostgreSQL: ``NOTIFY complaints_outbox`` inside the append transaction; the
server delivers it on commit, to every listener, across machines.
SQLite (one machine): a one-byte UDP datagram to the relay's loopback port
after commit. Either nudge may be lost (a listener reconnecting, a datagram
dropped); the relay's recovery timer covers that, so a lost nudge costs
latency, never an event.
"""

from __future__ import annotations

import select
import socket
import time
from typing import Any

import psycopg
import sqlalchemy as sa
import structlog

from shared.eventstore.engines import is_postgres

CHANNEL = "complaints_outbox"
log = structlog.get_logger(__name__)


class CommitNudge:
    """Writer side: called by the store around each append."""

    def __init__(self, engine: sa.Engine, wake_port: int) -> None:
        self._postgres = is_postgres(engine)
        self._address = ("127.0.0.1", wake_port)
        self._socket: socket.socket | None = None

    def in_transaction(self, conn: sa.Connection) -> None:
        if self._postgres:
            conn.exec_driver_sql(f"NOTIFY {CHANNEL}")

    def after_commit(self) -> None:
        if self._postgres:
            return
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._socket.setblocking(False)
            self._socket.sendto(b"!", self._address)
        except OSError:
            pass  # nobody listening: the relay's timer will find the rows


class CommitListener:
    """Relay side: ``wait(timeout)`` returns early when an append commits."""

    def __init__(self, database_url: str, wake_port: int) -> None:
        self._url = sa.make_url(database_url)
        self._port = wake_port
        self._udp: socket.socket | None = None
        self._pg: psycopg.Connection[Any] | None = None

    def _open(self) -> None:
        if self._url.get_backend_name() == "postgresql":
            dsn = self._url.set(drivername="postgresql").render_as_string(hide_password=False)
            conn = psycopg.connect(dsn, autocommit=True)
            conn.execute(f"LISTEN {CHANNEL}")
            self._pg = conn
        else:
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            udp.bind(("127.0.0.1", self._port))
            self._udp = udp

    def ensure_open(self) -> bool:
        """Start listening if not yet (or no longer) listening; False when it cannot."""
        if self._pg is not None or self._udp is not None:
            return True
        try:
            self._open()
            return True
        except Exception as exc:  # a listener problem must not stop the relay
            log.warning("relay.listener_failed", error=str(exc))
            self.close()
            return False

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True when nudged."""
        if not self.ensure_open():
            time.sleep(min(timeout, 1.0))
            return False
        try:
            if self._udp is not None:
                return self._wait_udp(timeout)
            return self._wait_pg(timeout)
        except Exception as exc:  # a listener problem must not stop the relay
            log.warning("relay.listener_failed", error=str(exc))
            self.close()
            time.sleep(min(timeout, 1.0))
            return False

    def _wait_udp(self, timeout: float) -> bool:
        assert self._udp is not None
        ready, _, _ = select.select([self._udp], [], [], timeout)
        if not ready:
            return False
        while True:  # drain every queued nudge: one pass serves them all
            try:
                self._udp.recv(64, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return True

    def _wait_pg(self, timeout: float) -> bool:
        conn = self._pg
        assert conn is not None
        nudged = False
        for _ in conn.notifies(timeout=timeout, stop_after=1):
            nudged = True
        if nudged:  # drain the rest without waiting
            for _ in conn.notifies(timeout=0.001):
                pass
        return nudged

    def close(self) -> None:
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._pg is not None:
            try:
                self._pg.close()
            finally:
                self._pg = None
