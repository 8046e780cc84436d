"""Bearer tokens mapped to roles, from the tokens file (contract.md, Roles and tokens).

::

    [tokens]
    "a-long-random-string" = "kiosk"
    "a-named-one" = { role = "desk", name = "desk-07" }

A service loads the file once at start, ``auth = Authenticator(path,
clock=context.clock)``, and guards each route with
``Depends(auth.require("desk", "manager"))``, which answers 401 (missing or
unknown token), 429 (too many unknown tokens from the client's address) or
403 (a role not listed) and otherwise gives the route the caller's
:class:`Principal`, naming its role in the access log. Tokens never appear
in messages or logs; :attr:`Principal.token_id` stands in for them.
"""

import hashlib
import os
import secrets
import tomllib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.app.clock import Clock
from shared.http import Forbidden, Unauthorized, declares_errors
from shared.http.limits import ForgeryLimit
from shared.http.middleware import record_role
from shared.vocabulary import DEPARTMENTS

DEPARTMENT_PREFIX = "department:"
ANY_DEPARTMENT = "department:*"
ROLES = frozenset(
    {"kiosk", "desk", "leadership", "manager", *(DEPARTMENT_PREFIX + d for d in DEPARTMENTS)}
)
_ROLES_HELP = "kiosk, desk, department:<" + "|".join(DEPARTMENTS) + ">, leadership, manager"


class TokensFileError(ValueError):
    """The tokens file cannot be used; the message names the entry, never the token."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a role, an optional name, and a stand-in for the token."""

    role: str
    name: str | None
    token_id: str

    @property
    def department(self) -> str | None:
        """``engineering`` for ``department:engineering``; None for other roles."""
        if self.role.startswith(DEPARTMENT_PREFIX):
            return self.role.removeprefix(DEPARTMENT_PREFIX)
        return None

    @property
    def actor(self) -> str:
        """Who the history names: the token's name where given, else its role."""
        return self.name or self.role

    @property
    def is_staff(self) -> bool:
        return self.role != "kiosk"


def token_id(token: str) -> str:
    """A short id for a token (rate limits, idempotency scopes); not reversible."""
    return hashlib.sha256(token.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- tokens file


def _principal(token: str, entry: Any, label: str) -> Principal:
    role: Any
    name: Any
    if isinstance(entry, str):
        role, name = entry, None
    elif isinstance(entry, dict) and set(entry) <= {"role", "name"}:
        role, name = entry.get("role"), entry.get("name")
    else:
        raise TokensFileError(f"{label}: expected a role, or {{ role = ..., name = ... }}")
    if name is not None and not (isinstance(name, str) and 0 < len(name) <= 200):
        raise TokensFileError(f"{label}: name must be text of 1 to 200 characters")
    described = f"{label} (name {name!r})" if name else label
    if role not in ROLES:
        raise TokensFileError(f"{described} has unknown role {role!r}; roles are {_ROLES_HELP}")
    if not token:
        raise TokensFileError(f"{described} has an empty token")
    return Principal(role=role, name=name, token_id=token_id(token))


def load_tokens(path: str | Path) -> dict[str, Principal]:
    """Read the tokens file: ``{token: Principal}``. Raises :class:`TokensFileError`."""
    source = Path(path)
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TokensFileError(f"tokens file {source}: {exc}") from exc
    table = document.get("tokens")
    if not isinstance(table, dict) or not table:
        raise TokensFileError(f"tokens file {source}: no entries in a [tokens] table")
    return {
        token: _principal(token, entry, f"tokens file {source}: entry #{number}")
        for number, (token, entry) in enumerate(table.items(), start=1)
    }


def _fresh_tokens_toml() -> str:
    roles = ["kiosk", "desk", *(DEPARTMENT_PREFIX + d for d in DEPARTMENTS)]
    lines = [
        "# Bearer tokens of the complaint services: token = role, or { role, name }.",
        "# Generated with fresh random tokens; keep this file private.",
        "[tokens]",
    ]
    for role in [*roles, "leadership", "manager"]:
        value = '{ role = "desk", name = "desk" }' if role == "desk" else f'"{role}"'
        lines.append(f'"{secrets.token_urlsafe(32)}" = {value}')
    return "\n".join(lines) + "\n"


def ensure_tokens_file(path: str | Path) -> bool:
    """Create the tokens file (mode 0600) with fresh random tokens unless it exists.

    Returns True when it created the file. An existing file is never touched.
    """
    target = Path(path)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two services starting at once must not overwrite each other's tokens.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        os.fchmod(file.fileno(), 0o600)  # whatever the umask
        file.write(_fresh_tokens_toml())
    return True


# --------------------------------------------------------------------------- FastAPI

_BEARER = HTTPBearer(
    auto_error=False, description="A token from the tokens file (COMPLAINTS_TOKENS)"
)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _allowed_roles(roles: Iterable[str]) -> frozenset[str]:
    allowed = frozenset(roles)
    unknown = allowed - ROLES - {ANY_DEPARTMENT}
    if unknown:  # a typo here would lock everyone out of a route, silently
        raise ValueError(f"unknown roles {sorted(unknown)}; roles are {_ROLES_HELP}")
    return allowed


def _role_allowed(role: str, allowed: frozenset[str]) -> bool:
    if role in allowed:
        return True
    return ANY_DEPARTMENT in allowed and role.startswith(DEPARTMENT_PREFIX)


class Authenticator:
    """The token map, loaded once; :meth:`require` makes the route dependencies.

    Unknown tokens are counted per client address (:class:`ForgeryLimit`, on
    ``clock``): past its burst an address's forgeries are answered 429 with
    Retry-After instead of 401. Known tokens are never refused for that.
    """

    def __init__(self, path: str | Path, clock: Clock | None = None,
                 forgeries: ForgeryLimit | None = None) -> None:
        # Keyed by digest: a lookup's timing then says nothing about the token.
        self._by_digest = {_digest(token): who for token, who in load_tokens(path).items()}
        self._forgeries = forgeries or ForgeryLimit(clock)

    def identify(self, token: str | None) -> Principal:
        """The principal of ``token``, or :class:`Unauthorized`."""
        if not token:
            raise Unauthorized("an Authorization: Bearer <token> header is required")
        principal = self._by_digest.get(_digest(token))
        if principal is None:
            raise Unauthorized("unknown token")
        return principal

    def require(self, *roles: str) -> Callable[..., Awaitable[Principal]]:
        """A dependency giving the caller's Principal if its role is one of ``roles``.

        No roles: any known token. ``"department:*"``: any department.
        """
        allowed = _allowed_roles(roles)

        async def principal(
            request: Request,
            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
        ) -> Principal:
            found = self._identify_from(request, credentials.credentials if credentials else None)
            if allowed and not _role_allowed(found.role, allowed):
                raise Forbidden(f"role {found.role} may not do this; allowed: {_listed(allowed)}")
            return found

        # With no roles listed, any known token passes: a 403 cannot happen.
        return declares_errors(*((401, 403, 429) if allowed else (401, 429)))(principal)

    def _identify_from(self, request: Request, token: str | None) -> Principal:
        """:meth:`identify`, counting an unknown token against the client's address."""
        try:
            found = self.identify(token)
        except Unauthorized:
            if token:  # a token we never issued; a missing one is no guess
                record_role(request.scope, "unknown-token")
                self._forgeries.spend(request.client.host if request.client else "unknown")
            raise
        record_role(request.scope, found.role)
        return found


def _listed(roles: frozenset[str]) -> str:
    return ", ".join(sorted(roles))
