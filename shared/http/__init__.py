"""The HTTP edge every service shares: errors, limits, docs, request context.

A service builds its app with :func:`create_app` and gets, for free:

- one error format, ``{"error": {"code", "message", "fields"}}``, for our own
  :class:`ApiError` and for FastAPI's validation errors, unknown routes,
  wrong methods and defects (a 500 ``internal``, logged with its traceback);
- a store outage (database down, restarting, locked) answered 503
  ``store_unavailable`` with Retry-After and logged as ``store.unavailable``,
  never as a 500;
- a 64 KiB request-body limit enforced before the app sees the body (413);
- an ``X-Correlation-ID`` bound into structlog's context and echoed back;
- ``X-Content-Type-Options: nosniff`` and ``Cache-Control: no-store`` on
  every API answer, and an ``http.request`` access-log line for each request
  (method, path, status, duration, role; never a token or a query string);
- ``/docs`` served from local Swagger UI 5 files (works offline);
- an OpenAPI document whose 422 is our :class:`ErrorBody`, and which lists
  401/403/429/503 on routes that authenticate, 429 on rate-limited routes
  and 413 on routes with a body. Other errors a route raises (404, 409) are declared on
  the route: ``@app.post(..., responses=responses(404, 409))``.

A route, with ``auth = Authenticator(path)`` (shared.http.auth) and
``limiter = RateLimiter(..., clock=context.clock)``::

    Desk = Annotated[Principal, Depends(auth.require("desk"))]
    DeskWrites = Annotated[Principal, Depends(limiter.limited(auth.require("desk")))]

    @app.post("/complaints/{id}/sign-off", responses=responses(404, 409))
    def sign_off(id: UUID, body: SignOff, who: DeskWrites) -> ...:
        raise Conflict("P-11", "sign-off needs the work completed first")

FastAPI reads those ``Annotated`` aliases at runtime: keep them at module
level, or leave ``from __future__ import annotations`` out of a module that
builds them inside a function (FastAPI cannot resolve a string naming a
local ``auth``; the parameter then silently becomes a required query field).

The modules, by concern: ``errors`` (the error format and the errors routes
raise), ``openapi`` (the document and each route's error statuses),
``models`` (request-body building blocks), ``limits`` (rate limits),
``middleware`` (request context, body limit), ``outages`` (the store away:
503) and ``app`` (:func:`create_app`)
know nothing of complaints; import them from ``shared.http`` itself, this file
names their public API. ``auth`` (tokens and roles), ``complaint_access`` (who
may see and act on which complaint, domain errors as HTTP) and ``health``
(``/healthz``) are the edge pieces that know the procedure.

May import: the application wing, the domain, the event store's errors and the
messaging health probe; nothing imports it but the services.
"""

from shared.http.app import create_app
from shared.http.errors import (
    ApiError,
    Conflict,
    ErrorBody,
    ErrorDetail,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    StoreUnavailable,
    Unauthorized,
    error_response,
    validation_fields,
)
from shared.http.limits import Caller, ForgeryLimit, RateLimiter, TokenBucket
from shared.http.middleware import (
    CORRELATION_HEADER,
    MAX_BODY_BYTES,
    BodyLimit,
    BodyTooLarge,
    RequestContext,
    record_role,
)
from shared.http.models import (
    LongText,
    Phone,
    QueryText,
    RequestModel,
    ShortText,
    WholeNumber,
)
from shared.http.openapi import ERROR_RESPONSES, declares_errors, patch_openapi, responses
from shared.http.outages import is_store_outage

__all__ = [
    "CORRELATION_HEADER",
    "ERROR_RESPONSES",
    "MAX_BODY_BYTES",
    "ApiError",
    "BodyLimit",
    "BodyTooLarge",
    "Caller",
    "Conflict",
    "ErrorBody",
    "ErrorDetail",
    "Forbidden",
    "ForgeryLimit",
    "Invalid",
    "LongText",
    "NotFound",
    "Phone",
    "QueryText",
    "RateLimited",
    "RateLimiter",
    "RequestContext",
    "RequestModel",
    "ShortText",
    "StoreUnavailable",
    "TokenBucket",
    "Unauthorized",
    "WholeNumber",
    "create_app",
    "declares_errors",
    "error_response",
    "is_store_outage",
    "patch_openapi",
    "record_role",
    "responses",
    "validation_fields",
]
