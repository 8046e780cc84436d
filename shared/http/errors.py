"""The shared error format and the errors a route raises in it.

Every answer other than success is ``{"error": {"code", "message", "fields"}}``.
:class:`BodyTooLarge` lives in ``middleware`` beside the limit it reports and
the middleware that raises it (this module cannot import ``middleware``,
which imports it).
"""

import math
from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field


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


class Invalid(ApiError):
    """422 raised by our own checks; ``fields`` maps each field to what is wrong."""

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        super().__init__(422, "invalid", message or _invalid_message(fields), fields)


class RateLimited(ApiError):
    def __init__(self, retry_after: float, reason: str = "over this token's rate limit") -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            429, "rate_limited", f"{reason}; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


class StoreUnavailable(ApiError):
    """503: the database cannot answer now (down, restarting, locked).

    Whether a write that was under way took effect is unknown (the store may
    have gone between commit and answer): a registration retried with the
    same ``Idempotency-Key`` is registered once.
    """

    RETRY_AFTER = 5

    def __init__(self) -> None:
        super().__init__(
            503, "store_unavailable",
            f"the complaint store is unavailable; retry in {self.RETRY_AFTER} s",
            headers={"Retry-After": str(self.RETRY_AFTER)},
        )


def _invalid_message(fields: dict[str, str]) -> str:
    return "invalid input: " + ", ".join(fields)


def error_response(error: ApiError) -> JSONResponse:
    """The JSON answer for ``error`` (for services mapping their own exceptions)."""
    body = ErrorBody(error=ErrorDetail(code=error.code, message=error.message, fields=error.fields))
    return JSONResponse(body.model_dump(), status_code=error.status, headers=error.headers)


# --------------------------------------------------------------------------- validation errors

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
