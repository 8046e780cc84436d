"""The ``complaints`` command's pieces that need no server: messages, parsing, help."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from shared.app.settings import Settings
from shared.cli.checks import CommandError, _vhost_refusal, database_problem, safe_url, vhost_of
from shared.cli.main import ENVIRONMENT, environment_help, parser
from shared.cli.report import parse_as_of

PG = "postgresql+psycopg://app:secret@db.example:5433/complaints"


def failed_connection(message: str) -> sa.exc.OperationalError:
    return sa.exc.OperationalError("connect", {}, Exception(message))


@pytest.mark.parametrize("message, expected", [
    ('connection failed: connection to server at "10.0.0.5", port 5433 failed: FATAL:  '
     'database "complaints" does not exist',
     'database "complaints" does not exist on db.example:5433; create it '
     "(createdb -h db.example -p 5433 complaints) or fix DATABASE_URL"),
    ('connection failed: connection to server at "10.0.0.5", port 5433 failed: FATAL:  '
     'role "app" does not exist',
     'PostgreSQL role "app" does not exist on db.example:5433; create it (createuser app) '
     "or fix DATABASE_URL"),
    ('connection failed: connection to server at "10.0.0.5", port 5433 failed: FATAL:  '
     'password authentication failed for user "app"',
     'PostgreSQL on db.example:5433 refused the password of user "app"; fix DATABASE_URL'),
    ('connection failed: connection to server at "10.0.0.5", port 5433 failed: Connection '
     "refused\n\tIs the server running on that host and accepting TCP/IP connections?",
     "no PostgreSQL answers on db.example:5433 (connection refused); start it "
     "(scripts/services postgres) or fix DATABASE_URL"),
])
def test_a_failed_connection_is_one_line_saying_what_to_do(message: str, expected: str) -> None:
    assert database_problem(failed_connection(message), PG) == expected


def test_an_unknown_connection_failure_keeps_its_first_line_and_hides_the_password() -> None:
    line = database_problem(failed_connection("SSL error: certificate\nmore detail"), PG)
    assert line == ("cannot connect to postgresql+psycopg://app:***@db.example:5433/complaints: "
                    "SSL error: certificate; check DATABASE_URL")
    assert "secret" not in line and "\n" not in line


def test_safe_url_masks_the_password() -> None:
    assert "secret" not in safe_url(PG)
    assert safe_url("sqlite:///var/complaints.db") == "sqlite:///var/complaints.db"


def test_the_vhost_is_read_from_the_url() -> None:
    assert vhost_of("amqp://guest:guest@localhost:5672/%2F") == "/"
    assert vhost_of("amqp://guest:guest@localhost:5672/complaints") == "complaints"
    assert vhost_of("amqp://guest:guest@localhost:5672") == "/"


def test_a_refused_vhost_says_how_to_add_it_or_grant_it() -> None:
    url = "amqp://app:pw@mq.example:5672/prod"
    missing = _vhost_refusal(url, "(530) 'NOT_ALLOWED - vhost prod not found'")
    assert missing.startswith('RabbitMQ at mq.example:5672 has no vhost "prod"; add it '
                              "(rabbitmqctl add_vhost prod && rabbitmqctl set_permissions "
                              "-p prod app")
    refused = _vhost_refusal(url, "(530) 'NOT_ALLOWED - access to vhost 'prod' refused'")
    assert 'refuses user "app" on vhost "prod"' in refused
    assert "set_permissions -p prod app" in refused and "pw" not in refused


def test_as_of_takes_an_iso_time_with_its_offset() -> None:
    assert parse_as_of("2026-11-01T09:00:00+08:00") == datetime(
        2026, 11, 1, 9, tzinfo=timezone(timedelta(hours=8)))
    assert parse_as_of("2026-11-01T01:00:00Z") == datetime(2026, 11, 1, 1, tzinfo=UTC)
    assert parse_as_of(None) is None  # now, on the report's clock


@pytest.mark.parametrize("text", ["2026-11-01T09:00:00", "tomorrow", "", "2026-13-01T00:00Z"])
def test_as_of_refuses_anything_else_naming_the_option(text: str) -> None:
    with pytest.raises(CommandError, match="--as-of"):
        parse_as_of(text)


def test_run_help_documents_every_setting() -> None:
    assert set(ENVIRONMENT) == set(Settings.model_fields)
    text = environment_help()
    for name in Settings.model_fields:
        assert name.upper() in text


def test_report_takes_month_community_as_of_and_json() -> None:
    args = parser().parse_args(["report", "--month", "2026-10", "--community", "荔园一期",
                                "--as-of", "2026-11-01T00:00+08:00", "--json"])
    assert (args.month, args.community, args.as_of, args.json) == (
        "2026-10", "荔园一期", "2026-11-01T00:00+08:00", True)
