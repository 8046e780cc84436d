"""The event store wing: the one place that speaks SQL.

What lives here: the append-only store with its outbox, consumer
bookkeeping and idempotency keys (``store``), what every backend shares: its
errors, the rows that join an append, its shape (``records``), the same
contract in memory for fast tests (``memory``), the engines for SQLite and
PostgreSQL with the settings an event store needs (``engines``), the table
definitions (``schema``), Alembic and its migrations (``migrate``,
``migrations/``), and the commit nudge that wakes the relay right after a
commit (``commit_nudge``). No other wing writes SQL against ``events``,
``outbox``, ``processed_messages`` or ``idempotency_keys``.

The store reads no clock: ``recorded_at`` comes from the clock it is given,
the other rows' times from their callers.

May import: ``shared.events`` (the envelope) and SQLAlchemy; never the
domain, messaging, HTTP or the services.
"""
