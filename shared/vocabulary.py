"""The names every wing agrees on: channels, departments, severities, paid modes, statuses.

One list of each (contract.md: "Roles and tokens", "intake", "Statuses"), as a
``Literal`` type for models and signatures and a tuple for messages and loops.
The policy, the domain, the HTTP models, auth and the broker's topology all
import them from here, so a new department or status is added in one place.

May import: the standard library only (the policy, the lowest wing, imports it).
"""

from __future__ import annotations

from typing import Literal, get_args

# How a complaint reached the company (P-3).
Channel = Literal["kiosk", "visit", "phone", "staff"]
CHANNELS: tuple[str, ...] = get_args(Channel)

# The departments that work orders (role ``department:<id>``, queue ``dept.<id>``).
Department = Literal["customer_service", "engineering", "security", "environment"]
DEPARTMENTS: tuple[str, ...] = get_args(Department)
# Leadership is no department (its role is its own), but escalations (P-12)
# reach it on a queue of its own, ``dept.leadership``.
LEADERSHIP = "leadership"
QUEUE_HOLDERS: tuple[str, ...] = (*DEPARTMENTS, LEADERSHIP)

# P-12: a serious complaint is escalated at once.
Severity = Literal["normal", "serious"]
SEVERITIES: tuple[str, ...] = get_args(Severity)

# P-7: who pays for a category's work ("ask": the desk decides per complaint).
PaidMode = Literal["free", "paid", "ask"]
PAID_MODES: tuple[str, ...] = get_args(PaidMode)

# One status for a complaint through its whole life (contract.md, "Statuses").
Status = Literal[
    "registered",
    "awaiting_decision",
    "awaiting_quote",
    "dispatched",
    "accepted",
    "assigned",
    "completed",
    "closed",
    "declined",
    "withdrawn",
]
STATUSES: tuple[str, ...] = get_args(Status)
