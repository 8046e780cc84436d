"""The dispatcher's queue edge and its sweep on the in-memory store, on one clock.

The store stamps ``recorded_at`` with the service's clock and the dispatcher
stamps its processed-message rows with it, so the sweep's grace period is
measured on one clock (integration tests run the same on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import timedelta

from services.dispatcher.handlers import CONSUMER, DispatcherHandlers, UnroutedSweep
from shared.app.bootstrap import ServiceContext
from shared.app.clock import FixedClock
from shared.app.settings import Settings
from shared.domain.events import stream_id_of
from shared.events import Envelope, Metadata
from shared.eventstore.memory import InMemoryEventStore
from tests.unit.given import CID, DEFAULT, T0, register


def dispatcher_on(clock: FixedClock) -> tuple[InMemoryEventStore, ServiceContext]:
    store = InMemoryEventStore(clock=clock.now)
    context = ServiceContext("dispatcher", Settings(), DEFAULT, store, clock)  # type: ignore[arg-type]
    return store, context


def registration(context: ServiceContext) -> Envelope:
    [recorded] = context.handler.execute(CID, register(), Metadata(actor="kiosk")).recorded
    return recorded


def types(store: InMemoryEventStore) -> list[str]:
    return [e.type for e in store.read_stream(stream_id_of(CID))]


def test_a_registration_the_queue_never_brought_is_routed_once_its_grace_is_over() -> None:
    clock = FixedClock(T0)
    store, context = dispatcher_on(clock)
    registered = registration(context)
    sweep = UnroutedSweep(DispatcherHandlers(context))
    clock.at = T0 + UnroutedSweep.GRACE  # not yet: strictly older than the grace
    assert sweep.sweep() == 0
    clock.at = T0 + UnroutedSweep.GRACE + timedelta(seconds=1)
    assert sweep.sweep() == 1
    assert types(store) == ["complaint.registered", "complaint.routed", "workorder.dispatched"]
    assert store.was_processed(CONSUMER, str(registered.event_id))
    assert sweep.sweep() == 0


def test_a_message_delivered_twice_routes_once() -> None:
    clock = FixedClock(T0)
    store, context = dispatcher_on(clock)
    handlers = DispatcherHandlers(context)
    registered = registration(context)
    handlers.on_message(registered)
    handlers.on_message(registered)
    assert types(store).count("workorder.dispatched") == 1
    clock.at = T0 + timedelta(hours=1)
    assert UnroutedSweep(handlers).sweep() == 0
