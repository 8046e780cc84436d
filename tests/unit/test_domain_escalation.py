"""P-12: a serious complaint is reported at once to company leadership."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import InvalidCommand, RuleViolation
from tests.unit.given import T0, at, given, registered, registered_and_dispatched, when


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


# --------------------------------------- P-12: to the head of the department concerned too


def test_an_escalation_travels_to_the_department_concerned_as_well_as_to_leadership() -> None:
    escalated = ev.ComplaintEscalated(reason="P-12", department="engineering")
    assert escalated.routing_key() == "complaint.escalated.engineering"
    # one stored before routing named no department: leadership alone hears of it
    assert ev.ComplaintEscalated(reason="P-12").routing_key() == "complaint.escalated"


# --------------------------------------- P-12: leadership inspects the site and the records

INSPECTION = c.RecordInspection(findings="电梯门机故障，困人40分钟", decision="更换门机，全面检修",
                                present=("王总", "工程部李经理"))


def serious_and_dispatched() -> list[ev.Event]:
    history: list[ev.Event] = [registered(category="repair.common_area", severity="serious")]
    return [*history, *when(c.RouteComplaint(), given(*history))]


def test_leadership_records_what_the_inspection_found_decided_and_who_was_present() -> None:
    # given
    state = given(*serious_and_dispatched())
    # when
    events = when(INSPECTION, state, now=at(hours=2))
    # then
    assert events == [ev.ComplaintInspected(
        findings="电梯门机故障，困人40分钟", decision="更换门机，全面检修",
        present=("王总", "工程部李经理"), inspected_at=at(hours=2), department="engineering")]
    assert given(*serious_and_dispatched(), *events).inspections == tuple(events)


def test_a_complaint_made_serious_by_its_words_is_inspected_too() -> None:
    history: list[ev.Event] = [registered(description="楼道起火", severity="normal")]
    history += when(c.RouteComplaint(), given(*history))
    assert [type(e) for e in when(INSPECTION, given(*history))] == [ev.ComplaintInspected]


def test_a_complaint_that_is_not_serious_is_not_inspected() -> None:
    # given
    state = given(*registered_and_dispatched())
    # when / then
    with pytest.raises(RuleViolation, match=r"^P-12: only a serious complaint"):
        when(INSPECTION, state)


def test_a_second_inspection_is_recorded_beside_the_first() -> None:
    history = [*serious_and_dispatched(), *when(INSPECTION, given(*serious_and_dispatched()))]
    history += when(INSPECTION, given(*history), now=at(days=1))
    assert len(given(*history).inspections) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [({"findings": " "}, "findings"), ({"decision": ""}, "decision"),
     ({"present": ()}, "present"), ({"present": ("王总", " ")}, "present[1]")],
    ids=["no findings", "no decision", "nobody present", "a blank name"],
)
def test_an_inspection_names_its_findings_decision_and_those_present(
    change: dict[str, object], field: str
) -> None:
    command = replace(INSPECTION, **change)  # type: ignore[arg-type]
    with pytest.raises(InvalidCommand) as raised:
        when(command, given(*serious_and_dispatched()))
    assert raised.value.field == field
