"""Start-up checks of the ``complaints`` command, each failing as one line that says what to do.

A :class:`CommandError` is the operator's problem, not the program's: ``main``
prints ``complaints <command>: <message>`` and exits 2, without a traceback.
Every other module of the command raises it for what the operator can fix
(a file, a URL, a server), and this module turns the libraries' errors
(SQLAlchemy, psycopg, pika) into such lines.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa


class CommandError(Exception):
    """Something the operator must fix; the message is one line saying what and how."""


def safe_url(url: str) -> str:
    """``url`` as it may be printed: the password masked."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)


# --------------------------------------------------------------------------- tokens, policy


def check_tokens_file(path: Path) -> None:
    """Refuse a tokens file the services would refuse (they would then restart in a loop)."""
    from shared.http.auth import TokensFileError, load_tokens

    try:
        load_tokens(path)
    except TokensFileError as exc:
        raise CommandError(f"{exc} (COMPLAINTS_TOKENS)") from None


# --------------------------------------------------------------------------- database


def _where(url: sa.URL) -> str:
    return f"{url.host or 'localhost'}:{url.port or 5432}"


def database_problem(exc: sa.exc.DBAPIError, database_url: str) -> str:
    """One line for a failed connection to ``database_url``: what happened, what to do."""
    url = sa.make_url(database_url)
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    if url.get_backend_name() == "sqlite":
        return (f"cannot open the SQLite store {url.database} ({detail}); "
                "check the folder exists and is writable, or fix DATABASE_URL")
    where = _where(url)
    if found := re.search(r'database "([^"]+)" does not exist', detail):
        name = found.group(1)
        return (f'database "{name}" does not exist on {where}; '
                f"create it (createdb -h {url.host or 'localhost'} -p {url.port or 5432} "
                f"{name}) or fix DATABASE_URL")
    if found := re.search(r'role "([^"]+)" does not exist', detail):
        return (f'PostgreSQL role "{found.group(1)}" does not exist on {where}; '
                f"create it (createuser {found.group(1)}) or fix DATABASE_URL")
    if "password authentication failed" in detail or "no password supplied" in detail:
        return (f'PostgreSQL on {where} refused the password of user "{url.username}"; '
                "fix DATABASE_URL")
    if "Connection refused" in detail or "could not connect" in detail:
        return (f"no PostgreSQL answers on {where} (connection refused); start it "
                "(scripts/services postgres) or fix DATABASE_URL")
    first_line = " ".join(detail.split("\n", 1)[0].split())
    return f"cannot connect to {safe_url(database_url)}: {first_line}; check DATABASE_URL"


@contextlib.contextmanager
def database_errors(database_url: str) -> Iterator[None]:
    """Turn a failed connection inside the block into a :class:`CommandError`."""
    try:
        yield
    except sa.exc.OperationalError as exc:
        raise CommandError(database_problem(exc, database_url)) from None


def check_database(database_url: str) -> None:
    """Connect once, so that a wrong URL fails here as one line, before anything starts."""
    from shared.eventstore.engines import make_engine

    engine = make_engine(database_url)
    try:
        with database_errors(database_url), engine.connect():
            pass
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- broker


def vhost_of(rabbitmq_url: str) -> str:
    path = urlsplit(rabbitmq_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def check_broker(rabbitmq_url: str, timeout: float = 2.0) -> bool:
    """True when the broker lets us in, False when it does not answer (the outbox waits).

    A broker that answers but refuses (unknown vhost, no permission, wrong
    password) is a :class:`CommandError`: waiting would not fix it, and every
    service would log the refusal on each retry.
    """
    import pika
    from pika.exceptions import (
        AMQPError,
        ProbableAccessDeniedError,
        ProbableAuthenticationError,
    )

    parameters = pika.URLParameters(rabbitmq_url)
    parameters.socket_timeout = timeout
    parameters.stack_timeout = timeout
    parameters.connection_attempts = 1
    parameters.client_properties = {"connection_name": "complaints start-up check"}
    pika_log = logging.getLogger("pika")
    level = pika_log.level
    pika_log.setLevel(logging.CRITICAL)  # its reports of the refusal are what we say below
    try:
        connection = pika.BlockingConnection(parameters)
    except ProbableAccessDeniedError as exc:
        raise CommandError(_vhost_refusal(rabbitmq_url, str(exc))) from None
    except ProbableAuthenticationError:
        user = unquote(urlsplit(rabbitmq_url).username or "guest")
        raise CommandError(f'RabbitMQ at {_broker_where(rabbitmq_url)} refused user "{user}" '
                           "(wrong user or password); fix RABBITMQ_URL") from None
    except (AMQPError, OSError):
        return False
    finally:
        pika_log.setLevel(level)
    with contextlib.suppress(AMQPError):
        connection.close()
    return True


def _broker_where(rabbitmq_url: str) -> str:
    parts = urlsplit(rabbitmq_url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5672}"


def _vhost_refusal(rabbitmq_url: str, detail: str) -> str:
    vhost = vhost_of(rabbitmq_url)
    user = unquote(urlsplit(rabbitmq_url).username or "guest")
    where = _broker_where(rabbitmq_url)
    if "not found" in detail:
        return (f'RabbitMQ at {where} has no vhost "{vhost}"; add it (rabbitmqctl add_vhost '
                f"{vhost} && rabbitmqctl set_permissions -p {vhost} {user} '.*' '.*' '.*') "
                "or fix RABBITMQ_URL")
    return (f'RabbitMQ at {where} refuses user "{user}" on vhost "{vhost}"; grant it '
            f"(rabbitmqctl set_permissions -p {vhost} {user} '.*' '.*' '.*') "
            "or fix RABBITMQ_URL")
