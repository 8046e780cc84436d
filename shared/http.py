"""The HTTP edge every service shares: errors, limits, docs, request context.

A service builds its app with :func:`create_app` and gets, for free:

- one error format, ``{"error": {"code", "message", "fields"}}``, for our own
  :class:`ApiError` and for FastAPI's validation errors, unknown routes,
  wrong methods and defects (a 500 ``internal``, logged with its traceback);
- a 64 KiB request-body limit enforced before the app sees the body (413);
- an ``X-Correlation-ID`` bound into structlog's context and echoed back;
- ``/docs`` served from the local ``swagger_ui_bundle`` files (works offline);
- an OpenAPI document whose 422 is our :class:`ErrorBody`, and which lists
  401/403 on routes that authenticate, 429 on rate-limited routes and 413 on
  routes with a body. Other errors a route raises (404, 409) are declared on
  the route: ``@app.post(..., responses=responses(404, 409))``.

A route, with ``auth = Authenticator(path)`` (shared.auth) and
``limiter = RateLimiter(...)``::

    Desk = Annotated[Principal, Depends(auth.require("desk"))]
    DeskWrites = Annotated[Principal, Depends(limiter.limited(auth.require("desk")))]

    @app.post("/complaints/{id}/sign-off", responses=responses(404, 409))
    def sign_off(id: UUID, body: SignOff, who: DeskWrites) -> ...:
        raise Conflict("P-11", "sign-off needs the work completed first")

FastAPI reads those ``Annotated`` aliases at runtime: keep them at module
level, or leave ``from __future__ import annotations`` out of a module that
builds them inside a function (FastAPI cannot resolve a string naming a
local ``auth``; the parameter then silently becomes a required query field).
"""

import math
import re
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar
from weakref import WeakKeyDictionary

import structlog
from fastapi import Depends, FastAPI, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

MAX_BODY_BYTES = 65536
CORRELATION_HEADER = "X-Correlation-ID"

_log = structlog.get_logger(__name__)

# --------------------------------------------------------------------------- errors


class ErrorDetail(BaseModel):
    # We always send `fields` (maybe empty): say so in the schema.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    code: str = Field(examples=["invalid"])
    message: str = Field(examples=["invalid input: phone"])
    fields: dict[str, str] = Field(default_factory=dict, examples=[{"phone": "..."}])


class ErrorBody(BaseModel):
    """Every error answer: ``{"error": {"code", "message", "fields"}}``."""

    error: ErrorDetail


class ApiError(Exception):
    """An answer other than success, in the shared error format."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


class Unauthorized(ApiError):
    def __init__(self, message: str = "a valid bearer token is required") -> None:
        super().__init__(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(403, "forbidden", message)


class NotFound(ApiError):
    def __init__(self, message: str) -> None:
        super().__init__(404, "not_found", message)


class Conflict(ApiError):
    """A step the procedure does not allow now; the message starts with the rule."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(409, "conflict", f"{rule}: {message}")
        self.rule = rule


class BodyTooLarge(ApiError):
    def __init__(self, limit: int = MAX_BODY_BYTES) -> None:
        super().__init__(413, "body_too_large", f"request body over {limit} bytes")


class Invalid(ApiError):
    """422 raised by our own checks; ``fields`` maps each field to what is wrong."""

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        super().__init__(422, "invalid", message or _invalid_message(fields), fields)


class RateLimited(ApiError):
    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            429,
            "rate_limited",
            f"over this token's rate limit; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


def _invalid_message(fields: dict[str, str]) -> str:
    return "invalid input: " + ", ".join(fields)


def error_response(error: ApiError) -> JSONResponse:
    """The JSON answer for ``error`` (for services mapping their own exceptions)."""
    body = ErrorBody(error=ErrorDetail(code=error.code, message=error.message, fields=error.fields))
    return JSONResponse(body.model_dump(), status_code=error.status, headers=error.headers)


# --------------------------------------------------------------------------- OpenAPI

_RETRY_AFTER = {"description": "Seconds to wait", "schema": {"type": "integer"}}
_WWW_AUTHENTICATE = {"description": "Bearer", "schema": {"type": "string"}}
_DESCRIPTIONS = {
    401: "Missing or unknown bearer token",
    403: "Known token, but its role may not do this (or another department's order)",
    404: "Unknown id",
    409: "A step the procedure does not allow now; the message names the rule",
    413: f"Request body over {MAX_BODY_BYTES} bytes",
    422: "Invalid input; `fields` names each field and what is wrong",
    429: "Over this token's rate limit; see Retry-After",
}
_HEADERS = {401: {"WWW-Authenticate": _WWW_AUTHENTICATE}, 429: {"Retry-After": _RETRY_AFTER}}

ERROR_RESPONSES: dict[int, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    | ({"headers": _HEADERS[code]} if code in _HEADERS else {})
    for code, text in _DESCRIPTIONS.items()
}

