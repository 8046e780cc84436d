"""The messaging wing: RabbitMQ through pika.

What lives here: the topology and the message format (``topology``), the
confirmed publisher (``publisher``), the one consumer loop every queue uses
(``consumer``) and the outbox relay (``relay``; its process is
``services/relay``).

May import: ``shared.events`` and ``shared.eventstore`` (the relay drains the
outbox); never the domain, HTTP or the services. pika objects are not
thread-safe: each object here owns its connection on one thread.
"""
