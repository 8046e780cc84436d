"""P-5, P-9: correcting the record — amending the registration, the customer's reschedule,
a missed appointment recorded against the department."""

from __future__ import annotations

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import fold
from tests.unit.given import (
    FREE,
    T0,
    accepted,
    assigned,
    at,
    awaiting_decision,
    closed,
    completed,
    dispatched,
    given,
    registered,
    registered_and_dispatched,
    routed,
    when,
    withdrawn,
)

# ------------------------------------------------------------------ amending (P-5)


def test_an_amendment_records_the_old_and_the_new_value_of_each_changed_field() -> None:
    # given
    state = given(*registered_and_dispatched())
    # when
    events = when(c.AmendRegistration(reason="客户说错了门牌", unit="3-1503",
                                      phone="13900139000"), state)
    # then
    assert events == [ev.ComplaintAmended(
        changes=(ev.FieldChange(field="unit", old="3-1502", new="3-1503"),
                 ev.FieldChange(field="phone", old="13800138000", new="13900139000")),
        reason="客户说错了门牌")]


def test_the_complaint_shows_the_current_values_after_an_amendment() -> None:
    # given
    history = [*registered_and_dispatched(),
               ev.ComplaintAmended(changes=(ev.FieldChange(field="description", old="楼道里很脏",
                                                           new="楼道灯坏了"),), reason="听错了")]
    # when
    state = fold(history)
    # then
    assert state.registration is not None
    assert state.registration.description == "楼道灯坏了"
    assert state.registration.unit == "3-1502"


def test_an_amendment_needs_a_field_besides_the_reason() -> None:
    with pytest.raises(InvalidCommand) as error:
        when(c.AmendRegistration(reason="核对"), given(*registered_and_dispatched()))
    assert error.value.field == "body"


def test_an_amendment_that_changes_nothing_is_refused() -> None:
    with pytest.raises(InvalidCommand) as error:
        when(c.AmendRegistration(reason="核对", unit="3-1502"), given(*registered_and_dispatched()))
    assert error.value.field == "body"


def test_an_amendment_needs_a_reason() -> None:
    with pytest.raises(InvalidCommand) as error:
        when(c.AmendRegistration(reason="  ", unit="3-1503"), given(*registered_and_dispatched()))
    assert error.value.field == "reason"


def test_an_unknown_category_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidCommand) as error:
        when(c.AmendRegistration(reason="x", category="repair.moon"), given(registered()))
    assert error.value.field == "category"


@pytest.mark.parametrize("history", [closed(), withdrawn()], ids=["closed", "withdrawn"])
def test_a_finished_complaint_cannot_be_amended(history: list[ev.Event]) -> None:
    with pytest.raises(RuleViolation) as error:
        when(c.AmendRegistration(reason="x", unit="9-9"), given(*history))
    assert error.value.rule == "P-5"


def test_a_completed_order_can_still_be_amended() -> None:
    events = when(c.AmendRegistration(reason="x", unit="9-9"), given(*completed()))
    assert [type(e) for e in events] == [ev.ComplaintAmended]


def test_before_routing_the_corrected_category_is_what_the_dispatcher_routes_by() -> None:
    # given: registered as a common-area repair, corrected to common-area cleaning
    state = given(registered(category=FREE),
                  *when(c.AmendRegistration(reason="选错类别", category="cleaning.common_area"),
                        given(registered(category=FREE))))
    # when
    events = when(c.RouteComplaint(), state)
    # then
    assert events[0] == ev.ComplaintRouted(category="cleaning.common_area",
                                           department="environment", paid_mode="free",
                                           routed_by="given")
    assert events[1] == dispatched("cleaning.common_area")


def test_routed_but_not_dispatched_a_corrected_free_category_is_dispatched_at_once() -> None:
    # given: an in-unit repair waiting for the free/paid decision
    state = given(*awaiting_decision())
    # when: it was a common-area repair after all
    events = when(c.AmendRegistration(reason="是公共区域", category=FREE), state, now=at(10))
    # then
    assert events == [
        ev.ComplaintAmended(changes=(ev.FieldChange(field="category", old="repair.in_unit",
                                                    new=FREE),), reason="是公共区域"),
        routed(FREE),
        dispatched(FREE, at(10)),
    ]
    assert fold([*awaiting_decision(), *events]).status == "dispatched"