_DECLARED: "WeakKeyDictionary[Callable[..., Any], tuple[int, ...]]" = WeakKeyDictionary()
F = TypeVar("F", bound=Callable[..., Any])


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that may answer with these error statuses."""
    return {code: ERROR_RESPONSES[code] for code in codes}


def declares_errors(*codes: int) -> Callable[[F], F]:
    """Mark a dependency: every route using it lists these errors in OpenAPI."""

    def mark(dependency: F) -> F:
        _DECLARED[dependency] = codes
        return dependency

    return mark


def _declared(call: Callable[..., Any] | None) -> tuple[int, ...]:
    try:
        return _DECLARED.get(call, ()) if call is not None else ()
    except TypeError:  # not weak-referenceable, so never marked
        return ()


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _route_errors(route: APIRoute) -> set[int]:
    codes = {code for d in _dependants(route.dependant) for code in _declared(d.call)}
    if route.body_field is not None:
        codes.add(413)
    return codes


def _error_response_object(code: int) -> dict[str, Any]:
    spec = {k: v for k, v in ERROR_RESPONSES[code].items() if k != "model"}
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    return spec | {"content": {"application/json": {"schema": ref}}}


def _patch_operation(operation: dict[str, Any], codes: set[int]) -> None:
    answers = operation.setdefault("responses", {})
    if "422" in answers:  # FastAPI's {"detail": [...]} is not what we send
        answers["422"] = _error_response_object(422)
    for code in sorted(codes):
        answers.setdefault(str(code), _error_response_object(code))


def _add_error_schemas(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    generated = ErrorBody.model_json_schema(
        mode="serialization", ref_template="#/components/schemas/{model}"
    )
    for name, definition in generated.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorBody", generated)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


def patch_openapi(schema: dict[str, Any], routes: Sequence[Any]) -> None:
    """Our error bodies and the statuses each route's dependencies declare."""
    paths = schema.get("paths", {})
    for route in routes:
        if not isinstance(route, APIRoute) or route.path_format not in paths:
            continue
        codes = _route_errors(route)
        for method in route.methods or ():
            operation = paths[route.path_format].get(method.lower())
            if operation is not None:
                _patch_operation(operation, codes)
    _add_error_schemas(schema)


class _App(FastAPI):
    _patched: dict[str, Any] | None = None

    def openapi(self) -> dict[str, Any]:
        schema = super().openapi()
        if schema is not self._patched:  # FastAPI rebuilt it (first call, or new routes)
            patch_openapi(schema, self.routes)
            self._patched = schema
        return schema


# --------------------------------------------------------------------------- request models

# Control characters (NUL above all: PostgreSQL cannot store it) are refused;
# line breaks and tabs are fine in long text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SHORT_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _no_control(pattern: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        if pattern.search(value):
            raise PydanticCustomError("control_character", "control characters are not allowed")
        return value

    return AfterValidator(check)


ShortText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    _no_control(_SHORT_CONTROL),
]
LongText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, strip_whitespace=True),
    _no_control(_CONTROL),
]
# A free-text query parameter (a filter): the same limits as ShortText.
QueryText = Annotated[str, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]

_MOBILE = re.compile(r"1\d{10}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}|\(0\d{2,3}\)\d{7,8}")
_PHONE_HELP = (
    "a mainland mobile (11 digits starting with 1, e.g. 13800138000) or a landline "
    "with its area code (e.g. 0755-86001234, 075586001234 or (0755)86001234)"
)


def _phone(value: str) -> str:
    number = "".join(value.split())
    if _MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number):
        return number
    # A custom error keeps pydantic's "Value error, " prefix out of the message.
    raise PydanticCustomError("phone", _PHONE_HELP)


Phone = Annotated[
    str,
    AfterValidator(_phone),
    Field(description=f"{_PHONE_HELP}; spaces are ignored", examples=["13800138000"]),
]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- rate limits


class TokenBucket:
    """``burst`` requests at once, refilled at ``per_second``; time is passed in."""

    def __init__(self, burst: float, per_second: float) -> None:
        if burst < 1 or per_second <= 0:
            raise ValueError("a token bucket needs burst >= 1 and per_second > 0")
        self.burst = float(burst)
        self.per_second = float(per_second)
        self._tokens = self.burst
        self._last: float | None = None

    def take(self, now: float) -> float | None:
        """Take one token: None when allowed, else the seconds until one is there."""
        if self._last is not None:
            elapsed = max(0.0, now - self._last)  # a clock going back refills nothing
            self._tokens = min(self.burst, self._tokens + elapsed * self.per_second)
        self._last = now if self._last is None else max(self._last, now)
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        return (1 - self._tokens) / self.per_second


class Caller(Protocol):
    """What rate limiting needs of a principal (shared.auth.Principal fits)."""

    @property
    def token_id(self) -> str: ...

    @property
    def is_staff(self) -> bool: ...


