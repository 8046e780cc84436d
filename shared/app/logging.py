"""JSON logs on standard output, one event per line, phone numbers masked.

Call :func:`configure_logging` once at process start. Every event, whether it
comes from structlog (``structlog.get_logger().info("registered", ...)``) or
from a stdlib logger (uvicorn, pika, SQLAlchemy warnings), is rendered by the
same chain: ISO UTC ``timestamp``, ``level``, ``event``, the bound
``service``, whatever the request bound with
``structlog.contextvars.bind_contextvars`` (``correlation_id``,
``complaint_id``), and every phone number in every string value masked.

uvicorn installs its own handlers unless told not to: run it with
``uvicorn.run(app, log_config=None)`` after calling :func:`configure_logging`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

# Digit boundaries on both sides, and no letters either: a phone never sits
# inside a longer number, a hex id or a word such as "v13800138000".
_BEFORE = r"(?<![0-9A-Za-z])"
_AFTER = r"(?![0-9A-Za-z])"
# A UUID whose last group happens to be all digits would otherwise read as a
# landline; matching UUIDs first lets the substitution hand them back whole.
_UUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_MOBILE = r"(?P<m_head>(?:\+86[ -]?)?1\d\d)[ -]?(?P<m_mid>\d{4})[ -]?(?P<m_tail>\d{4})"
_LANDLINE = (
    r"(?P<l_area>\(0\d{2,3}\)\s?|0\d{2,3}[ -]?)"
    r"(?P<l_body>\d{5,6})(?P<l_tail>\d{2})"
)
_PHONES = re.compile(rf"(?P<uuid>{_UUID})|{_BEFORE}(?:{_MOBILE}|{_LANDLINE}){_AFTER}")

_NOISY_LOGGERS = {"pika": logging.WARNING, "sqlalchemy": logging.WARNING}
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_ESSENTIALS = ("timestamp", "level", "service", "event")


def _masked(match: re.Match[str]) -> str:
    if match["uuid"]:
        return match["uuid"]
    if match["m_head"]:
        return f"{match['m_head']}****{match['m_tail']}"
    return f"{match['l_area']}{'*' * len(match['l_body'])}{match['l_tail']}"


def mask_phones(text: str) -> str:
    """Mask mainland mobiles (``138****8000``) and landlines (``0755-******34``)."""
    return _PHONES.sub(_masked, text)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_phones(value)
    if isinstance(value, dict):
        return {key: _mask_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_value(item) for item in value]
    return value


def mask_phone_numbers(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: :func:`mask_phones` on every string value, nested too."""
    return {key: _mask_value(value) for key, value in event_dict.items()}


def _essentials_first(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    # Readers scan the start of a line: when, how bad, which service, what.
    first = {key: event_dict.pop(key) for key in _ESSENTIALS if key in event_dict}
    first.update(event_dict)
    return first


def _add_service(service: str) -> Processor:
    def add_service(
        _logger: WrappedLogger, _name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


def _level_number(level: str) -> int:
    number = logging.getLevelNamesMapping().get(level.upper())
    if number is None:
        raise ValueError(f"unknown log level {level!r}: use debug, info, warning or error")
    return number


def _pre_chain(service: str) -> list[Processor]:
    """What structlog events and stdlib records both go through before rendering."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        _add_service(service),
    ]


def _formatter(service: str) -> structlog.stdlib.ProcessorFormatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_pre_chain(service),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # A plain traceback string rather than dict_tracebacks: the latter
            # can carry local variables, and those may hold tokens.
            structlog.processors.format_exc_info,
            mask_phone_numbers,
            _essentials_first,
            structlog.processors.JSONRenderer(
                serializer=json.dumps, ensure_ascii=False, default=str
            ),
        ],
    )


def _route_stdlib(service: str, level: int) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_formatter(service))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in _UVICORN_LOGGERS:
        # uvicorn's own handlers would print plain text beside our JSON.
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    for name, floor in _NOISY_LOGGERS.items():
        logging.getLogger(name).setLevel(max(floor, level))
    # SQLAlchemy and others warn through the warnings module; route it here.
    logging.captureWarnings(True)


def configure_logging(service: str, level: str = "info") -> None:
    """Send structlog and stdlib logging to stdout as JSON lines for ``service``."""
    number = _level_number(level)
    _route_stdlib(service, number)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_pre_chain(service),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: tests and the CLI may configure more than once.
        cache_logger_on_first_use=False,
    )
