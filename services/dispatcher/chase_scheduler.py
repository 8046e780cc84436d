"""The dispatcher's chase scheduler (P-9 B): warnings, chases and auto-close on a timer.

Each tick reads the open orders from the board (brought current first), asks
the domain which of them have something due now (:func:`chasing.next_step`),
and sends that command through the :class:`ComplaintHandler` for each. The
domain decides again on the order's own stream, so the events are the
memory: a scheduler restarted, or two running at once, never repeats a
chase (a racing append fails on the stream's expected version, the handler
retries, and the second decision finds the chase already there), and none
is lost (the next tick after downtime chases the latest due number).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog

from shared.app.bootstrap import ServiceContext
from shared.domain.chasing import next_step
from shared.domain.errors import DomainError
from shared.events import Metadata
from shared.eventstore.records import ConcurrencyError
from shared.periodic import every
from shared.projections.board import BoardProjection, open_orders
from shared.projections.worker import ProjectionKeeper

log = structlog.get_logger(__name__)

ACTOR = "dispatcher"


class ChaseScheduler:
    def __init__(self, context: ServiceContext, board: ProjectionKeeper | None = None) -> None:
        self.context = context
        self.board = board or ProjectionKeeper(context.store, BoardProjection())

    def tick(self) -> int:
        """One round: the number of orders that got an event."""
        now = self.context.clock.now()
        policy = self.context.policy
        due = [(order.complaint_id, step) for order in self.board.read(open_orders)
               if (step := next_step(order, policy, now)) is not None]
        made = 0
        for complaint_id, command in due:
            try:
                outcome = self.context.handler.execute(
                    complaint_id, command, Metadata(correlation_id=complaint_id, actor=ACTOR))
            except (DomainError, ConcurrencyError) as exc:
                # One order's trouble does not stop the others; the next tick asks again.
                log.warning("chase.failed", complaint_id=complaint_id,
                            command=type(command).__name__, error=str(exc))
                continue
            for envelope in outcome.recorded:
                made += 1
                log.info(envelope.type, complaint_id=complaint_id,
                         department=envelope.payload.get("department"),
                         number=envelope.payload.get("number"))
        return made

    def every(self, seconds: float) -> Callable[[threading.Event], None]:
        def chase_orders(stop: threading.Event) -> None:
            # The database away: the next tick tries again.
            every(seconds, self.tick, stop, failure="chase.tick_failed")

        return chase_orders
