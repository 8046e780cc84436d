"""decide(): one pure entry to the rules; a complaint never registered is unknown."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain import commands as c
from shared.domain.decider import RULES
from shared.domain.errors import UnknownComplaint
from shared.domain.state import Complaint
from tests.unit.given import given, register, registered, when

EVERY_STEP_BUT_REGISTERING: list[c.Command] = [
    c.RouteComplaint(),
    c.DecidePaid(paid=False),
    c.IssueQuote(items=(c.QuoteItem("faucet.replace"),)),
    c.AcceptQuote(),
    c.DeclineQuote(),
    c.Withdraw(reason="不需要了"),
    c.AcceptOrder(),
    c.AssignTeam(team="水电班"),
    c.CompleteOrder(),
    c.RecordMailCheck(checked="记录", finding="无"),
    c.SignOff(quality=5, attitude=5, signed_by="张三"),
    c.RecordFollowUp(note="催办"),
    # --- P-12 serious complaints
    c.RecordInspection(findings="电梯困人已解救", decision="全面检修电梯", present=("王总",)),
    # --- reassign and reopen; P-13 referral ---
    c.ReassignOrder(department="environment", reason="派错"),
    c.ReopenOrder(reason="还在漏水"),
    c.ReferComplaint(organisation="自来水公司", contact="李工", explanation="已解释"),
    c.NoteReferral(note="对方答复明早到场"),
    c.ResolveReferral(outcome="已修复"),
    # --- P-9 B warnings and chases, auto-close
    c.WarnOrder(),
    c.ChaseOrder(),
    c.AutoClose(),
    # --- P-9/P-16 incidents
    c.LinkToIncident(incident_id="i-1", title="停电"),
    c.CompleteForIncident(incident_id="i-1", title="停电", department="engineering",
                          completed_at=datetime(2026, 11, 29, 12, 0, tzinfo=UTC)),
    # --- corrections (P-5, P-9)
    c.AmendRegistration(reason="门牌记错", unit="3-1503"),
    c.RescheduleAppointment(datetime(2026, 12, 1, 9, tzinfo=UTC),
                            datetime(2026, 12, 1, 12, tzinfo=UTC)),
    c.RecordMissedAppointment(),
]


def test_every_command_has_a_rule() -> None:
    assert set(RULES) == {c.RegisterComplaint} | {type(cmd) for cmd in EVERY_STEP_BUT_REGISTERING}


@pytest.mark.parametrize("command", EVERY_STEP_BUT_REGISTERING,
                         ids=[type(cmd).__name__ for cmd in EVERY_STEP_BUT_REGISTERING])
def test_a_command_on_a_complaint_never_registered_is_an_unknown_complaint(
    command: c.Command,
) -> None:
    with pytest.raises(UnknownComplaint):
        when(command, Complaint())


def test_the_time_must_say_its_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        when(register(), Complaint(), now=datetime(2026, 11, 29, 9, 0))


def test_deciding_changes_nothing_it_was_given() -> None:
    # given
    state = given(registered(category="cleaning.common_area"))
    # when
    when(c.RouteComplaint(), state)
    # then
    assert state == given(registered(category="cleaning.common_area"))
