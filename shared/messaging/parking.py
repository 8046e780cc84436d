"""Parking: a message no retry will fix goes to ``complaints.dead`` with the reason why.

The consumer republishes it to the dead-letter exchange with an ``x-error``
header (the error's type and message), the queue and routing key it came
from, and acks the original only once the broker confirmed the copy, so the
queue keeps flowing and nothing is lost or silently dropped.
"""

from __future__ import annotations

import copy
from typing import Any

import pika
import structlog
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import Basic, BasicProperties

from shared.messaging.topology import DEAD_EXCHANGE

ERROR_HEADER_LIMIT = 1000


def park(
    channel: BlockingChannel,
    parking: BlockingChannel,
    method: Basic.Deliver,
    properties: BasicProperties,
    body: bytes,
    exc: Exception,
    *,
    queue: str,
    log: structlog.typing.FilteringBoundLogger,
) -> None:
    """Republish to the dead-letter exchange with the error, then ack the original.

    ``parking`` is a confirm-mode channel of its own, so its blocking confirm
    waits never interleave with the consume generator on ``channel``.
    """
    parked = parked_properties(properties, queue, method.routing_key, exc)
    try:
        parking.basic_publish(DEAD_EXCHANGE, method.routing_key, body, parked, mandatory=True)
    except (pika.exceptions.UnroutableError, pika.exceptions.NackError):
        # Never ack what is not safely parked: requeue it, and the queue's
        # delivery limit dead-letters it if this keeps failing.
        log.error("consumer.park_failed", message_id=properties.message_id)
        channel.basic_nack(method.delivery_tag, requeue=True)
        return
    channel.basic_ack(method.delivery_tag)
    log.error(
        "consumer.message_parked",
        message_id=properties.message_id,
        routing_key=method.routing_key,
        error=parked.headers["x-error"],
    )


def delivery_count(properties: BasicProperties) -> int:
    """Earlier deliveries of this message, from the quorum queue's ``x-delivery-count``."""
    value = (properties.headers or {}).get("x-delivery-count", 0)
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parked_properties(
    properties: BasicProperties, queue: str, routing_key: str, exc: Exception
) -> BasicProperties:
    parked = copy.copy(properties)
    headers: dict[str, Any] = dict(properties.headers or {})
    # The parking queue keeps its own count; a copied one would only mislead.
    headers.pop("x-delivery-count", None)
    headers["x-error"] = f"{type(exc).__name__}: {exc}"[:ERROR_HEADER_LIMIT]
    headers["x-original-queue"] = queue
    headers["x-original-routing-key"] = routing_key
    parked.headers = headers
    return parked
