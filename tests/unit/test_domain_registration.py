"""P-3, P-4, P-5: registering a complaint ("four clears, one report", 四清楚，一报告)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from shared.domain import events as ev
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import Complaint
from shared.policy import Policy
from tests.unit.given import (
    CID,
    DEFAULT,
    SHANGHAI,
    T0,
    at,
    given,
    policy_changed,
    register,
    registered,
    when,
)

NOTHING_YET = Complaint()


def with_communities(*names: str) -> Policy:
    def change(data: dict[str, Any]) -> None:
        data["communities"] = list(names)

    return policy_changed(change)


# ------------------------------------------------------------------ P-4: the form


def test_a_kiosk_registration_writes_the_form_at_the_time_it_is_made() -> None:
    # when
    events = when(register(), NOTHING_YET, now=T0)
    # then
    assert events == [
        ev.ComplaintRegistered(
            complaint_id=CID,
            channel="kiosk",
            community="荔园一期",
            unit="3-1502",
            customer_name="张三",
            phone="13800138000",
            description="楼道里很脏",
            category=None,
            severity="normal",
            read_back_confirmed=False,
            received_by=None,
            registered_at=T0,
        )
    ]


def test_a_kiosk_complaint_needs_no_read_back() -> None:
    # when
    events = when(register(channel="kiosk", read_back_confirmed=False), NOTHING_YET)
    # then
    assert events == [registered()]


@pytest.mark.parametrize("channel", ["visit", "phone", "staff"])
def test_any_employee_may_register_a_complaint_read_back_to_the_customer_P3(channel: str) -> None:
    # when
    events = when(
        register(channel=channel, read_back_confirmed=True, received_by="desk-07"), NOTHING_YET
    )
    # then
    assert events == [registered(channel=channel, read_back_confirmed=True, received_by="desk-07")]


def test_a_registration_keeps_the_category_booking_and_severity_it_was_given() -> None:
    # given
    start = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
    end = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    # when
    events = when(
        register(category="repair.in_unit", description="厨房天花板漏水",
                 appointment_start=start, appointment_end=end, severity="serious"),
        NOTHING_YET,
    )
    # then
    assert events == [
        registered(category="repair.in_unit", description="厨房天花板漏水",
                   appointment_start=start, appointment_end=end, severity="serious")
    ]


def test_the_facts_are_recorded_without_surrounding_blanks() -> None:
    # when
    events = when(
        register(unit=" 3-1502 ", customer_name=" 张三", description="楼道里很脏 \n"), NOTHING_YET
    )
    # then
    assert events == [registered()]


def test_registering_the_same_complaint_twice_is_refused_naming_P4() -> None:
    # given
    state = given(registered())
    # when
    with pytest.raises(RuleViolation, match="P-4") as refused:
        when(register(), state)
    # then
    assert refused.value.rule == "P-4"


# ------------------------------------------------------- P-5: the four clears


@pytest.mark.parametrize("channel", ["visit", "phone", "staff"])
def test_a_complaint_taken_by_a_person_but_not_read_back_is_refused_naming_P5(
    channel: str,
) -> None:
    # when
    with pytest.raises(InvalidCommand, match="P-5") as refused:
        when(register(channel=channel, read_back_confirmed=False, received_by="desk-07"),
             NOTHING_YET)
    # then
    assert refused.value.field == "read_back_confirmed"


def test_a_phone_complaint_not_read_back_is_refused_naming_P5() -> None:
    with pytest.raises(InvalidCommand, match="P-5") as refused:
        when(register(channel="phone", received_by="desk-07"), NOTHING_YET)
    assert refused.value.field == "read_back_confirmed"


@pytest.mark.parametrize("channel", ["visit", "phone", "staff"])
@pytest.mark.parametrize("received_by", [None, "", "   "])
def test_a_complaint_taken_by_a_person_who_does_not_say_who_they_are_is_refused_naming_P5(
    channel: str, received_by: str | None
) -> None:
    with pytest.raises(InvalidCommand, match="P-5") as refused:
        when(register(channel=channel, read_back_confirmed=True, received_by=received_by),
             NOTHING_YET)
    assert refused.value.field == "received_by"


@pytest.mark.parametrize("fact", ["community", "unit", "customer_name", "phone", "description"])
@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_a_registration_missing_a_fact_that_makes_it_actionable_is_refused_naming_it(
    fact: str, blank: str
) -> None:
    with pytest.raises(InvalidCommand, match="P-5") as refused:
        when(register(**{fact: blank}), NOTHING_YET)
    assert refused.value.field == fact


def test_an_unknown_category_is_refused_naming_the_category_field() -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(register(category="plumbing"), NOTHING_YET)
    assert refused.value.field == "category"
    assert "plumbing" in str(refused.value)


# ------------------------------------------------------------ the policy's communities


def test_with_communities_in_the_policy_a_registration_must_name_one_of_them() -> None:
    # given
    policy = with_communities("荔园一期", "荔园二期")
    # when
    with pytest.raises(InvalidCommand) as refused:
        when(register(community="荔园三期"), NOTHING_YET, policy=policy)
    # then
    assert refused.value.field == "community"
    assert "荔园一期" in str(refused.value)


def test_with_communities_in_the_policy_a_listed_community_is_registered() -> None:
    policy = with_communities("荔园一期", "荔园二期")
    assert when(register(community="荔园二期"), NOTHING_YET, policy=policy) == [
        registered(community="荔园二期")
    ]


def test_without_communities_in_the_policy_any_community_is_registered() -> None:
    assert DEFAULT.communities is None
    assert when(register(community="别的小区"), NOTHING_YET) == [registered(community="别的小区")]


# ------------------------------------------------------------------ the booked time


def test_a_booking_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(register(appointment_start=at(hours=3), appointment_end=at(hours=1)), NOTHING_YET)
    assert refused.value.field == "appointment.end"


def test_a_booking_that_ends_when_it_starts_is_refused() -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(register(appointment_start=at(hours=3), appointment_end=at(hours=3)), NOTHING_YET)
    assert refused.value.field == "appointment.end"


@pytest.mark.parametrize(
    "booking",
    [{"appointment_start": T0}, {"appointment_end": T0}],
    ids=["start only", "end only"],
)
def test_half_a_booking_is_refused(booking: dict[str, datetime]) -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(register(**booking), NOTHING_YET)
    assert refused.value.field == "appointment"


# ------------------------------------------------- input the form cannot hold (bugs)


def test_an_unknown_channel_is_refused_naming_the_channel_field() -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(register(channel="fax"), NOTHING_YET)
    assert refused.value.field == "channel"


def test_an_unknown_severity_is_refused_naming_the_severity_field() -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(register(severity="urgent"), NOTHING_YET)
    assert refused.value.field == "severity"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2026, 11, 30, 9, 0), datetime(2026, 11, 30, 12, 0)),
        (datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI), datetime(2026, 11, 30, 12, 0)),
    ],
    ids=["both naive", "end naive"],
)
def test_a_booking_without_a_time_zone_is_refused_naming_the_appointment(
    start: datetime, end: datetime
) -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(register(appointment_start=start, appointment_end=end), NOTHING_YET)
    assert refused.value.field.startswith("appointment")



def test_a_listed_community_written_with_surrounding_blanks_is_registered() -> None:
    policy = with_communities("荔园一期", "荔园二期")
    assert when(register(community=" 荔园一期 "), NOTHING_YET, policy=policy) == [registered()]
