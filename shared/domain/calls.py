"""P-4: the call record (客户来电记录表, form 7.2).

Every phone call is recorded, even one that turns out to be no complaint. A
call is its own small aggregate (stream ``call-<uuid>``): recorded once, never
changed. When the call raised a complaint, the record names it, and that
complaint must exist; the caller passes its folded state in (``raised``), so
the rule stays pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from shared.domain import events as ev
from shared.domain.commands import RecordCall
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import Complaint
from shared.events import Event

# The facts form 7.2 cannot do without.
REQUIRED_FACTS = ("caller", "phone", "received_by", "summary")


@dataclass(frozen=True)
class Call:
    """A call's state: recorded or not yet."""

    call_id: str = ""
    version: int = 0
    record: ev.CallRecorded | None = None


def evolve_call(state: Call, event: Event) -> Call:
    state = replace(state, version=state.version + 1)
    if isinstance(event, ev.CallRecorded):
        return replace(state, call_id=event.call_id, record=event)
    return state


def fold_call(history: Iterable[Event]) -> Call:
    state = Call()
    for event in history:
        state = evolve_call(state, event)
    return state


def record_call(command: RecordCall, call: Call, raised: Complaint | None,
                now: datetime) -> list[Event]:
    """P-4: write the call record; ``raised`` is the complaint it names, as folded."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if call.record is not None:
        raise RuleViolation("P-4", f"call {command.call_id} is already recorded")
    for field in REQUIRED_FACTS:
        if not str(getattr(command, field) or "").strip():
            raise InvalidCommand(field, "P-4: required on the call record")
    if command.complaint_id is not None and (raised is None or raised.registration is None):
        raise InvalidCommand("complaint_id", f"no complaint {command.complaint_id}")
    return [ev.CallRecorded(
        call_id=command.call_id, caller=command.caller.strip(), phone=command.phone.strip(),
        received_by=command.received_by.strip(), summary=command.summary.strip(),
        complaint_id=command.complaint_id, received_at=now)]
