"""``complaints``: run the system, rebuild projections, print the monthly report."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from shared.app.settings import Settings, get_settings

PROCESSES = {
    "intake": "services.intake",
    "dispatcher": "services.dispatcher",
    "tracker": "services.tracker",
    "reporting": "services.reporting",
    "relay": "services.relay",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="complaints", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the four services and the relay")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    commands.add_parser("rebuild", help="replay the whole store into fresh projections")
    report = commands.add_parser("report", help="print the monthly report")
    report.add_argument("--month", required=True, help="YYYY-MM, in the policy's time zone")
    report.add_argument("--community", help="only this community")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        match args.command:
            case "run":
                return run(settings)
            case "migrate":
                _migrate(settings)
                print(f"schema up to date: {_safe_url(settings.database_url)}")
                return 0
            case "rebuild":
                return rebuild(settings)
            case "report":
                return print_report(settings, args.month, args.community, args.json)
    except Exception as exc:  # a clear line for the operator, not a traceback
        from shared.policy import PolicyError

        if isinstance(exc, PolicyError | ValueError | OSError):
            print(f"complaints {args.command}: {exc}", file=sys.stderr)
            return 2
        raise
    return 1


def _safe_url(url: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).render_as_string(hide_password=True)


def _migrate(settings: Settings) -> None:
    from shared.eventstore.migrate import upgrade

    upgrade(settings.database_url)


def run(settings: Settings) -> int:
    from shared.http.auth import ensure_tokens_file
    from shared.messaging.topology import broker_reachable
    from shared.policy import load_policy

    load_policy(settings.complaints_policy)  # an invalid policy stops start-up here
    _migrate(settings)
    if ensure_tokens_file(settings.complaints_tokens):
        print(f"created {settings.complaints_tokens} with fresh random tokens:")
        print(settings.complaints_tokens.read_text(encoding="utf-8"))
    if not broker_reachable(settings.rabbitmq_url):
        print(f"warning: RabbitMQ is not reachable at {settings.rabbitmq_url}; complaints are "
              "still registered (the outbox keeps them) and flow once it is up", file=sys.stderr)
    children = {name: _start(name) for name in PROCESSES}
    host = settings.complaints_host
    print("complaints is running:")
    for name in ("intake", "tracker", "reporting", "dispatcher"):
        port = getattr(settings, f"{name}_port")
        print(f"  {name:<11} http://{host}:{port}/docs")
    print(f"  store       {_safe_url(settings.database_url)}")
    print(f"  tokens      {settings.complaints_tokens.resolve()}")
    print("press Ctrl-C to stop", flush=True)
    return _supervise(children)


def _start(name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", PROCESSES[name]], env=os.environ.copy())


# A process that dies is started again (the outbox, the queues and the projections'
# positions make that safe), unless it keeps dying: then everything stops.
RESTARTS_ALLOWED = 5
RESTART_WINDOW_SECONDS = 60.0


def _supervise(children: dict[str, subprocess.Popen[bytes]]) -> int:
    stopping = False

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    restarts: dict[str, list[float]] = {name: [] for name in children}
    failed: str | None = None
    while not stopping and failed is None:
        time.sleep(0.3)
        for name, child in list(children.items()):
            if child.poll() is None or stopping:
                continue
            now = time.monotonic()
            recent = [t for t in restarts[name] if now - t < RESTART_WINDOW_SECONDS]
            if len(recent) >= RESTARTS_ALLOWED:
                failed = name
                break
            print(f"{name} stopped (exit {child.returncode}); starting it again",
                  file=sys.stderr, flush=True)
            restarts[name] = [*recent, now]
            children[name] = _start(name)
    if failed:
        print(f"{failed} keeps stopping (exit {children[failed].returncode}); stopping the rest",
              file=sys.stderr)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    print("stopped", flush=True)
    return 1 if failed else 0


def rebuild(settings: Settings) -> int:
    from shared.eventstore.store import EventStore
    from shared.projections.board import BoardProjection
    from shared.projections.monthly import MonthlyProjection
    from shared.projections.runner import rebuild as rebuild_projection

    _migrate(settings)
    store = EventStore.from_url(settings.database_url)
    for projection in (BoardProjection(), MonthlyProjection()):
        position = rebuild_projection(store, projection)
        print(f"rebuilt {projection.name} up to position {position}")
    return 0


def compute_report(settings: Settings, month: str, community: str | None) -> dict[str, Any]:
    from shared.eventstore.store import EventStore
    from shared.policy import load_policy
    from shared.projections.monthly import MonthlyProjection, monthly_report
    from shared.projections.runner import catch_up

    policy = load_policy(settings.complaints_policy)
    store = EventStore.from_url(settings.database_url)
    catch_up(store, MonthlyProjection())
    with store.engine.connect() as conn:
        return monthly_report(conn, policy, month, datetime.now(UTC), community)


def print_report(settings: Settings, month: str, community: str | None, as_json: bool) -> int:
    from shared.projections.monthly import parse_month

    parse_month(month)
    _migrate(settings)
    report = compute_report(settings, month, community)
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
        return 0
    print(format_report(report))
    return 0


def format_report(report: dict[str, Any]) -> str:
    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:.2f}%"

    header = f"{'':<26}{'total':>7}{'timely':>8}{'late':>6}{'pending':>9}{'withdrawn':>11}  rate"
    lines = [
        f"Monthly complaint statistics {report['month']} ({report['timezone']})"
        + (" — PROVISIONAL: pending complaints" if report["provisional"] else ""),
        f"timely rate (投诉处理及时率): {rate(report['timely_rate'])}",
        "",
        header,
    ]

    def row(label: str, t: dict[str, Any]) -> str:
        return (f"{label:<26}{t['total']:>7}{t['timely']:>8}{t['late']:>6}{t['pending']:>9}"
                f"{t['withdrawn']:>11}  {rate(t['timely_rate'])}")

    lines.append(row("all", report))
    for name, tally in report["by_department"].items():
        lines.append(row(f"dept {name}", tally))
    for name, tally in report["by_category"].items():
        lines.append(row(f"  {name}", tally))
    s = report["satisfaction"]
    lines += ["", f"satisfaction: {s['rated']} rated, quality {s['quality']}, "
                  f"attitude {s['attitude']}"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
