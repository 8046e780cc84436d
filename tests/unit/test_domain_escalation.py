"""P-12: a serious complaint is reported at once to company leadership."""

from __future__ import annotations

from shared.domain import commands as c
from shared.domain import events as ev
from tests.unit.given import T0, at, given, registered, when


def test_a_serious_complaint_is_escalated_when_it_is_routed_and_dispatched() -> None:
    # given
    state = given(registered(category="security.safety", severity="serious"))
    # when
    events = when(c.RouteComplaint(), state, now=T0)
    # then
    assert events == [
        ev.ComplaintRouted(category="security.safety", department="security", paid_mode="free",
                           routed_by="given"),
        ev.WorkOrderDispatched(department="security", category="security.safety",
                               dispatched_at=T0, due_at=at(minutes=30),
                               due_basis="commitment", commitment_minutes="30"),
        ev.ComplaintEscalated(
            reason="P-12: registered as serious; leadership leads a site inspection",
            department="security",
        ),
    ]


def test_a_serious_in_unit_repair_is_escalated_while_it_waits_for_the_paid_decision() -> None:
    # given
    state = given(registered(category="repair.in_unit", severity="serious"))
    # when
    events = when(c.RouteComplaint(), state)
    # then
    assert [type(e) for e in events] == [ev.ComplaintRouted, ev.ComplaintEscalated]
    assert events[1] == ev.ComplaintEscalated(
        reason="P-12: registered as serious; leadership leads a site inspection",
        department="engineering",
    )


def test_an_escalated_complaint_is_marked_so_in_its_state() -> None:
    # given
    history = [registered(category="security.safety", severity="serious")]
    # when
    history += when(c.RouteComplaint(), given(*history))
    # then
    assert given(*history).escalated is True


def test_a_normal_complaint_is_not_escalated() -> None:
    # given
    state = given(registered(category="security.safety", severity="normal"))
    # when
    events = when(c.RouteComplaint(), state)
    # then
    assert not any(isinstance(e, ev.ComplaintEscalated) for e in events)
    assert len(events) == 2
