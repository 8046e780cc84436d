"""The projections wing: read models built from the store in position order.

What lives here: the runner that tracks each projection's position in the
same transaction as its rows and rebuilds while the services run
(``runner``), the open-order board (``board``), the monthly statistics
(``monthly``), the facts both read from an event (``facts``) and the worker
that wakes a projection on a message or a timer (``worker``).

May import: the domain (to fold events), the policy, ``shared.events``, the
event store and the messaging consumer loop (``worker`` only).
"""
