"""The dispatcher's queue edge: a new registration becomes a routed (and dispatched) order.

Idempotent twice over: the processed event id is recorded in the same
transaction as the new events, and the decider returns nothing for a
complaint already routed.
"""

from __future__ import annotations

import structlog

from shared.domain.commands import RouteComplaint
from shared.events import Envelope, Metadata
from shared.service import ServiceContext
from shared.store import DuplicateRecord, EventStore

CONSUMER = "dispatcher"
log = structlog.get_logger(__name__)


class DispatcherHandlers:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def on_message(self, envelope: Envelope) -> None:
        if envelope.type != "complaint.registered":
            return
        store = self.context.store
        event_id = str(envelope.event_id)
        if store.was_processed(CONSUMER, event_id):
            return
        complaint_id = envelope.payload["complaint_id"]
        structlog.contextvars.bind_contextvars(
            complaint_id=complaint_id, correlation_id=envelope.metadata.correlation_id)
        metadata = Metadata(correlation_id=envelope.metadata.correlation_id,
                            causation_id=event_id, actor="dispatcher")
        try:
            outcome = self.context.handler.execute(
                complaint_id, RouteComplaint(), metadata,
                also=lambda _state, _events: [EventStore.processed_row(CONSUMER, event_id)])
        except DuplicateRecord:
            return  # a competing consumer processed it first
        finally:
            structlog.contextvars.unbind_contextvars("complaint_id", "correlation_id")
        log.info("complaint.routed", complaint_id=complaint_id,
                 department=outcome.state.department, status=outcome.state.status)
