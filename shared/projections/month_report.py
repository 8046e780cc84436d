"""The month's report as the manager receives it, wherever it is asked for (P-16, P-17).

One answer for ``GET /reports/monthly``, ``complaints report`` and the exports:

- a month closed (at or before ``as_of``, when given) is answered with the
  report frozen when it was closed, ``"closed": true`` and ``closed_at``;
- an open month is the live :func:`~shared.projections.analysis.analysed_report`
  (the comparison, the alerts, the corrective actions) plus, under
  ``adjustments``, what changed in the previous month since it was closed.

``read`` runs a query on the monthly projection brought current (a
:class:`~shared.projections.worker.ProjectionKeeper`'s ``read``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.domain import events as ev
from shared.domain.month_close import adjustment, closed_of
from shared.events import to_event
from shared.eventstore.store import EventStore
from shared.policy import Policy
from shared.projections.analysis import analysed_report, previous_month
from shared.projections.monthly import monthly_report

Reader = Callable[[Callable[[sa.Connection], Any]], Any]


def month_closed(store: EventStore, month: str, community: str | None,
                 by: datetime | None = None) -> ev.MonthClosed | None:
    """The month's close, if it was closed (at or before ``by``, when given)."""
    stream = store.read_stream(ev.month_stream_id_of(month, community))
    closed = closed_of(to_event(e) for e in stream)
    if closed is None or (by is not None and closed.closed_at > by):
        return None
    return closed


def frozen(closed: ev.MonthClosed) -> dict[str, Any]:
    return {**closed.report, "closed": True, "closed_at": closed.closed_at}


def adjustments(store: EventStore, read: Reader, policy: Policy, month: str,
                community: str | None, now: datetime, as_of: datetime | None
                ) -> list[dict[str, Any]]:
    """What changed in the previous month, if closed, since its report was delivered:
    its figures from the events known now (or as of ``as_of``), judged when it closed."""
    before = previous_month(month)
    if before is None:
        return []
    closed = month_closed(store, before, community, by=as_of)
    if closed is None:
        return []
    live = read(lambda conn: monthly_report(conn, policy, before, now, community,
                                            as_of=as_of, judged_at=closed.closed_at))
    found = adjustment(before, closed.report, live)
    return [found] if found else []


def live_report(store: EventStore, read: Reader, policy: Policy, month: str,
                community: str | None, now: datetime, as_of: datetime | None = None
                ) -> dict[str, Any]:
    """The month as it stands (never the frozen copy): what a close freezes."""
    report: dict[str, Any] = read(lambda conn: analysed_report(conn, policy, month, now,
                                                               community, as_of=as_of))
    report.update(closed=False, closed_at=None,
                  adjustments=adjustments(store, read, policy, month, community, now, as_of))
    return report


def report_as_delivered(store: EventStore, read: Reader, policy: Policy, month: str,
                        community: str | None, now: datetime, as_of: datetime | None = None
                        ) -> dict[str, Any]:
    """The frozen report of a closed month, else the live one (P-17)."""
    closed = month_closed(store, month, community, by=as_of)
    if closed is not None:
        return frozen(closed)
    return live_report(store, read, policy, month, community, now, as_of)
