"""The application wing: what wires a service together and runs it.

What lives here: the command handler, the one way a service changes a
complaint (load, decide, append, retry on a race; ``command_handler``), its
counterpart for the call record of P-4 (``call_recorder``), the
bootstrap and service context (``bootstrap``), settings from the environment
(``settings``), the injected clock (``clock``) and structured logging
(``logging``).

May import: the domain, the policy, the event store and ``shared.events``;
never HTTP or messaging (the edges import this wing, not the reverse).
"""
