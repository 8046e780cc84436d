"""``complaints run``: check, start the four services and the relay, supervise them.

Before anything starts, each thing the operator can get wrong fails as one
line (exit 2): the policy, the database (connection and schema), the tokens
file, a broker that answers but refuses the vhost or the user. A broker that
does not answer is only a warning: the outbox keeps the complaints.

The banner comes when every service's ``/healthz`` answers, not before.

Children never outlive the supervisor: Ctrl-C (which, in a process group of
their own, only the supervisor receives), SIGTERM, SIGHUP, a closed
standard output (``complaints run | head -1``) and any error of its own stop
them (``try/finally``); and on Linux each child asks the kernel for SIGTERM
when its parent dies (``PR_SET_PDEATHSIG``), which covers even SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from types import FrameType
from typing import TextIO

from shared.app.settings import Settings
from shared.cli.checks import check_broker, check_database, check_tokens_file, safe_url
from shared.cli.store import migrate

PROCESSES = {
    "intake": "services.intake",
    "dispatcher": "services.dispatcher",
    "tracker": "services.tracker",
    "reporting": "services.reporting",
    "relay": "services.relay",
}
HTTP_SERVICES = ("intake", "tracker", "reporting", "dispatcher")
# Every process answers /healthz (the relay with its outbox backlog) before the banner.
HEALTH_CHECKED = (*HTTP_SERVICES, "relay")

# A process that dies is started again (the outbox, the queues and the projections'
# positions make that safe), unless it keeps dying: then everything stops.
RESTARTS_ALLOWED = 5
RESTART_WINDOW_SECONDS = 60.0
# After this long without every /healthz answering, say which do not (and keep waiting).
HEALTH_WAIT_SECONDS = 60.0
STOP_SECONDS = 15.0
TICK_SECONDS = 0.3

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def run(settings: Settings) -> int:
    from shared.http.auth import ensure_tokens_file
    from shared.policy import load_policy

    load_policy(settings.complaints_policy)  # an invalid policy stops start-up here
    check_database(settings.database_url)
    migrate(settings.database_url)
    if ensure_tokens_file(settings.complaints_tokens):
        _say(f"created {settings.complaints_tokens} with fresh random tokens:")
        _say(settings.complaints_tokens.read_text(encoding="utf-8"))
    check_tokens_file(settings.complaints_tokens)
    if not check_broker(settings.rabbitmq_url):
        _warn(f"warning: RabbitMQ is not reachable at {safe_url(settings.rabbitmq_url)}; "
              "complaints are still registered (the outbox keeps them) and flow once it is up")
    return Supervisor(settings).run()


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, list[float]] = {name: [] for name in PROCESSES}
        self.stop_reason: str | None = None
        self.failed = False
        self.unhealthy = set(HEALTH_CHECKED)

    def run(self) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        started = time.monotonic()
        warned = False
        try:
            for name in PROCESSES:
                self.children[name] = _start(name)
            while self.stop_reason is None:
                time.sleep(TICK_SECONDS)
                # Before the children: their standard output is closed too.
                if _Output.stdout_lost or _stdout_closed():
                    self.stop_reason = "standard output was closed"
                    break
                self._restart_the_stopped()
                if self.unhealthy and self.stop_reason is None:
                    self._await_health()
                    if not self.unhealthy:
                        self._banner()
                    elif not warned and time.monotonic() - started > HEALTH_WAIT_SECONDS:
                        warned = True
                        _warn(f"warning: no answer yet from {', '.join(sorted(self.unhealthy))} "
                              f"after {HEALTH_WAIT_SECONDS:.0f} s; still waiting")
        finally:
            self._stop_children()
        if self.stop_reason and self.stop_reason != "signal":
            _warn(f"complaints run: {self.stop_reason}; stopped everything")
        _say("stopped")
        return 1 if self.failed else 0

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.stop_reason = self.stop_reason or "signal"

    def _restart_the_stopped(self) -> None:
        for name, child in list(self.children.items()):
            if child.poll() is None or self.stop_reason is not None:
                continue
            now = time.monotonic()
            recent = [t for t in self.restarts[name] if now - t < RESTART_WINDOW_SECONDS]
            if len(recent) >= RESTARTS_ALLOWED:
                self.failed = True
                self.stop_reason = (f"{name} keeps stopping (exit {child.returncode}); "
                                    "stopping the rest")
                return
            _warn(f"{name} stopped (exit {child.returncode}); starting it again")
            self.restarts[name] = [*recent, now]
            self.children[name] = _start(name)
            if name in HEALTH_CHECKED:
                self.unhealthy.add(name)

    def _await_health(self) -> None:
        for name in sorted(self.unhealthy):
            if _answers(self._url(name, "/healthz")):
                self.unhealthy.discard(name)

    def _url(self, name: str, path: str) -> str:
        host = self.settings.complaints_host
        if host in ("0.0.0.0", "::", ""):  # bound everywhere: loopback answers
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        port = getattr(self.settings, f"{name}_port")
        return f"http://{host}:{port}{path}"

    def _banner(self) -> None:
        lines = ["complaints is running:"]
        lines += [f"  {name:<11} {self._url(name, '/docs')}" for name in HTTP_SERVICES]
        lines += [f"  {'relay':<11} {self._url('relay', '/healthz')}  (the outbox backlog)"]
        lines += [f"  store       {safe_url(self.settings.database_url)}",
                  f"  tokens      {self.settings.complaints_tokens.resolve()}"
                  "  (complaints tokens prints them)",
                  "press Ctrl-C to stop"]
        _say("\n".join(lines))

    def _stop_children(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _start(name: str) -> subprocess.Popen[bytes]:
    # A process group of its own: Ctrl-C in the terminal reaches the supervisor only,
    # which stops the children with SIGTERM (SIGINT would make each print a traceback).
    return subprocess.Popen([sys.executable, "-m", PROCESSES[name]], env=os.environ.copy(),
                            preexec_fn=_die_with_supervisor(), process_group=0)


def _die_with_supervisor() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when the supervisor dies, however."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded here: the forked child must not load
    supervisor = os.getpid()

    def in_child() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != supervisor:  # it died before prctl took effect
            os._exit(1)

    return in_child


def _answers(url: str) -> bool:
    """True when an HTTP server answers at ``url``, whatever the status (503 is an answer)."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False


def _stdout_closed() -> bool:
    """True when standard output is a pipe whose reader has gone (e.g. ``| head -1``)."""
    try:
        fd = sys.stdout.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
        poller = select.poll()
        poller.register(fd, 0)  # errors are always reported, whatever the mask
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (OSError, ValueError):
        return True


class _Output:
    """Whether standard output was found closed by a failed print."""

    stdout_lost = False


def _say(text: str) -> None:
    if not _write(sys.stdout, text):
        _Output.stdout_lost = True


def _warn(text: str) -> None:
    _write(sys.stderr, text)


def _write(stream: TextIO, text: str) -> bool:
    """Print, surviving a closed pipe: the supervisor's job is its children, not its output."""
    try:
        print(text, file=stream, flush=True)
        return True
    except (BrokenPipeError, ValueError):
        # Point the stream at /dev/null so that neither later prints nor the
        # interpreter's final flush fail again.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        return False
