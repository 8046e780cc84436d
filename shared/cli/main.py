"""``complaints``: run the system, migrate, rebuild projections, print the report and tokens."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from importlib import metadata

from shared.app.settings import Settings, get_settings
from shared.cli.checks import CommandError, safe_url

# What `complaints run --help` says about each setting (shared/app/settings.py);
# tests/unit/test_cli.py checks that every setting is here.
ENVIRONMENT = {
    "database_url": "the event store and projections (SQLAlchemy URL; "
                    "postgresql+psycopg://user:password@host:5432/db in production)",
    "rabbitmq_url": "the broker (amqp://user:password@host:5672/vhost)",
    "complaints_policy": "path of the policy TOML",
    "complaints_tokens": "path of the tokens TOML; created with fresh random tokens "
                         "on the first run",
    "complaints_host": "the address the HTTP services bind to",
    "intake_port": "intake's HTTP port",
    "tracker_port": "tracker's HTTP port",
    "reporting_port": "reporting's HTTP port",
    "dispatcher_port": "dispatcher's HTTP port",
    "relay_port": "the relay's HTTP port (/healthz with the outbox backlog)",
    "relay_outbox_stale_seconds": "the relay's /healthz answers 503 once the oldest "
                                  "unpublished event is older than this",
    "relay_wake_port": "loopback UDP port on which the relay hears of SQLite commits",
    "relay_recovery_seconds": "the relay's polling interval when no nudge comes",
    "projection_recovery_seconds": "how often projections catch up without a nudge",
    "consumer_max_attempts": "failures before a message is parked on complaints.dead",
    "consumer_prefetch": "messages a consumer takes from the broker at once",
    "dispatcher_sweep_seconds": "how often the dispatcher looks for unrouted complaints",
    "chase_scheduler_seconds": "how often the dispatcher looks for orders to warn, chase "
                               "or auto-close (P-9 B)",
    "log_level": "debug, info, warning or error",
}


def environment_help() -> str:
    lines = ["environment variables:"]
    for name, field in Settings.model_fields.items():
        default = "the shipped policy" if field.default is None else field.default
        text = f"{ENVIRONMENT.get(name, '')} (default: {default})"
        lines += textwrap.wrap(text, width=100, initial_indent=f"  {name.upper():<28} ",
                               subsequent_indent=" " * 31, break_on_hyphens=False)
    return "\n".join(lines)


def _version() -> str:
    try:
        return metadata.version("complaints")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="complaints", description=__doc__)
    top.add_argument("--version", action="version", version=f"complaints {_version()}")
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "run", help="start the four services and the relay",
        description="Start the four services and the relay on this machine; Ctrl-C stops them.",
        epilog=environment_help(), formatter_class=argparse.RawDescriptionHelpFormatter)
    commands.add_parser("migrate", help="create or upgrade the database schema")
    commands.add_parser("rebuild", help="replay the whole store into fresh projections")
    report = commands.add_parser("report", help="print the monthly report")
    report.add_argument("--month", required=True, help="YYYY-MM, in the policy's time zone")
    report.add_argument("--community", help="only this community")
    report.add_argument("--as-of", dest="as_of", metavar="TIME",
                        help="judge pending and late at this ISO 8601 time with offset, "
                             "e.g. 2026-11-01T09:00:00+08:00 (default: now)")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    tokens = commands.add_parser("tokens", help="print each role's token from the tokens file")
    tokens.add_argument("--role", help="print only this role's token(s), e.g. desk")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = get_settings()
    try:
        return _dispatch(args, settings)
    except BrokenPipeError:
        # `complaints report | head`: the reader had enough. Quietly, and keep
        # the interpreter's last flush from failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a clear line for the operator, not a traceback
        from shared.policy import PolicyError

        if isinstance(exc, CommandError | PolicyError | ValueError | OSError):
            print(f"complaints {args.command}: {exc}", file=sys.stderr)
            return 2
        raise


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    match args.command:
        case "run":
            from shared.cli.supervisor import run

            return run(settings)
        case "migrate":
            from shared.cli.store import migrate

            migrate(settings.database_url)
            print(f"schema up to date: {safe_url(settings.database_url)}")
            return 0
        case "rebuild":
            return rebuild(settings)
        case "report":
            from shared.cli.report import print_report

            return print_report(settings, args.month, args.community, args.as_of, args.json)
        case "tokens":
            from shared.cli.tokens import print_tokens

            return print_tokens(settings.complaints_tokens, args.role)
    return 1


def rebuild(settings: Settings) -> int:
    """Replay the store into fresh projections; the store must exist (it is not created)."""
    from shared.cli.checks import database_errors
    from shared.cli.store import open_existing_store, say_store
    from shared.projections.board import BoardProjection
    from shared.projections.calls import CallsProjection
    from shared.projections.complaint_index import ComplaintIndexProjection
    from shared.projections.fees import FeesProjection
    from shared.projections.monthly import MonthlyProjection
    from shared.projections.runner import Projection
    from shared.projections.runner import rebuild as rebuild_projection

    say_store(settings.database_url)
    store = open_existing_store(settings.database_url)
    with database_errors(settings.database_url):
        projections: list[Projection] = [BoardProjection(), MonthlyProjection(), FeesProjection()]
        # --- intake's: GET /complaints search and P-4 call records ---
        projections += [ComplaintIndexProjection(), CallsProjection()]
        for projection in projections:
            position = rebuild_projection(store, projection)
            print(f"rebuilt {projection.name} up to position {position}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
