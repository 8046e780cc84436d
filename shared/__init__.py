"""Everything the five processes under ``services/`` share, in wings by layer.

- ``domain/``       the procedure, pure (decide, evolve); imports only events and policy types
- ``vocabulary.py`` one list of each name: channels, departments, severities, paid modes, statuses
- ``events.py``     the event base class, registry, envelope and upcasters: the shared vocabulary
- ``policy/``       the company's settings (categories, commitments, fees), loaded and validated
- ``eventstore/``   append-only store, outbox, engines, schema, migrations, commit nudge: all SQL
- ``messaging/``    RabbitMQ: topology, publisher, the one consumer loop, the outbox relay
- ``projections/``  read models (board, monthly statistics) built from the store
- ``app/``          the command handler, bootstrap, settings, clock, logging
- ``http/``         the HTTP edge: errors, limits, docs, auth, access to a complaint, health
- ``cli/``          the ``complaints`` command

Dependencies point downwards in this list's reverse: the edges (``http``,
``cli``, ``services``) import the application wing, which imports the domain
and the store; the domain imports no wing but ``events`` and ``policy``; every wing may
import ``vocabulary``, which imports nothing of ours.
"""
