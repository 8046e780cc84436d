"""The projections wing: read models built from the store in position order.

What lives here: the runner that tracks each projection's position in the
same transaction as its rows and rebuilds while the services run
(``runner``), the open-order board (``board``), the monthly statistics
(``monthly``), each complaint folded by the domain's ``evolve``, which both
build their rows from (``complaints``), and the worker that wakes a
projection on a message or a timer (``worker``).
Intake's own: the complaint index behind ``GET /complaints``, every status
(``complaint_index``), and the call list of P-4 (``calls``).

May import: the domain (to fold events), the policy, ``shared.events``, the
event store and the messaging consumer loop (``worker`` only).
"""
