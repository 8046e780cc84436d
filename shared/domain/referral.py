"""P-13: a complaint that involves another organisation (涉及其他单位).

The desk explains to the complainant and contacts the other organisation
(refer), keeps liaison notes, and reports the outcome back (resolve). While
the outside body holds the complaint the commitment clock stands still: on
resolve the due time moves out by the time stopped, whatever set it (the
commitment or the booked time), and the event records both. Judged during a
referral, the due time counts as extended by the time stopped so far
(:func:`shared.domain.timeliness.due_as_of`).

- Refer only a dispatched order not yet completed (dispatched, accepted or
  assigned); one open referral at a time.
- Note and resolve only while referred.
- The order cannot be completed while referred: the clock is stopped, and
  the outcome comes back first.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from shared.domain import events as ev
from shared.domain.commands import NoteReferral, ReferComplaint, ResolveReferral
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import Complaint
from shared.policy import Policy

REFERABLE = frozenset({"dispatched", "accepted", "assigned"})


def _text(field: str, value: str) -> str:
    if not value.strip():
        raise InvalidCommand(field, "P-13: must not be blank")
    return value.strip()


def _require_open(state: Complaint, step: str) -> ev.ComplaintReferred:
    if state.referral is None:
        raise RuleViolation("P-13", f"cannot {step}: the complaint is not referred to an "
                            f"outside body")
    return state.referral


def require_no_open_referral(state: Complaint, step: str) -> None:
    """Steps that need the clock running (completion) wait for the referral's outcome."""
    if state.referral is not None:
        raise RuleViolation("P-13", f"cannot {step} while {state.referral.organisation} holds "
                            f"the complaint; resolve the referral first")


def refer_complaint(c: ReferComplaint, state: Complaint, _p: Policy, now: datetime
                    ) -> list[ev.Event]:
    if state.status not in REFERABLE:
        raise RuleViolation("P-13", f"only a dispatched order not yet completed can be "
                            f"referred; this one is {state.status}")
    if state.referral is not None:
        raise RuleViolation("P-13", f"already referred to {state.referral.organisation}; "
                            f"one open referral at a time")
    return [ev.ComplaintReferred(organisation=_text("organisation", c.organisation),
                                 contact=_text("contact", c.contact),
                                 explanation=_text("explanation", c.explanation),
                                 referred_at=now)]


def note_referral(c: NoteReferral, state: Complaint, _p: Policy, now: datetime
                  ) -> list[ev.Event]:
    _require_open(state, "note liaison")
    return [ev.ReferralNoted(note=_text("note", c.note), noted_at=now)]


def resolve_referral(c: ResolveReferral, state: Complaint, _p: Policy, now: datetime
                     ) -> list[ev.Event]:
    referral = _require_open(state, "resolve a referral")
    assert state.due_at is not None, "a referred order was dispatched"
    stopped = max(now - referral.referred_at, timedelta(0))
    return [ev.ReferralResolved(
        outcome=_text("outcome", c.outcome), referred_at=referral.referred_at, resolved_at=now,
        stopped_seconds=stopped.total_seconds(), stopped_minutes=minutes(stopped),
        previous_due_at=state.due_at, due_at=state.due_at + stopped)]


def minutes(span: timedelta) -> str:
    """A span in minutes as a decimal string to two places (as commitments are written)."""
    seconds = Decimal(span.days * 86400 + span.seconds) + Decimal(span.microseconds) / 10**6
    return str((seconds / 60).quantize(Decimal("0.01"), "ROUND_HALF_UP"))
