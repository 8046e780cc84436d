"""P-12: a serious complaint is reported at once to company leadership."""

from __future__ import annotations

from shared.domain import events as ev
from shared.domain.state import Complaint


def escalate_if_serious(state: Complaint, department: str) -> list[ev.Event]:
    if state.severity != "serious" or state.escalated:
        return []
    return [
        ev.ComplaintEscalated(
            reason="P-12: registered as serious; leadership leads a site inspection",
            department=department,
        )
    ]
