"""JSON logs on stdout with phone numbers masked (shared.app.logging)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import structlog

from shared.app.logging import configure_logging, mask_phone_numbers, mask_phones


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back for other tests."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level
    logging.captureWarnings(False)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


def test_masks_a_mobile_keeping_the_first_three_and_last_four_digits() -> None:
    assert mask_phones("call 13800138000 today") == "call 138****8000 today"


def test_masks_a_mobile_inside_chinese_text() -> None:
    assert mask_phones("业主电话13800138000，请回电") == "业主电话138****8000，请回电"


def test_masks_mobiles_written_with_spaces_dashes_or_country_code() -> None:
    assert mask_phones("138 0013 8000") == "138****8000"
    assert mask_phones("138-0013-8000") == "138****8000"
    assert mask_phones("+86 13800138000") == "+86 138****8000"


@pytest.mark.parametrize(
    ("landline", "masked"),
    [
        ("0755-86001234", "0755-******34"),
        ("075586001234", "0755******34"),
        ("(0755)86001234", "(0755)******34"),
        ("010-12345678", "010-******78"),
        ("0755-8600123", "0755-*****23"),
    ],
)
def test_masks_landlines_keeping_the_area_code_and_last_two_digits(
    landline: str, masked: str
) -> None:
    assert mask_phones(f"tel {landline}.") == f"tel {masked}."


@pytest.mark.parametrize(
    "text",
    [
        "550e8400-e29b-41d4-a716-446655440000",
        "550e8400-e29b-41d4-a716-075586001234",  # last group reads like a landline
        "2026-05-01T08:30:00.123456+08:00",
        "1714550400000",  # a 13-digit epoch in milliseconds
        "138001380001",  # twelve digits: not a mobile
        "position 12345678901234",
        "a3f913800138000b",  # a hex id with a phone-like run inside
    ],
)
def test_leaves_ids_timestamps_and_long_numbers_untouched(text: str) -> None:
    assert mask_phones(text) == text


def test_the_processor_masks_strings_nested_in_dicts_and_lists() -> None:
    event = {"event": "called 13800138000", "who": {"phones": ["0755-86001234", 7]}, "n": 3}
    masked = mask_phone_numbers(None, "info", event)
    assert masked == {
        "event": "called 138****8000",
        "who": {"phones": ["0755-******34", 7]},
        "n": 3,
    }


def _lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_the_json_logger_emits_one_line_per_event_with_the_phone_masked(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("intake")
    structlog.contextvars.bind_contextvars(correlation_id="c-1", complaint_id="k-9")
    structlog.get_logger("test").info("registered", phone="13800138000")
    (line,) = _lines(capsys.readouterr().out)
    assert line["event"] == "registered"
    assert line["phone"] == "138****8000"
    assert line["service"] == "intake"
    assert line["level"] == "info"
    assert (line["correlation_id"], line["complaint_id"]) == ("c-1", "k-9")
    stamp = datetime.fromisoformat(str(line["timestamp"]).replace("Z", "+00:00"))
    assert stamp.utcoffset() == timedelta(0)


def test_stdlib_loggers_come_out_as_the_same_json(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("tracker")
    logging.getLogger("uvicorn.error").warning("caller 13800138000 hung up")
    (line,) = _lines(capsys.readouterr().out)
    assert line["event"] == "caller 138****8000 hung up"
    assert (line["service"], line["level"]) == ("tracker", "warning")
    assert line["logger"] == "uvicorn.error"


def test_exceptions_are_logged_as_a_masked_traceback_in_the_same_line(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("intake")
    try:
        raise RuntimeError("no answer on 13800138000")
    except RuntimeError:
        structlog.get_logger().exception("call failed")
    (line,) = _lines(capsys.readouterr().out)
    assert "RuntimeError: no answer on 138****8000" in str(line["exception"])


def test_events_below_the_level_are_dropped(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("intake", "warning")
    structlog.get_logger().info("quiet")
    logging.getLogger("pika").warning("loud")
    assert [line["event"] for line in _lines(capsys.readouterr().out)] == ["loud"]


def test_an_unknown_level_is_refused(restored_logging: None) -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging("intake", "chatty")
