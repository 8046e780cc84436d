"""The dispatcher's queue edge: a new registration becomes a routed (and dispatched) order.

Idempotent twice over: the processed event id is recorded in the same
transaction as the new events, and the decider returns nothing for a
complaint already routed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from shared.app.bootstrap import ServiceContext
from shared.domain import events as ev
from shared.domain.commands import RouteComplaint
from shared.events import Envelope, Metadata
from shared.eventstore.records import DuplicateRecord, ProcessedMessage
from shared.messaging.subscription import Subscription
from shared.periodic import every

CONSUMER = "dispatcher"
log = structlog.get_logger(__name__)

# The dispatcher's queue binds only registrations, and it ignores nothing: any
# other type arriving there came by mistake and is parked where it shows.
SUBSCRIPTION = Subscription.of(handled=[ev.ComplaintRegistered.type], ignored=[])


class DispatcherHandlers:
    subscription = SUBSCRIPTION

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def on_message(self, envelope: Envelope) -> None:
        if envelope.type not in SUBSCRIPTION.handled:
            return  # the consumer parks these first; the sweep passes registrations only
        store = self.context.store
        event_id = str(envelope.event_id)
        if store.was_processed(CONSUMER, event_id):
            return
        complaint_id = envelope.payload["complaint_id"]
        structlog.contextvars.bind_contextvars(
            complaint_id=complaint_id, correlation_id=envelope.metadata.correlation_id)
        metadata = Metadata(correlation_id=envelope.metadata.correlation_id,
                            causation_id=event_id, actor="dispatcher")
        clock = self.context.clock
        try:
            outcome = self.context.handler.execute(
                complaint_id, RouteComplaint(), metadata,
                also=lambda _state, _events: [ProcessedMessage(CONSUMER, event_id, clock.now())])
        except DuplicateRecord:
            return  # a competing consumer processed it first
        finally:
            structlog.contextvars.unbind_contextvars("complaint_id", "correlation_id")
        log.info("complaint.routed", complaint_id=complaint_id,
                 department=outcome.state.department, status=outcome.state.status)


class UnroutedSweep:
    """Nothing is forgotten: registrations the queue never brought (a message parked
    while the database was away, say) are routed from the store on a timer.

    A registration counts as handled once the dispatcher recorded its event id
    (``processed_messages``), which happens in the transaction that routes it.
    """

    GRACE = timedelta(seconds=15)  # leave the broker path its time first
    BATCH = 100

    def __init__(self, handlers: DispatcherHandlers) -> None:
        self.handlers = handlers

    def unrouted(self, now: datetime) -> list[Envelope]:
        return self.handlers.context.store.unprocessed(
            CONSUMER, "complaint.registered", recorded_before=now - self.GRACE, limit=self.BATCH)

    def sweep(self) -> int:
        missed = self.unrouted(self.handlers.context.clock.now())
        for envelope in missed:
            log.warning("dispatcher.routing_missed_registration",
                        complaint_id=envelope.payload.get("complaint_id"))
            self.handlers.on_message(envelope)
        return len(missed)

    def every(self, seconds: float) -> Callable[[threading.Event], None]:
        def sweep_unrouted(stop: threading.Event) -> None:
            # The database away: the next sweep tries again.
            every(seconds, self.sweep, stop, failure="dispatcher.sweep_failed")

        return sweep_unrouted
