"""The event store wing: the one place that speaks SQL.

What lives here: the append-only store with its outbox and consumer
bookkeeping (``store``), the engines for SQLite and PostgreSQL with the
settings an event store needs (``engines``), the table definitions
(``schema``), Alembic and its migrations (``migrate``, ``migrations/``), and
the commit nudge that wakes the relay right after a commit (``commit_nudge``).

May import: ``shared.events`` (the envelope) and SQLAlchemy; never the
domain, messaging, HTTP or the services.
"""
