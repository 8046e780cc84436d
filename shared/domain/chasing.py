"""P-9 B: customer service checks each order against its due time and chases (跟踪、催办);
and a completed order never signed off closes itself (policy ``[alerts]``).

Three moments, each decided from the order's folded state and ``now`` alone:

- **Warning** (``workorder.warned``), once per order: when it has used
  ``alerts.warn_at_share`` of its time (dispatch to due), is not completed
  and is not yet due. An order already overdue when first looked at is not
  warned: the chase says more.
- **Chase** (``workorder.chased``, number n): the nth chase of an unfinished
  order is scheduled at ``due_at + (n-1) × alerts.chase_every_minutes``. The
  chase due now is the latest number whose moment has passed; it is made
  when the stream does not hold that number yet (nor a later one). So a
  chase is never repeated: a second scheduler, or one restarted, decides on
  the same stream and finds it there (the store's expected version makes a
  racing append retry and decide again). After downtime only the latest due
  number is chased (numbers jump, no flood of overdue chases at once);
  ``chase_count`` counts the chases made, ``number`` says which schedule
  slot each one answered.
- **Auto-close** (``workorder.auto_closed``): a completed order not signed
  off within ``alerts.auto_close_after_days`` of its completion is closed,
  not rated (it carries no quality or attitude, so satisfaction leaves it out).

Each step decides nothing when nothing is due: the scheduler may ask at any
time, as often as it likes. :func:`next_step` tells the scheduler which
command to send for an order, from facts the board holds, so it loads only
the streams with something due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from shared.domain import events as ev
from shared.domain.commands import AutoClose, ChaseOrder, WarnOrder
from shared.domain.state import Complaint
from shared.policy import Policy

NOT_COMPLETED: frozenset[str] = frozenset({"dispatched", "accepted", "assigned"})


class OrderFacts(Protocol):
    """What the three decisions read: a folded :class:`Complaint`, or a board row's facts."""

    @property
    def status(self) -> str: ...
    @property
    def dispatched_at(self) -> datetime | None: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...
    @property
    def warned(self) -> bool: ...
    @property
    def last_chase_number(self) -> int: ...
    @property
    def clock_stopped_since(self) -> datetime | None: ...


def chase_interval(policy: Policy) -> timedelta:
    return timedelta(minutes=policy.alerts.chase_every_minutes)


def warning_moment(order: OrderFacts, policy: Policy) -> datetime | None:
    """When ``warn_at_share`` of the time from dispatch to due has passed."""
    if order.dispatched_at is None or order.due_at is None:
        return None
    return order.dispatched_at + (order.due_at - order.dispatched_at) * policy.alerts.warn_at_share


def warning_due(order: OrderFacts, policy: Policy, now: datetime) -> bool:
    moment = warning_moment(order, policy)
    return (order.status in NOT_COMPLETED and not order.warned and moment is not None
            and order.clock_stopped_since is None  # P-13: no warning while referred
            and order.due_at is not None and moment <= now < order.due_at)


def chase_moment(due_at: datetime, number: int, policy: Policy) -> datetime:
    """The nth chase's scheduled moment: due_at, then every ``chase_every_minutes``."""
    return due_at + (number - 1) * chase_interval(policy)


def chase_number_at(order: OrderFacts, policy: Policy, now: datetime) -> int:
    """The latest chase number whose moment has passed (0: the order is not overdue)."""
    if order.status not in NOT_COMPLETED or order.due_at is None or now < order.due_at:
        return 0
    if order.clock_stopped_since is not None:  # P-13: an outside body holds it; resolve
        return 0                               # moves due_at out, and the schedule follows
    return (now - order.due_at) // chase_interval(policy) + 1


def chase_due(order: OrderFacts, policy: Policy, now: datetime) -> int:
    """The number to chase now, or 0 when the stream already holds it (or a later one)."""
    number = chase_number_at(order, policy, now)
    return number if number > order.last_chase_number else 0


def auto_close_moment(order: OrderFacts, policy: Policy) -> datetime | None:
    if order.completed_at is None:
        return None
    return order.completed_at + timedelta(days=policy.alerts.auto_close_after_days)


def auto_close_due(order: OrderFacts, policy: Policy, now: datetime) -> bool:
    moment = auto_close_moment(order, policy)
    return order.status == "completed" and moment is not None and now >= moment


def next_step(order: OrderFacts, policy: Policy, now: datetime
              ) -> WarnOrder | ChaseOrder | AutoClose | None:
    """The command the scheduler sends for this order now, if any (at most one per tick)."""
    if auto_close_due(order, policy, now):
        return AutoClose()
    if chase_due(order, policy, now):
        return ChaseOrder()
    if warning_due(order, policy, now):
        return WarnOrder()
    return None


# ------------------------------------------------------------------ the decisions


def warn_order(_c: WarnOrder, state: Complaint, policy: Policy, now: datetime
               ) -> list[ev.Event]:
    if not warning_due(state, policy, now):
        return []
    assert state.department is not None and state.due_at is not None
    return [ev.WorkOrderWarned(department=state.department, due_at=state.due_at,
                               warn_at_share=policy.alerts.warn_at_share, warned_at=now)]


def chase_order(_c: ChaseOrder, state: Complaint, policy: Policy, now: datetime
                ) -> list[ev.Event]:
    number = chase_due(state, policy, now)
    if not number:
        return []
    assert state.department is not None and state.due_at is not None
    return [ev.WorkOrderChased(department=state.department, number=number, due_at=state.due_at,
                               scheduled_at=chase_moment(state.due_at, number, policy),
                               chased_at=now)]


def auto_close(_c: AutoClose, state: Complaint, policy: Policy, now: datetime
               ) -> list[ev.Event]:
    if not auto_close_due(state, policy, now):
        return []
    assert state.department is not None and state.completed_at is not None
    return [ev.WorkOrderAutoClosed(department=state.department, completed_at=state.completed_at,
                                   after_days=policy.alerts.auto_close_after_days,
                                   closed_at=now)]
