"""RabbitMQ with pika: the topology, the message format, connection parameters, a health probe.

Every event travels as its :class:`~shared.events.Envelope` in JSON on the topic
exchange ``complaints``; :data:`BINDINGS` shows which queue receives which
routing keys. The one consumer loop lives in :mod:`shared.messaging.consumer`.

pika connections are not thread-safe: every object here owns its connection and
must stay on the thread that created it.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pika
import structlog
from pika.adapters.blocking_connection import BlockingChannel

from shared.events import Envelope
from shared.vocabulary import DEPARTMENTS as WORK_DEPARTMENTS
from shared.vocabulary import QUEUE_HOLDERS as DEPARTMENTS

log = structlog.get_logger(__name__)

EXCHANGE = "complaints"
DEAD_EXCHANGE = "complaints.dead"
PARKING_QUEUE = "complaints.dead"

DISPATCHER_QUEUE = "dispatcher"
TRACKER_QUEUE = "tracker"
REPORTING_QUEUE = "reporting"

DEPARTMENT_QUEUES: dict[str, str] = {d: f"dept.{d}" for d in DEPARTMENTS}

# A backstop for consumers that crash mid-message: they never get to park the
# message themselves, so the broker dead-letters it after this many returns.
# It must stay at or above the consumers' max_attempts, or the broker parks
# first and the parked message lacks the x-error header.
DELIVERY_LIMIT = 5
# The board, not a console queue, is the record: a console that was away for a
# week reloads the board instead of replaying its queue.
DEPARTMENT_MESSAGE_TTL_MS = 7 * 24 * 60 * 60 * 1000

HEARTBEAT_SECONDS = 30
# A publisher waiting on a broker resource alarm gives up after this long,
# so the relay can log it and retry instead of hanging without a word.
BLOCKED_CONNECTION_TIMEOUT_SECONDS = 60.0

# Only events that exist: a key for reassignment, reopening, warnings or chases
# arrives with the event class that is published under it (shared/domain/events/).
_DEPARTMENT_EVENTS = (
    "dispatched",
    # --- P-9 B warnings and chases (shared/domain/chasing.py)
    "warned", "chased",
)


# --- P-12 serious complaints: the head of the department concerned hears of an escalation
# and of leadership's inspection (complaint.<event>.<department>); leadership hears of all.
_SERIOUS_COMPLAINT_EVENTS = ("escalated", "inspected")


# --- corrections (P-9): a department must act on the customer's new booked time
_CORRECTION_EVENTS = ("rescheduled",)


def _department_keys(department: str) -> list[str]:
    return [f"workorder.{event}.{department}" for event in _DEPARTMENT_EVENTS] + [
        f"complaint.{event}.{department}" for event in _SERIOUS_COMPLAINT_EVENTS] + [  # P-12
        f"workorder.{event}.{department}" for event in _CORRECTION_EVENTS]  # corrections


# Queue -> the routing keys bound to it on the ``complaints`` exchange.
BINDINGS: dict[str, list[str]] = {
    DISPATCHER_QUEUE: ["complaint.registered"],
    TRACKER_QUEUE: ["#"],
    REPORTING_QUEUE: ["#"],
    "dept.customer_service": [*_department_keys("customer_service"), "complaint.registered"],
    "dept.engineering": _department_keys("engineering"),
    "dept.security": _department_keys("security"),
    "dept.environment": _department_keys("environment"),
    "dept.leadership": [*_department_keys("leadership"), "complaint.escalated",
                        # --- P-12: every escalation and inspection, whichever department
                        "complaint.escalated.*", "complaint.inspected", "complaint.inspected.*"],
}


# --- reassign and reopen (P-6, P-9): "orders reassigned to or from it, reopened" ---
# A reopened order goes to the department that holds it. A reassignment is published
# once, as ``workorder.reassigned.<to>.<from>``: the new department binds it by its
# third word, the old one by its fourth, so both consoles hear of it.
for _holder in WORK_DEPARTMENTS:
    BINDINGS[DEPARTMENT_QUEUES[_holder]] += [f"workorder.reopened.{_holder}",
                                             f"workorder.reassigned.{_holder}.*",
                                             f"workorder.reassigned.*.{_holder}"]


def queue_arguments(queue: str) -> dict[str, Any]:
    """The ``x-`` arguments a work queue is declared with (see :data:`BINDINGS`)."""
    arguments: dict[str, Any] = {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": DEAD_EXCHANGE,
        "x-delivery-limit": DELIVERY_LIMIT,
        # Together these two make dead-lettering at-least-once; alone, the
        # strategy silently falls back to at-most-once.
        "x-overflow": "reject-publish",
        "x-dead-letter-strategy": "at-least-once",
    }
    if queue in DEPARTMENT_QUEUES.values():
        # A console queue is a convenience feed, not the record (the board is):
        # its messages expire, and an expired one is dropped, not parked as if
        # a handler had failed on it.
        arguments["x-message-ttl"] = DEPARTMENT_MESSAGE_TTL_MS
        for key in ("x-dead-letter-exchange", "x-dead-letter-strategy", "x-overflow"):
            del arguments[key]
    return arguments


def declare_topology(channel: BlockingChannel) -> None:
    """Declare exchanges, queues and bindings; safe to repeat on every (re)connect."""
    channel.exchange_declare(EXCHANGE, exchange_type="topic", durable=True)
    channel.exchange_declare(DEAD_EXCHANGE, exchange_type="fanout", durable=True)
    # The parking lot has no dead-letter exchange of its own: nothing leaves it
    # except by an operator's hand.
    channel.queue_declare(PARKING_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(PARKING_QUEUE, DEAD_EXCHANGE)
    for queue, keys in BINDINGS.items():
        channel.queue_declare(queue, durable=True, arguments=queue_arguments(queue))
        for key in keys:
            channel.queue_bind(queue, EXCHANGE, routing_key=key)


# --------------------------------------------------------------------------- messages


def message_properties(envelope: Envelope) -> pika.BasicProperties:
    """Persistent JSON with ``event_type``/``event_id`` headers, as the contract names them."""
    event_id = str(envelope.event_id)
    return pika.BasicProperties(
        content_type="application/json",
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=event_id,
        headers={"event_type": envelope.type, "event_id": event_id},
    )


def message_body(envelope: Envelope) -> bytes:
    """The envelope as UTF-8 JSON, the only body format on the broker."""
    return envelope.model_dump_json().encode("utf-8")


def envelope_from_body(body: bytes) -> Envelope:
    """Parse a message body; raises ``pydantic.ValidationError`` when it is no envelope."""
    return Envelope.model_validate_json(body)


# --------------------------------------------------------------------------- connections


def connection_parameters(
    url: str, *, name: str | None = None, heartbeat: int = HEARTBEAT_SECONDS
) -> pika.URLParameters:
    """Parameters for ``url``; ``name`` shows in the management UI and ``rabbitmqctl``."""
    parameters = pika.URLParameters(url)
    parameters.heartbeat = heartbeat
    if name:
        parameters.client_properties = {"connection_name": name}
    return parameters


def broker_reachable(url: str, timeout: float = 2.0) -> bool:
    """True when an AMQP connection to ``url`` opens within about ``timeout`` seconds.

    Never raises: any failure means "not reachable". Not only pika's AMQP
    errors: a frozen broker that still accepts TCP fails the handshake with
    ``AMQPConnectorStackTimeout``, and a malformed URL with ``ValueError``.
    """
    try:
        parameters = connection_parameters(url, name="health-check")
        parameters.socket_timeout = timeout
        parameters.stack_timeout = timeout
        parameters.connection_attempts = 1
        connection = pika.BlockingConnection(parameters)
    except Exception as exc:
        log.debug("broker.unreachable", error=repr(exc))
        return False
    with contextlib.suppress(Exception):  # it opened, which is all a health check asks
        connection.close()
    return True
