"""When the store cannot answer: 503 ``store_unavailable`` with Retry-After, not a 500.

A database that is down, restarting, cut off or (SQLite) locked past its busy
timeout is an outage, not a defect in this service: the client is told to
come back (:class:`~shared.http.errors.StoreUnavailable`, ``Retry-After``) and
the log says ``store.unavailable`` at warning, one line, no traceback. Any
other database error (a constraint, a missing table, bad SQL) stays a
defect: a logged 500.
"""

import sqlite3

import sqlalchemy as sa
import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.http.errors import StoreUnavailable, error_response

_log = structlog.get_logger(__package__)

# SQLite's OperationalError covers outages and defects alike ("no such
# table"); these are the ones a retry can cure.
_SQLITE_OUTAGES = ("database is locked", "database is busy", "unable to open database",
                   "disk i/o error")


def is_store_outage(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot answer now (rather than a defect)."""
    if isinstance(exc, sa.exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if isinstance(exc.orig, sqlite3.Error):
        text = str(exc.orig).lower()
        return isinstance(exc, sa.exc.OperationalError) and any(o in text for o in _SQLITE_OUTAGES)
    # PostgreSQL's operational classes: connection exceptions (08), operator
    # intervention such as a shutdown (57), insufficient resources (53),
    # system errors (58); an interface error is a connection already closed.
    return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)


def _reason(exc: BaseException) -> str:
    cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    # The driver's first line only: SQLAlchemy's own text carries the SQL and
    # its parameters, which hold what customers wrote.
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line[:200]}"


async def _on_store_error(request: Request, exc: Exception) -> JSONResponse:
    if not is_store_outage(exc):
        raise exc  # a defect: the request context logs it with its traceback, 500
    _log.warning("store.unavailable", method=request.method, path=request.url.path,
                 reason=_reason(exc))
    return error_response(StoreUnavailable())


def install_store_outages(app: FastAPI) -> None:
    """Answer a store outage anywhere in a route (or its dependencies) with 503."""
    app.add_exception_handler(sa.exc.DBAPIError, _on_store_error)
    app.add_exception_handler(sa.exc.TimeoutError, _on_store_error)
