"""Pure ASGI middleware: the request context (headers, access log, 500s) and the body limit."""

import re
import uuid

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.app.clock import Clock, SystemClock
from shared.http.errors import ApiError, error_response

MAX_BODY_BYTES = 65536
CORRELATION_HEADER = "X-Correlation-ID"
_DOCS = "/docs"  # the Swagger UI page and its assets may be cached; nothing else

# The package's name, not this module's: the whole HTTP edge logs as one logger.
_log = structlog.get_logger(__package__)


class BodyTooLarge(ApiError):
    def __init__(self, limit: int = MAX_BODY_BYTES) -> None:
        super().__init__(413, "body_too_large", f"request body over {limit} bytes")


# --------------------------------------------------------------------------- request context

_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _correlation_id(given: str | None) -> str:
    # Anything else is replaced: the id goes into every log line and header.
    if given and _CORRELATION_ID.fullmatch(given):
        return given
    return str(uuid.uuid4())


class RequestContext:
    """Pure ASGI, outermost: what every answer gets, whatever produced it.

    - ``correlation_id`` bound for the request's logs and echoed back;
    - ``X-Content-Type-Options: nosniff`` always, ``Cache-Control: no-store``
      on everything but the docs page and its assets (answers name people);
    - an uncaught exception turned into a logged 500 in our format;
    - one access-log line, ``http.request``: method, path (never the query
      string, which may hold a phone), status, duration, the caller's role
      (see :func:`record_role`) and the client address; never the token.
    """

    def __init__(self, app: ASGIApp, clock: Clock | None = None) -> None:
        self.app = app
        self.clock = clock or SystemClock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = self.clock.monotonic()
        correlation_id = _correlation_id(Headers(scope=scope).get(CORRELATION_HEADER))
        # Each request runs in its own task, so clearing cannot touch another's.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        scope.setdefault("state", {})  # where record_role leaves the caller's role
        status: int | None = None

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[CORRELATION_HEADER] = correlation_id
                _harden(headers, scope["path"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            _log.exception("unhandled error", method=scope["method"], path=scope["path"])
            if status is not None:
                raise  # too late for an answer of ours; the server closes the connection
            await error_response(_DEFECT)(scope, receive, send_with_headers)
        finally:
            _log_access(scope, status, self.clock.monotonic() - started_at)


def record_role(scope: Scope, role: str) -> None:
    """Name the caller in the access log: a principal's role, or ``unknown-token``."""
    scope.setdefault("state", {})["role"] = role


def _harden(headers: MutableHeaders, path: str) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if not (path == _DOCS or path.startswith(_DOCS + "/")):
        headers.setdefault("Cache-Control", "no-store")


def _log_access(scope: Scope, status: int | None, seconds: float) -> None:
    client = scope.get("client")
    _log.info("http.request", method=scope["method"], path=scope["path"], status=status,
              duration_ms=round(seconds * 1000, 1),
              role=scope.get("state", {}).get("role", "anonymous"),
              client=client[0] if client else None)


_DEFECT = ApiError(
    500, "internal", "an internal error: a defect in this service, logged under the correlation id"
)


# --------------------------------------------------------------------------- body limit


class _TooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


class BodyLimit:
    """Pure ASGI: refuse bodies over ``max_bytes`` (413) before the app starts.

    A declared Content-Length over the limit is refused unread; otherwise the
    body is read here, counting chunks, and handed to the app only once it
    is whole and within the limit, so the app never acts on part of a body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            if _declared_length(scope) > self.max_bytes:
                raise _TooLarge
            body = await self._read(receive)
        except _TooLarge:
            await self._refuse(scope, receive, send)
            return
        except _ClientGone:
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        _log.info("request body too large", method=scope["method"], path=scope["path"])
        response = error_response(BodyTooLarge(self.max_bytes))
        # The rest of the body is never read: the connection cannot be reused.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    try:
        return int(Headers(scope=scope).get("content-length", "0"))
    except ValueError:  # the server refuses these; count the chunks anyway
        return 0


def _replay(body: bytes, receive: Receive) -> Receive:
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later calls wait for the disconnect, as usual

    return replay
