"""A PostgreSQL cluster of the test's own, to stop and start at will.

The shared server (5432) is never touched: this starts a throw-away cluster
with ``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/*/bin`` in a
temporary directory, as the ``postgres`` user (the server refuses to run as
root), on the first free port of a range reserved for these tests, trusting
local connections. ``stop("immediate")`` is a crash as far as the database
is concerned: no checkpoint, clients cut off, crash recovery on the next
start.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# Reserved for this module's clusters (other fault tests use other ranges).
PORTS = range(5600, 5620)


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1} for a private PostgreSQL")


def skip_unless_possible() -> Path:
    """The binaries' folder, or skip: no PostgreSQL binaries, no root, no postgres user."""
    binaries = _binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL binaries under /usr/lib/postgresql/*/bin")
    if os.geteuid() != 0:
        pytest.skip("starting a private PostgreSQL needs root (runuser -u postgres)")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres user to run a private PostgreSQL as")
    return binaries


@dataclass
class PrivatePostgres:
    binaries: Path
    home: Path
    port: int

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str, timeout: float = 60) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True,
                       capture_output=True, timeout=timeout, cwd=self.home)

    def init(self) -> None:
        self._run(str(self.binaries / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync", timeout=120)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1"
                   " -c fsync=off")
        self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.home / "server.log"), "-w", "-t", "60", "start", timeout=90)

    def stop(self, mode: str = "fast") -> None:
        """``immediate``: the server quits at once, as in a crash (recovery on start)."""
        self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                  "stop")

    def running(self) -> bool:
        pid_file = self.data / "postmaster.pid"
        return pid_file.exists()


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started cluster of our own; stopped and deleted afterwards, whatever happens."""
    binaries = skip_unless_possible()
    home = Path(tempfile.mkdtemp(prefix="complaints-pg-"))
    shutil.chown(home, "postgres", "postgres")
    cluster = PrivatePostgres(binaries, home, _free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            subprocess.run(["runuser", "-u", "postgres", "--", str(binaries / "pg_ctl"),
                            "-D", str(cluster.data), "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=60, check=False)
        shutil.rmtree(home, ignore_errors=True)
