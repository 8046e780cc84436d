"""P-12: a serious complaint (投诉问题严重).

It is reported at once to company leadership and to the head of the
department concerned: one ``complaint.escalated`` event, which the broker
routes to ``dept.leadership`` and to ``dept.<department>`` (routing key
``complaint.escalated.<department>``). A complaint is serious when it was
registered so, or when its description holds one of the policy's serious
words (shared.domain.routing, ``serious_word_in``) whatever the kiosk said.
Leadership then leads an inspection of the site and the records and records
what it found, what it decided and who was present; only a serious complaint
is inspected.
"""

from __future__ import annotations

from datetime import datetime

from shared.domain import events as ev
from shared.domain.commands import RecordInspection
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import Complaint
from shared.policy import Policy

MAX_PRESENT = 50


def escalate_if_serious(
    state: Complaint, department: str, raised_by: str | None = None
) -> list[ev.Event]:
    """The escalation of a serious complaint, once; ``raised_by``: the serious word that made a
    "normal" registration serious as it was routed."""
    if state.escalated or (state.severity != "serious" and raised_by is None):
        return []
    if state.severity == "serious":
        reason = "P-12: registered as serious; leadership leads a site inspection"
    else:
        reason = (f"P-12: the description mentions {raised_by!r}, a serious matter; "
                  "leadership leads a site inspection")
    return [ev.ComplaintEscalated(reason=reason, department=department)]


def record_inspection(
    command: RecordInspection, state: Complaint, _policy: Policy, now: datetime
) -> list[ev.Event]:
    """P-12: leadership's inspection of the site and the records of a serious complaint."""
    if state.severity != "serious":
        raise RuleViolation("P-12", "only a serious complaint is inspected by leadership; "
                            "this one is not serious")
    findings, decision = command.findings.strip(), command.decision.strip()
    if not findings:
        raise InvalidCommand("findings", "P-12: say what the inspection found")
    if not decision:
        raise InvalidCommand("decision", "P-12: say what leadership decided")
    present = tuple(name.strip() for name in command.present)
    if not present:
        raise InvalidCommand("present", "P-12: name at least one person who was present")
    for index, name in enumerate(present):
        if not name:
            raise InvalidCommand(f"present[{index}]", "must not be empty")
    if len(present) > MAX_PRESENT:
        raise InvalidCommand("present", f"at most {MAX_PRESENT} names")
    return [ev.ComplaintInspected(findings=findings, decision=decision, present=present,
                                  inspected_at=now, department=state.department)]