def test_after_dispatch_a_corrected_category_does_not_route_the_order_again() -> None:
    # given: a common-area repair dispatched to engineering
    history = registered_and_dispatched()
    # when
    events = when(c.AmendRegistration(reason="其实是保洁", category="cleaning.common_area"),
                  given(*history))
    # then: recorded on the complaint; department and due time stay (reassign moves orders)
    assert [type(e) for e in events] == [ev.ComplaintAmended]
    state = fold([*history, *events])
    assert state.category == "cleaning.common_area"
    assert state.department == "engineering"
    assert state.due_at == at(hours=24)


# ------------------------------------------------------------------ rescheduling (P-9)

NEW_START, NEW_END = at(days=2), at(days=2, hours=3)


def test_the_customer_s_reschedule_moves_the_due_time_to_the_new_booked_end() -> None:
    # given
    state = given(*accepted())
    # when
    events = when(c.RescheduleAppointment(NEW_START, NEW_END, reason="客户出差"), state,
                  now=at(hours=1))
    # then
    assert events == [ev.WorkOrderRescheduled(
        department="engineering", appointment_start=NEW_START, appointment_end=NEW_END,
        old_due_at=at(hours=24), due_at=NEW_END, requested_by="customer", reason="客户出差")]
    assert fold([*accepted(), *events]).due_at == NEW_END


@pytest.mark.parametrize("history", [completed(), closed(), [registered()]],
                         ids=["completed", "closed", "not dispatched"])
def test_only_a_dispatched_order_not_yet_completed_can_be_rescheduled(
        history: list[ev.Event]) -> None:
    with pytest.raises(RuleViolation) as error:
        when(c.RescheduleAppointment(NEW_START, NEW_END), given(*history))
    assert error.value.rule == "P-9"


def test_a_new_booked_time_that_has_already_ended_is_refused() -> None:
    with pytest.raises(InvalidCommand) as error:
        when(c.RescheduleAppointment(at(-120), at(-60)), given(*assigned()))
    assert error.value.field == "appointment.end"


def test_a_new_booked_time_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidCommand) as error:
        when(c.RescheduleAppointment(NEW_END, NEW_START), given(*assigned()))
    assert error.value.field == "appointment.end"


# ------------------------------------------------------------------ missed appointments (P-9)

BOOKED = [registered(category=FREE, appointment_start=at(hours=2), appointment_end=at(hours=5)),
          routed(FREE),
          ev.WorkOrderDispatched(department="engineering", category=FREE, dispatched_at=T0,
                                 due_at=at(hours=5), due_basis="appointment",
                                 commitment_minutes="1440")]


def test_a_missed_appointment_is_recorded_against_the_department_holding_the_order() -> None:
    # given
    state = given(*BOOKED)
    # when
    events = when(c.RecordMissedAppointment(note="师傅没来"), state, now=at(hours=3))
    # then
    assert events == [ev.AppointmentMissed(department="engineering",
                                           appointment_start=at(hours=2),
                                           appointment_end=at(hours=5), note="师傅没来")]
    assert fold([*BOOKED, *events]).missed_appointments == ("engineering",)


def test_an_appointment_cannot_be_missed_before_it_begins() -> None:
    with pytest.raises(RuleViolation) as error:
        when(c.RecordMissedAppointment(), given(*BOOKED), now=at(hours=1))
    assert error.value.rule == "P-9"


def test_an_order_without_a_booked_time_has_no_appointment_to_miss() -> None:
    with pytest.raises(RuleViolation) as error:
        when(c.RecordMissedAppointment(), given(*registered_and_dispatched()), now=at(hours=3))
    assert error.value.rule == "P-9"


def test_a_completed_order_s_appointment_cannot_be_recorded_as_missed() -> None:
    history = [*BOOKED, ev.WorkOrderAccepted(department="engineering"),
               ev.TeamAssigned(department="engineering", team="水电班"),
               ev.WorkOrderCompleted(department="engineering", completed_at=at(hours=4))]
    with pytest.raises(RuleViolation) as error:
        when(c.RecordMissedAppointment(), given(*history), now=at(hours=4))
    assert error.value.rule == "P-9"


def test_after_a_reschedule_the_new_booked_time_is_the_one_that_can_be_missed() -> None:
    history = [*BOOKED, *when(c.RescheduleAppointment(NEW_START, NEW_END), given(*BOOKED))]
    with pytest.raises(RuleViolation):
        when(c.RecordMissedAppointment(), given(*history), now=at(hours=3))
    events = when(c.RecordMissedAppointment(), given(*history), now=at(days=2, hours=1))
    assert events[0] == ev.AppointmentMissed(department="engineering",
                                             appointment_start=NEW_START,
                                             appointment_end=NEW_END)
