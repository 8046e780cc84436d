"""Bearer tokens, roles and the FastAPI guard (shared.http.auth)."""

# No `from __future__ import annotations`: FastAPI must see the Depends(...) on
# locally built dependencies (auth, limiter) at runtime, not as strings.
import stat
import tomllib
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from shared.http import create_app
from shared.http.auth import (
    DEPARTMENTS,
    Authenticator,
    Principal,
    TokensFileError,
    ensure_tokens_file,
    load_tokens,
    token_id,
)

TOKENS = """
[tokens]
"kiosk-token-aaaaaaaaaaaa" = "kiosk"
"desk-token-bbbbbbbbbbbbb" = { role = "desk", name = "desk-07" }
"eng-token-cccccccccccccc" = "department:engineering"
"sec-token-dddddddddddddd" = "department:security"
"manager-token-eeeeeeeeee" = "manager"
"""


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def tokens_path(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.toml"
    path.write_text(TOKENS, encoding="utf-8")
    return path


@pytest.fixture
def client(tokens_path: Path) -> TestClient:
    auth = Authenticator(tokens_path)
    app = create_app("auth test", "routes guarded by role")

    @app.get("/desk")
    async def desk_only(who: Annotated[Principal, Depends(auth.require("desk"))]) -> str:
        return who.actor

    @app.get("/departments")
    async def departments(
        who: Annotated[Principal, Depends(auth.require("department:*"))],
    ) -> str | None:
        return who.department

    @app.get("/anyone")
    async def anyone(who: Annotated[Principal, Depends(auth.require())]) -> str:
        return who.role

    return TestClient(app)


# --------------------------------------------------------------------------- Principal


def test_a_named_token_acts_under_its_name() -> None:
    assert Principal(role="desk", name="desk-07", token_id="x").actor == "desk-07"


def test_an_unnamed_token_acts_under_its_role() -> None:
    assert Principal(role="manager", name=None, token_id="x").actor == "manager"


def test_a_department_role_names_its_department() -> None:
    assert Principal("department:security", None, "x").department == "security"
    assert Principal("desk", None, "x").department is None


def test_everyone_but_the_kiosk_is_staff() -> None:
    assert not Principal("kiosk", None, "x").is_staff
    assert Principal("department:engineering", None, "x").is_staff


def test_a_token_id_is_short_stable_and_does_not_reveal_the_token() -> None:
    assert token_id("desk-token-bbbbbbbbbbbbb") == token_id("desk-token-bbbbbbbbbbbbb")
    assert len(token_id("t")) == 12
    assert "desk" not in token_id("desk-token-bbbbbbbbbbbbb")


# --------------------------------------------------------------------------- tokens file


def test_load_tokens_reads_plain_and_named_entries(tokens_path: Path) -> None:
    tokens = load_tokens(tokens_path)
    desk = tokens["desk-token-bbbbbbbbbbbbb"]
    assert (desk.role, desk.name) == ("desk", "desk-07")
    assert tokens["kiosk-token-aaaaaaaaaaaa"].role == "kiosk"
    assert desk.token_id == token_id("desk-token-bbbbbbbbbbbbb")


def test_load_tokens_rejects_an_unknown_role_naming_the_entry_not_the_token(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tokens.toml"
    path.write_text('[tokens]\n"s3cret-value" = { role = "janitor", name = "night" }\n')
    with pytest.raises(TokensFileError) as raised:
        load_tokens(path)
    message = str(raised.value)
    assert "'janitor'" in message and "'night'" in message
    assert "s3cret-value" not in message


def test_load_tokens_rejects_a_file_without_a_tokens_table(tmp_path: Path) -> None:
    path = tmp_path / "tokens.toml"
    path.write_text('title = "no tokens here"\n')
    with pytest.raises(TokensFileError, match=r"\[tokens\]"):
        load_tokens(path)


def test_ensure_tokens_file_creates_distinct_random_tokens_for_every_role(
    tmp_path: Path,
) -> None:
    path = tmp_path / "var" / "tokens.toml"
    assert ensure_tokens_file(path) is True
    tokens = load_tokens(path)
    roles = sorted(p.role for p in tokens.values())
    expected = ["kiosk", "desk", "leadership", "manager"] + [f"department:{d}" for d in DEPARTMENTS]
    assert roles == sorted(expected)
    assert all(len(token) >= 40 for token in tokens)
    other = tmp_path / "other.toml"
    ensure_tokens_file(other)
    assert not set(tokens) & set(load_tokens(other)), "tokens must be fresh each time"


def test_ensure_tokens_file_makes_the_file_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "tokens.toml"
    ensure_tokens_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_ensure_tokens_file_leaves_an_existing_file_alone(tokens_path: Path) -> None:
    assert ensure_tokens_file(tokens_path) is False
    assert tokens_path.read_text(encoding="utf-8") == TOKENS


def test_the_generated_desk_token_is_named(tmp_path: Path) -> None:
    path = tmp_path / "tokens.toml"
    ensure_tokens_file(path)
    entries = tomllib.loads(path.read_text())["tokens"].values()
    assert {"role": "desk", "name": "desk"} in list(entries)


def test_require_refuses_a_misspelt_role_when_the_app_is_built(tokens_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        Authenticator(tokens_path).require("dsek")


# --------------------------------------------------------------------------- over HTTP


def test_a_request_without_a_token_is_401_asking_for_a_bearer(client: TestClient) -> None:
    response = client.get("/desk")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


def test_an_unknown_token_is_401_without_echoing_it(client: TestClient) -> None:
    response = client.get("/desk", headers=_bearer("guessed-token"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "guessed-token" not in response.text


def test_a_token_in_another_scheme_is_401(client: TestClient) -> None:
    response = client.get("/desk", headers={"Authorization": "Basic ZGVzazpkZXNr"})
    assert response.status_code == 401


def test_a_known_token_with_the_wrong_role_is_403(client: TestClient) -> None:
    response = client.get("/desk", headers=_bearer("kiosk-token-aaaaaaaaaaaa"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_right_role_gets_through_as_its_principal(client: TestClient) -> None:
    response = client.get("/desk", headers=_bearer("desk-token-bbbbbbbbbbbbb"))
    assert response.status_code == 200
    assert response.json() == "desk-07"


def test_any_department_passes_a_department_wildcard(client: TestClient) -> None:
    assert client.get("/departments", headers=_bearer("sec-token-dddddddddddddd")).json() == (
        "security"
    )
    assert client.get("/departments", headers=_bearer("eng-token-cccccccccccccc")).json() == (
        "engineering"
    )
    assert client.get("/departments", headers=_bearer("desk-token-bbbbbbbbbbbbb")).status_code == (
        403
    )


def test_require_with_no_roles_lets_every_known_token_in(client: TestClient) -> None:
    assert client.get("/anyone", headers=_bearer("kiosk-token-aaaaaaaaaaaa")).json() == "kiosk"
    assert client.get("/anyone").status_code == 401
