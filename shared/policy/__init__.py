"""The policy wing: the company's settings for the procedure, read from one TOML file.

What lives here: the policy's model and its validation (``model``), reading
the file (``loading``), the wording of its problems (``errors``) and the
shipped default (``default_policy.toml``, restating procedure.md's tables).
``COMPLAINTS_POLICY`` names a replacement file.

May import: the standard library, pydantic and ``shared.vocabulary`` only. Everything else (the
domain included) imports the policy's types from here.
"""

from shared.policy.loading import load_policy, policy_from_dict
from shared.policy.model import (
    DEFAULT_POLICY_FILE,
    Alerts,
    Category,
    Fee,
    Limits,
    Policy,
    PolicyError,
    Routing,
    UnknownCategory,
    UnknownFee,
)
from shared.vocabulary import DEPARTMENTS, PAID_MODES, Department, PaidMode

__all__ = [
    "DEFAULT_POLICY_FILE",
    "DEPARTMENTS",
    "PAID_MODES",
    "Alerts",
    "Category",
    "Department",
    "Fee",
    "Limits",
    "PaidMode",
    "Policy",
    "PolicyError",
    "Routing",
    "UnknownCategory",
    "UnknownFee",
    "load_policy",
    "policy_from_dict",
]
