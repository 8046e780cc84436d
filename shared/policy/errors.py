"""What is wrong with a policy, told in the TOML file's own terms.

Pydantic places a problem at a location such as
``('categories', 'repair.in_unit', 'department')``; whoever edits the file
needs ``categories."repair.in_unit".department: ...``, one line per problem,
and a suggestion when a key is misspelt. The models live in shared.policy,
which imports this module: so this one imports none of them, and the keys a
table may have (for "did you mean") are passed in.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

# The keys the table at a location may have (none when it is not a table).
TableKeys = Callable[[tuple[str | int, ...]], list[str]]


class KeyedProblems(ValueError):
    """Raised by whole-policy checks, which pydantic would place at the root: keeps the keys."""

    def __init__(self, problems: Sequence[tuple[tuple[str, ...], str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key_path(loc: Iterable[str | int]) -> str:
    """A pydantic location in TOML terms: ('categories', 'a.b', 'keywords', 2) ->
    categories."a.b".keywords[2]."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        key = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
        path += f".{key}" if path else key
    return path or "(top level)"


def _message(error: Mapping[str, Any], table_keys: TableKeys) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        key, parent = error["loc"][-1], tuple(error["loc"][:-1])
        close = difflib.get_close_matches(str(key), table_keys(parent), n=1)
        return "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a table, got {value!r}"
    if kind in ("tuple_type", "list_type"):
        return f"expected an array, got {value!r}"
    if kind == "string_type":
        return f"expected a string, got {value!r}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short" and error["loc"] == ("categories",):
        return "needs at least one category, the fallback"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]}, got {value!r}"


def problem_lines(exc: ValidationError, table_keys: TableKeys) -> list[str]:
    """One ``key.path: what is wrong`` line per problem pydantic found."""
    problems: list[str] = []
    for error in exc.errors(include_url=False):
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, KeyedProblems):
            problems += [f"{_key_path(loc)}: {message}" for loc, message in cause.problems]
        else:
            problems.append(f"{_key_path(error['loc'])}: {_message(error, table_keys)}")
    return problems
