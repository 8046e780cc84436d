"""The app factory: errors, limits, request context and offline docs, wired once."""

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.app.clock import Clock
from shared.http.errors import ApiError, Invalid, error_response, validation_fields
from shared.http.middleware import BodyLimit, RequestContext
from shared.http.openapi import patch_openapi
from shared.http.outages import install_store_outages


class _App(FastAPI):
    _patched: dict[str, Any] | None = None

    def openapi(self) -> dict[str, Any]:
        schema = super().openapi()
        if schema is not self._patched:  # FastAPI rebuilt it (first call, or new routes)
            patch_openapi(schema, self.routes)
            self._patched = schema
        return schema


# --------------------------------------------------------------------------- handlers

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found"}
_CODES |= {405: "method_not_allowed", 413: "body_too_large", 429: "rate_limited"}


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
# Swagger UI 5 (FastAPI's documents are OpenAPI 3.1, which Swagger UI 4 cannot
# render), as shipped inside the fastapi-offline wheel; we use only its files.
_SWAGGER_UI_FILES = Path(str(resources.files("fastapi_offline") / "static"))


def _add_docs(app: FastAPI) -> None:
    app.mount(_ASSETS, StaticFiles(directory=_SWAGGER_UI_FILES), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} — API",
            swagger_js_url=f"{root}{_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{_ASSETS}/favicon.png",
            # Swagger UI would otherwise call validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )


def create_app(title: str, description: str, version: str = "1", clock: Clock | None = None
               ) -> FastAPI:
    """A FastAPI app with the shared errors, limits, request context and offline docs.

    ``clock`` times the access log (the service's clock; the system's if none).
    """
    app = _App(title=title, description=description, version=version, docs_url=None, redoc_url=None)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(RequestValidationError, _on_invalid)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    install_store_outages(app)
    app.add_middleware(BodyLimit)
    # Added last, so outermost: it sees every answer.
    app.add_middleware(RequestContext, clock=clock)
    _add_docs(app)
    return app
