"""``complaints tokens [--role ROLE]``: each role's token from the tokens file.

So that the walk-through and a console's set-up copy nothing by hand:
``T_DESK=$(complaints tokens --role desk)``. Only reads the file; it never
creates one (``complaints run`` does, on first start).
"""

from __future__ import annotations

from pathlib import Path

from shared.cli.checks import CommandError


def print_tokens(path: Path, role: str | None) -> int:
    from shared.http.auth import ROLES, TokensFileError, load_tokens

    if role is not None and role not in ROLES:
        raise CommandError(f"unknown role {role!r}; roles are {', '.join(sorted(ROLES))}")
    if not path.is_file():
        raise CommandError(f"no tokens file at {path.resolve()}; `complaints run` creates one "
                           "on first start, or set COMPLAINTS_TOKENS")
    try:
        principals = load_tokens(path)
    except TokensFileError as exc:
        raise CommandError(str(exc)) from None
    if role is not None:
        chosen = [token for token, who in principals.items() if who.role == role]
        if not chosen:
            raise CommandError(f"tokens file {path}: no token for role {role}")
        print("\n".join(chosen))  # just the tokens: for $(complaints tokens --role …)
        return 0
    width = max(len(_label(who.role, who.name)) for who in principals.values())
    for token, who in sorted(principals.items(), key=lambda item: item[1].role):
        print(f"{_label(who.role, who.name):<{width}}  {token}")
    return 0


def _label(role: str, name: str | None) -> str:
    return f"{role} ({name})" if name and name != role else role
