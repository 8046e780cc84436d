"""P-4: phone calls are recorded on the call record (客户来电记录表), even calls that are
no complaint; a call that raised a complaint names it."""

from __future__ import annotations

from datetime import datetime

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.calls import Call, fold_call, record_call
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import Complaint
from tests.unit.given import CID, T0, at, given, registered, withdrawn

CALL_ID = "5d1c2a7e-93f4-4c0b-8a8e-6f0e1b2c3d4e"


def a_call(**overrides: str | None) -> c.RecordCall:
    fields: dict[str, str | None] = {
        "call_id": CALL_ID, "caller": "李四", "phone": "13900139000",
        "received_by": "desk-07", "summary": "询问物业费缴纳时间"}
    fields.update(overrides)
    return c.RecordCall(**fields)  # type: ignore[arg-type]


def when_recorded(command: c.RecordCall, call: Call = Call(),
                  raised: Complaint | None = None, now: datetime = T0) -> list[ev.Event]:
    return record_call(command, call, raised, now)


def test_a_call_that_is_no_complaint_is_recorded_all_the_same() -> None:
    assert when_recorded(a_call()) == [ev.CallRecorded(
        call_id=CALL_ID, caller="李四", phone="13900139000", received_by="desk-07",
        summary="询问物业费缴纳时间", complaint_id=None, received_at=T0)]


def test_a_call_that_raised_a_complaint_names_it() -> None:
    [recorded] = when_recorded(a_call(complaint_id=CID), raised=given(registered()),
                               now=at(minutes=5))
    assert isinstance(recorded, ev.CallRecorded)
    assert recorded.complaint_id == CID
    assert recorded.received_at == at(minutes=5)


def test_a_call_may_name_a_complaint_in_any_status() -> None:
    assert when_recorded(a_call(complaint_id=CID), raised=given(*withdrawn()))


@pytest.mark.parametrize("raised", [None, Complaint()], ids=["not_loaded", "empty_stream"])
def test_a_call_naming_a_complaint_that_does_not_exist_is_refused_naming_complaint_id(
    raised: Complaint | None,
) -> None:
    with pytest.raises(InvalidCommand) as refused:
        when_recorded(a_call(complaint_id=CID), raised=raised)
    assert refused.value.field == "complaint_id"


@pytest.mark.parametrize("field", ["caller", "phone", "received_by", "summary"])
def test_the_call_record_needs_each_of_its_facts(field: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        when_recorded(a_call(**{field: "  "}))
    assert refused.value.field == field


def test_a_call_is_recorded_once() -> None:
    history = when_recorded(a_call())
    with pytest.raises(RuleViolation) as refused:
        when_recorded(a_call(), call=fold_call(history))
    assert refused.value.rule == "P-4"


def test_the_call_record_keeps_what_was_said_without_surrounding_blanks() -> None:
    [recorded] = when_recorded(a_call(caller=" 李四 ", summary=" 问路 "))
    assert isinstance(recorded, ev.CallRecorded)
    assert (recorded.caller, recorded.summary) == ("李四", "问路")


def test_a_recorded_call_folds_to_its_record() -> None:
    history = when_recorded(a_call())
    state = fold_call(history)
    assert state.call_id == CALL_ID and state.version == 1 and state.record == history[0]
