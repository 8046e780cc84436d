"""The publisher: envelopes onto the ``complaints`` exchange, confirmed by the broker."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from types import TracebackType

import pika
import structlog
from pika.adapters.blocking_connection import BlockingChannel

from shared.events import Envelope
from shared.messaging.topology import (
    BLOCKED_CONNECTION_TIMEOUT_SECONDS,
    EXCHANGE,
    connection_parameters,
    declare_topology,
    message_body,
    message_properties,
)

log = structlog.get_logger(__name__)


class Publisher:
    """Publishes envelopes to ``complaints`` and returns only once the broker confirmed them.

    Owns one connection and one confirm-mode channel, opened on the first
    :meth:`publish` (which declares the topology). Any failure while
    publishing drops the connection: the error propagates and the next
    :meth:`publish` opens a new one. Not thread-safe: one Publisher per thread.
    """

    def __init__(self, url: str, *, name: str = "publisher") -> None:
        self._url = url
        self._name = name
        self._connection: pika.BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def publish(self, envelopes: Sequence[Envelope]) -> None:
        """Publish in order, each ``mandatory`` and confirmed before the next is sent.

        Raises ``pika.exceptions.UnroutableError`` when no queue is bound to a
        routing key, ``NackError`` when the broker refuses a message, and
        whatever pika raises when the link fails (not always an ``AMQPError``);
        after any of these the connection is dropped. Messages before
        the failing one are already on the broker, so a caller that retries
        the batch may duplicate them (consumers are idempotent).
        """
        if not envelopes:
            return
        channel = self._open_channel()
        try:
            for envelope in envelopes:
                channel.basic_publish(
                    EXCHANGE,
                    envelope.routing_key(),
                    message_body(envelope),
                    message_properties(envelope),
                    mandatory=True,
                )
        except BaseException as exc:
            # Not only pika's AMQP errors: a broker killed while a confirm is
            # awaited surfaces as a bare ValueError ("Timeout closed before
            # call"), and a connection kept after it fails every later publish.
            # Even the broker's own refusals (unroutable, nack) drop it: the
            # reconnect re-declares the topology, which heals a deleted queue.
            log.warning("publisher.connection_dropped", name=self._name, error=repr(exc))
            self.close()
            raise

    def close(self) -> None:
        """Close the connection; a later :meth:`publish` opens a new one."""
        connection, self._connection, self._channel = self._connection, None, None
        if connection is None:
            return
        try:
            if connection.is_open:
                connection.close()
        except Exception:  # a dead link fails in any of pika's ways; it is gone either way
            log.debug("publisher.close_failed", name=self._name, exc_info=True)

    def __enter__(self) -> Publisher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open_channel(self) -> BlockingChannel:
        if self._still_open() and self._channel is not None:
            return self._channel
        self.close()
        parameters = connection_parameters(self._url, name=self._name)
        parameters.blocked_connection_timeout = BLOCKED_CONNECTION_TIMEOUT_SECONDS
        connection = pika.BlockingConnection(parameters)
        try:
            channel = connection.channel()
            declare_topology(channel)
            channel.confirm_delivery()
        except BaseException:
            with contextlib.suppress(Exception):  # keep the original error, not this one
                connection.close()
            raise
        self._connection, self._channel = connection, channel
        log.info("publisher.connected", name=self._name)
        return channel

    def _still_open(self) -> bool:
        """Whether the current channel is usable, noticing a close the broker already sent.

        A BlockingConnection reads the socket only inside pika calls, so an idle
        publisher learns that the broker dropped it (missed heartbeats, a
        restart) only here; better to reconnect now than fail the next batch.
        """
        if self._connection is None or self._channel is None:
            return False
        try:
            self._connection.process_data_events(time_limit=0)
        except Exception as exc:  # any error here means the link is unusable (see publish)
            log.info("publisher.connection_lost", name=self._name, error=repr(exc))
            return False
        return self._connection.is_open and self._channel.is_open