C = TypeVar("C", bound=Caller)


class RateLimiter:
    """One token bucket per token, kiosk and staff sized apart (contract, Limits).

    Only requests that change something are limited: wrap the route's auth
    dependency, ``Depends(limiter.limited(auth.require("desk")))``; the
    wrapped dependency still returns the Principal. Thread-safe.
    """

    def __init__(
        self,
        kiosk_burst: int = 30,
        kiosk_per_second: float = 1.0,
        staff_burst: int = 200,
        staff_per_second: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kiosk = (kiosk_burst, kiosk_per_second)
        self._staff = (staff_burst, staff_per_second)
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def check(self, caller: Caller, now: float) -> None:
        """Spend one of the caller's tokens, or raise :class:`RateLimited`."""
        with self._lock:
            bucket = self._buckets.get(caller.token_id)
            if bucket is None:
                bucket = TokenBucket(*(self._staff if caller.is_staff else self._kiosk))
                self._buckets[caller.token_id] = bucket
            wait = bucket.take(now)
        if wait is not None:
            raise RateLimited(wait)

    def limited(self, authenticate: Callable[..., Awaitable[C]]) -> Callable[..., Awaitable[C]]:
        """A dependency: ``authenticate``, then spend a token of the caller's."""

        @declares_errors(429)
        async def rate_limited(caller: Annotated[Any, Depends(authenticate)]) -> C:
            self.check(caller, self._clock())
            return caller

        return rate_limited


# --------------------------------------------------------------------------- middleware

_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _correlation_id(given: str | None) -> str:
    # Anything else is replaced: the id goes into every log line and header.
    if given and _CORRELATION_ID.fullmatch(given):
        return given
    return str(uuid.uuid4())


class RequestContext:
    """Pure ASGI: bind ``correlation_id`` for the request's logs, echo it back,
    and turn an uncaught exception into a logged 500 in our format."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = _correlation_id(Headers(scope=scope).get(CORRELATION_HEADER))
        # Each request runs in its own task, so clearing cannot touch another's.
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[CORRELATION_HEADER] = correlation_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _log.exception("unhandled error", method=scope["method"], path=scope["path"])
            if started:
                raise  # too late for an answer of ours; the server closes the connection
            await error_response(_DEFECT)(scope, receive, send_with_id)


_DEFECT = ApiError(
    500, "internal", "an internal error: a defect in this service, logged under the correlation id"
)


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


# --------------------------------------------------------------------------- handlers

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found"}
_CODES |= {405: "method_not_allowed", 413: "body_too_large", 429: "rate_limited"}
_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_FRIENDLIER = {"extra_forbidden": "unknown field", "missing": "required"}


def _field_name(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return "body"
    loc = list(error.get("loc", ()))
    if loc and loc[0] in _LOCATIONS:
        loc = loc[1:]
    return ".".join(str(part) for part in loc) or "body"


def _field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "json_invalid":
        detail = error.get("ctx", {}).get("error", "")
        return f"malformed JSON at character {error['loc'][-1]}: {detail}"
    return _FRIENDLIER.get(kind, error.get("msg", "invalid"))


def validation_fields(errors: Sequence[Any]) -> dict[str, str]:
    """Pydantic errors as ``{"dotted.field": "what is wrong"}``."""
    fields: dict[str, str] = {}
    for error in errors:
        name, message = _field_name(error), _field_message(error)
        fields[name] = f"{fields[name]}; {message}" if name in fields else message
    return fields


async def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, ApiError):
        raise exc
    return error_response(exc)


async def _on_invalid(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    return error_response(Invalid(validation_fields(exc.errors())))


async def _on_http_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):
        raise exc
    if exc.status_code == 400:  # FastAPI could not decode the body at all
        return error_response(Invalid({"body": "not parseable JSON in UTF-8"},
                                      "body: could not be parsed"))
    code = _CODES.get(exc.status_code, f"http_{exc.status_code}")
    error = ApiError(exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}))
    return error_response(error)


# --------------------------------------------------------------------------- the app

_ASSETS = "/docs/assets"


def _add_docs(app: FastAPI) -> None:
    app.mount(_ASSETS, StaticFiles(directory=Path(str(swagger_ui_path))), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} — API",
            swagger_js_url=f"{root}{_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{_ASSETS}/favicon-32x32.png",
            # Swagger UI would otherwise call validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )


def create_app(title: str, description: str, version: str = "1") -> FastAPI:
    """A FastAPI app with the shared errors, limits, request context and offline docs."""
    app = _App(title=title, description=description, version=version, docs_url=None, redoc_url=None)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_invalid)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_middleware(BodyLimit)
    app.add_middleware(RequestContext)  # added last, so outermost: it sees every answer
    _add_docs(app)
    return app
