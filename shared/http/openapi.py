"""The OpenAPI document in our error format, with each route's error statuses.

FastAPI documents its own ``{"detail": [...]}`` 422; we send :class:`ErrorBody`.
Statuses a dependency can answer with (401/403 from auth, 429 from the rate
limiter) are declared once on the dependency with :func:`declares_errors`
and listed on every route that uses it; 413 on every route with a body; 503
(the store unavailable) on every guarded route.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.http.errors import ErrorBody
from shared.http.middleware import MAX_BODY_BYTES

_RETRY_AFTER = {"description": "Seconds to wait", "schema": {"type": "integer"}}
_WWW_AUTHENTICATE = {"description": "Bearer", "schema": {"type": "string"}}
_DESCRIPTIONS = {
    401: "Missing or unknown bearer token",
    403: "Known token, but its role may not do this (or another department's order)",
    404: "Unknown id",
    409: "A step the procedure does not allow now; the message names the rule",
    413: f"Request body over {MAX_BODY_BYTES} bytes",
    422: "Invalid input; `fields` names each field and what is wrong",
    429: "Too many requests: writes over this token's rate limit, or too many unknown tokens"
         " from this client address; see Retry-After",
    503: "The complaint store is unavailable (down, restarting); see Retry-After",
}
_HEADERS = {
    401: {"WWW-Authenticate": _WWW_AUTHENTICATE},
    429: {"Retry-After": _RETRY_AFTER},
    503: {"Retry-After": _RETRY_AFTER},
}

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
    if codes:
        # A guarded route reads or writes the store, which may be away; the
        # unguarded ones (/healthz) answer for themselves.
        codes.add(503)
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
