"""Reading the policy file: TOML in, a validated :class:`Policy` or one PolicyError out.

Every problem is a line naming the key in TOML terms, with "did you mean"
for a misspelt key (``shared.policy.errors`` words them).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from shared.policy.errors import problem_lines
from shared.policy.model import (
    DEFAULT_POLICY_FILE,
    Alerts,
    Category,
    Fee,
    Limits,
    Policy,
    PolicyError,
)


def policy_from_dict(data: Mapping[str, Any], source: str | None = None) -> Policy:
    """A policy from parsed TOML, or a PolicyError listing every problem found."""
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(problem_lines(exc, _table_keys), source) from None


def load_policy(path: Path | None = None) -> Policy:
    """The policy at ``path``; None means the shipped default."""
    read: Callable[[], bytes]
    if path is None:
        source = f"shipped {DEFAULT_POLICY_FILE}"
        read = resources.files("shared.policy").joinpath(DEFAULT_POLICY_FILE).read_bytes
    else:
        source = str(path)
        read = Path(path).read_bytes
    try:
        text = read().decode("utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read the policy: {exc.strerror or exc}", source) from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(f"not valid TOML: not UTF-8 text ({exc.reason})", source) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"not valid TOML: {exc}", source) from exc
    return policy_from_dict(data, source)


# ------------------------------------------------------------- "did you mean"


def _table_keys(parent: tuple[str | int, ...]) -> list[str]:
    """The keys the table at ``parent`` may have, for "did you mean" (shared.policy.errors)."""
    model: type[BaseModel] | None = None
    if not parent:
        model = Policy
    elif parent[0] in ("categories", "fees") and len(parent) == 2:
        model = Category if parent[0] == "categories" else Fee
    elif parent in (("alerts",), ("limits",)):
        model = Alerts if parent[0] == "alerts" else Limits
    return [key for key in model.model_fields if key != "id"] if model else []
