"""The one consumer loop every service uses: ack after the handler, park poison, reconnect.

Life of a message: the body is parsed and screened against the service's
:class:`~shared.messaging.subscription.Subscription`; a body that is no
envelope, an unknown type, a type the service never declared, or a schema
version it cannot read is parked at once (``shared.messaging.parking``); a
type it deliberately ignores is acked with a debug line. Otherwise the
handler runs (and commits its own transaction); only then is the message
acked. A handler that raises gets the message back
(``basic_nack(requeue=True)``) until the queue's delivery count says this was
attempt ``max_attempts``; then it is parked, so the queue keeps flowing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import pika
import structlog
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import AMQPChannelError, AMQPConnectionError, ChannelClosedByBroker
from pika.spec import Basic, BasicProperties

from shared.events import Envelope
from shared.messaging.parking import delivery_count, park
from shared.messaging.subscription import Subscription, screen
from shared.messaging.topology import (
    DELIVERY_LIMIT,
    connection_parameters,
    declare_topology,
    envelope_from_body,
)
from shared.periodic import Backoff

log = structlog.get_logger(__name__)

Handler = Callable[[Envelope], None]

# How often the loop looks at ``stop`` while the queue is idle.
POLL_SECONDS = 0.5
BACKOFF_FIRST_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 10.0
PRECONDITION_FAILED = 406


class ConsumerCancelledByBroker(AMQPChannelError):
    """The broker ended our consumer (its queue was deleted); reconnecting re-declares it."""


# Each of these is the broker going away or a channel-level refusal: both are
# routine for a long-running service, so the loop reconnects instead of dying.
# (AMQPConnectionError covers ConnectionClosedByBroker, e.g. CONNECTION_FORCED
# from a broker stop, StreamLostError and ConnectionWrongStateError.)
RECOVERABLE_ERRORS: tuple[type[Exception], ...] = (AMQPConnectionError, AMQPChannelError)


def run_consumer(
    url: str,
    queue: str,
    handler: Handler,
    stop: threading.Event,
    *,
    subscription: Subscription,
    prefetch: int = 20,
    max_attempts: int = 3,
    name: str | None = None,
) -> None:
    """Consume ``queue`` with ``handler`` until ``stop`` is set; blocks, then returns.

    Opens its own connection (call it on its own thread), declares the
    topology on every (re)connect, and reconnects with capped exponential
    back-off whenever the broker goes away. ``name`` labels the connection
    (``connection_name``) for ``rabbitmqctl`` and the management UI.
    ``subscription`` says which event types ``handler`` acts on and which it
    deliberately leaves; anything else is parked (see the module docstring).

    The handler runs on this thread and pika does no I/O while it runs: a
    handler busy for longer than about two heartbeats (60 s) gets the
    connection dropped and its message redelivered. ``max_attempts`` may not
    exceed the queues' ``DELIVERY_LIMIT``, or the broker would dead-letter the
    message first, without the ``x-error`` header.
    """
    if not 1 <= max_attempts <= DELIVERY_LIMIT:
        raise ValueError(f"max_attempts must be 1..{DELIVERY_LIMIT}, got {max_attempts}")
    unregistered = subscription.unregistered()
    if unregistered:
        raise ValueError(f"subscription of queue {queue!r} names unregistered event types "
                         f"{unregistered} (a typo, or their module is not imported)")
    consumer = _Consumer(url, queue, handler, subscription, stop, prefetch, max_attempts, name)
    backoff = Backoff(BACKOFF_FIRST_SECONDS, BACKOFF_CAP_SECONDS)
    while not stop.is_set():
        try:
            consumer.run_connection()
            return
        except RECOVERABLE_ERRORS as exc:
            if consumer.was_connected:
                backoff.reset()
            delay = backoff.peek()
            if isinstance(exc, ChannelClosedByBroker) and exc.reply_code == PRECONDITION_FAILED:
                # Retrying cannot fix this one by itself: an operator must act.
                consumer.log.error(
                    "consumer.topology_mismatch", error=repr(exc), retry_in=delay,
                    hint="a queue or exchange exists with other arguments than this version "
                         "declares; delete it (its messages are re-derivable) or use a new vhost")
            else:
                consumer.log.warning("consumer.disconnected", error=repr(exc), retry_in=delay)
        except Exception as exc:
            # pika does not always fail with its own errors: a broker killed or frozen
            # mid-call can surface as a bare ValueError or AMQPConnectorStackTimeout
            # (field-notes.md). The connection is closed by run_connection whatever
            # happened, and handler errors never reach here (they are parked), so this
            # too is "the link failed": reconnect, rather than let the thread die and
            # the service answer HTTP with no consumer behind it.
            if consumer.was_connected:
                backoff.reset()
            consumer.log.error("consumer.connection_failed", error=repr(exc),
                               retry_in=backoff.peek(), exc_info=exc)
        backoff.wait(stop)


class _Consumer:
    """One consumer's state across reconnects; every method runs on the caller's thread."""

    def __init__(
        self,
        url: str,
        queue: str,
        handler: Handler,
        subscription: Subscription,
        stop: threading.Event,
        prefetch: int,
        max_attempts: int,
        name: str | None,
    ) -> None:
        self.url, self.queue, self.handler, self.stop = url, queue, handler, stop
        self.subscription = subscription
        self.prefetch, self.max_attempts = prefetch, max_attempts
        self.name = name or f"consumer.{queue}"
        self.log = log.bind(queue=queue, consumer=self.name)
        self.was_connected = False

    def run_connection(self) -> None:
        """Consume on one connection until ``stop``; raises when the link fails."""
        self.was_connected = False
        connection = pika.BlockingConnection(connection_parameters(self.url, name=self.name))
        try:
            channel = connection.channel()
            declare_topology(channel)
            channel.basic_qos(prefetch_count=self.prefetch)
            # A channel of its own for parking, so its blocking confirm waits
            # never interleave with the consume generator's bookkeeping.
            parking = connection.channel()
            parking.confirm_delivery()
            self.was_connected = True
            self.log.info("consumer.connected")
            self._consume(channel, parking)
        finally:
            _close_quietly(connection)

    def _consume(self, channel: BlockingChannel, parking: BlockingChannel) -> None:
        for method, properties, body in channel.consume(
            self.queue, inactivity_timeout=POLL_SECONDS
        ):
            if self.stop.is_set():
                # Hand prefetched messages back now rather than at close.
                channel.cancel()
                return
            if method is not None:
                self._deliver(channel, parking, method, properties, body)
        if not self.stop.is_set():
            raise ConsumerCancelledByBroker(self.queue)

    def _deliver(
        self,
        channel: BlockingChannel,
        parking: BlockingChannel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
    ) -> None:
        try:
            envelope = envelope_from_body(body)
            wanted = screen(envelope, self.subscription, self.queue)
        except Exception as exc:
            # Retrying cannot make a malformed body parse, nor teach this
            # code an event type or a schema version it does not know.
            self._park(channel, parking, method, properties, body, exc)
            return
        if not wanted:
            self.log.debug("consumer.ignored", event_type=envelope.type,
                           message_id=properties.message_id)
            channel.basic_ack(method.delivery_tag)
            return
        try:
            self.handler(envelope)
        except Exception as exc:
            self._handler_failed(channel, parking, method, properties, body, exc)
            return
        channel.basic_ack(method.delivery_tag)

    def _handler_failed(
        self,
        channel: BlockingChannel,
        parking: BlockingChannel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
        exc: Exception,
    ) -> None:
        attempt = delivery_count(properties) + 1
        self.log.warning(
            "consumer.handler_failed",
            message_id=properties.message_id,
            attempt=attempt,
            max_attempts=self.max_attempts,
            exc_info=exc,
        )
        if attempt >= self.max_attempts:
            self._park(channel, parking, method, properties, body, exc)
        else:
            channel.basic_nack(method.delivery_tag, requeue=True)

    def _park(
        self,
        channel: BlockingChannel,
        parking: BlockingChannel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
        exc: Exception,
    ) -> None:
        park(channel, parking, method, properties, body, exc, queue=self.queue, log=self.log)


def _close_quietly(connection: pika.BlockingConnection) -> None:
    if connection.is_open:
        # Already going down; the next connection starts clean.
        with contextlib.suppress(AMQPConnectionError, AMQPChannelError):
            connection.close()
