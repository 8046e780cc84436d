"""The ``complaints`` command's refusals: clear lines naming the problem, no traceback.

Each runs the real command in a fresh folder. A refusal is one line on
stderr (after the ``store:`` line where a store is involved) and exit 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import _vhost_url


def complaints(*args: str, tmp_path: Path, unset: tuple[str, ...] = (),
               **env: str) -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
            "COMPLAINTS_TOKENS": str(tmp_path / "tokens.toml"), **env}
    for name in unset:
        base.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "shared.cli.main", *args], env=base,
        capture_output=True, text=True, timeout=60, cwd=tmp_path)


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The one line of a refusal (after the ``store:`` line), checked to be just that."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("store: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def migrated(tmp_path: Path) -> None:
    assert complaints("migrate", tmp_path=tmp_path).returncode == 0


def test_an_invalid_policy_stops_start_up_naming_the_key(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('fallback_category = "other"\n[categories.other]\nname_zh = "其他"\n'
                      'name_en = "Other"\ndepartment = "plumbing"\ncommitment_minutes = 60\n',
                      encoding="utf-8")
    result = complaints("run", tmp_path=tmp_path, COMPLAINTS_POLICY=str(policy))
    assert result.returncode == 2
    assert "categories.other.department" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "tokens.toml").exists()  # nothing started, nothing created


def test_a_policy_without_its_fallback_category_stops_start_up(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[categories.other]\nname_zh = "其他"\nname_en = "Other"\n'
                      'department = "customer_service"\ncommitment_minutes = 60\n',
                      encoding="utf-8")
    result = complaints("run", tmp_path=tmp_path, COMPLAINTS_POLICY=str(policy))
    assert result.returncode == 2
    assert "fallback_category" in result.stderr


@pytest.mark.parametrize("content, named", [
    ('[tokens]\n"a-token" = "kioskk"\n', "unknown role 'kioskk'"),
    ("this is not toml\n", "line 1"),
    ("[other]\n", "no entries in a [tokens] table"),
])
def test_a_malformed_tokens_file_stops_start_up_in_one_line(
        tmp_path: Path, content: str, named: str) -> None:
    (tmp_path / "tokens.toml").write_text(content, encoding="utf-8")
    result = complaints("run", tmp_path=tmp_path)
    line = refusal(result)
    assert "tokens.toml" in line and named in line and "COMPLAINTS_TOKENS" in line
    assert "a-token" not in line  # a token never appears in a message
    assert "running" not in result.stdout  # no banner, nothing started


def test_report_refuses_a_month_that_is_not_yyyy_mm(tmp_path: Path) -> None:
    result = complaints("report", "--month", "2026-13", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "month" in result.stderr and "YYYY-MM" in result.stderr


def test_report_from_another_folder_creates_no_store_and_says_where_it_looked(
        tmp_path: Path) -> None:
    result = complaints("report", "--month", "2026-10", tmp_path=tmp_path,
                        unset=("DATABASE_URL",))
    line = refusal(result)
    assert str(tmp_path / "var" / "complaints.db") in line and "DATABASE_URL" in line
    assert "store: sqlite:///var/complaints.db" in result.stderr
    assert not (tmp_path / "var").exists()
    assert result.stdout == ""


def test_report_refuses_a_store_without_the_schema(tmp_path: Path) -> None:
    (tmp_path / "c.db").touch()
    line = refusal(complaints("report", "--month", "2026-10", tmp_path=tmp_path))
    assert "no schema" in line and "complaints migrate" in line
    with sa.create_engine(f"sqlite:///{tmp_path / 'c.db'}").connect() as conn:
        assert not sa.inspect(conn).get_table_names()  # it stayed as it was


def test_report_on_an_empty_store_says_it_holds_no_complaints_yet(tmp_path: Path) -> None:
    migrated(tmp_path)
    result = complaints("report", "--month", "2026-10", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2026-10" in result.stdout and "Asia/Shanghai" in result.stdout
    assert f"store: sqlite:///{tmp_path / 'c.db'} (DATABASE_URL)" in result.stderr
    assert "holds no complaints yet" in result.stderr


def test_report_judges_at_the_time_given_with_as_of(tmp_path: Path) -> None:
    migrated(tmp_path)
    result = complaints("report", "--month", "2026-10", "--as-of", "2026-11-01T09:00:00+08:00",
                        "--json", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["generated_at"] == "2026-11-01 09:00:00+08:00"


@pytest.mark.parametrize("moment", ["yesterday", "2026-11-01T09:00:00", "2026-11-01"])
def test_report_refuses_an_as_of_that_is_no_time_with_an_offset(
        tmp_path: Path, moment: str) -> None:
    migrated(tmp_path)
    line = refusal(complaints("report", "--month", "2026-10", "--as-of", moment,
                              tmp_path=tmp_path))
    assert "--as-of" in line and moment in line and "offset" in line


def test_rebuild_creates_no_store_either(tmp_path: Path) -> None:
    line = refusal(complaints("rebuild", tmp_path=tmp_path))
    assert "no store at" in line
    assert not (tmp_path / "c.db").exists()


def test_report_through_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    migrated(tmp_path)
    command = (f"{sys.executable} -m shared.cli.main report --month 2026-10 --json | head -1; "
               "exit ${PIPESTATUS[0]}")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path, env={**os.environ,
                                               "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "{\n"
    assert "Broken pipe" not in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- tokens, help


TOKENS = ('[tokens]\n"t-kiosk" = "kiosk"\n"t-desk-1" = { role = "desk", name = "desk-07" }\n'
          '"t-eng" = "department:engineering"\n')


def test_tokens_prints_each_role_and_its_token(tmp_path: Path) -> None:
    (tmp_path / "tokens.toml").write_text(TOKENS, encoding="utf-8")
    result = complaints("tokens", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["kiosk", "t-kiosk"] in rows
    assert ["desk", "(desk-07)", "t-desk-1"] in rows
    assert ["department:engineering", "t-eng"] in rows


def test_tokens_for_one_role_prints_just_the_token(tmp_path: Path) -> None:
    (tmp_path / "tokens.toml").write_text(TOKENS, encoding="utf-8")
    result = complaints("tokens", "--role", "desk", tmp_path=tmp_path)
    assert (result.returncode, result.stdout) == (0, "t-desk-1\n")
    assert "no token for role manager" in refusal(
        complaints("tokens", "--role", "manager", tmp_path=tmp_path))
    assert "unknown role 'boss'" in refusal(
        complaints("tokens", "--role", "boss", tmp_path=tmp_path))


def test_tokens_without_a_tokens_file_creates_none(tmp_path: Path) -> None:
    line = refusal(complaints("tokens", tmp_path=tmp_path))
    assert "no tokens file" in line and "COMPLAINTS_TOKENS" in line
    assert not (tmp_path / "tokens.toml").exists()


def test_version_and_the_environment_in_run_help(tmp_path: Path) -> None:
    version = complaints("--version", tmp_path=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("complaints ")
    helped = complaints("run", "--help", tmp_path=tmp_path)
    assert helped.returncode == 0
    for variable in ("DATABASE_URL", "RABBITMQ_URL", "COMPLAINTS_POLICY", "COMPLAINTS_TOKENS",
                     "COMPLAINTS_HOST", "INTAKE_PORT", "DISPATCHER_PORT"):
        assert variable in helped.stdout


# --------------------------------------------------------------------------- servers


@pytest.mark.postgres
@pytest.mark.parametrize("command", [("run",), ("migrate",), ("report", "--month", "2026-10")])
def test_a_database_that_does_not_exist_is_one_line_saying_what_to_do(
        tmp_path: Path, postgres_session_url: str, command: tuple[str, ...]) -> None:
    name = f"complaints_missing_{uuid.uuid4().hex[:8]}"
    url = sa.make_url(postgres_session_url).set(database=name)
    line = refusal(complaints(*command, tmp_path=tmp_path,
                              DATABASE_URL=url.render_as_string(hide_password=False)))
    assert f'database "{name}" does not exist on {url.host}' in line
    assert "createdb" in line and "DATABASE_URL" in line


@pytest.mark.broker
def test_a_vhost_the_broker_refuses_is_one_line_saying_how_to_add_it(
        tmp_path: Path, rabbitmq_server_url: str) -> None:
    vhost = f"complaints-missing-{uuid.uuid4().hex[:8]}"
    result = complaints("run", tmp_path=tmp_path,
                        RABBITMQ_URL=_vhost_url(rabbitmq_server_url, vhost))
    line = refusal(result)
    assert f'no vhost "{vhost}"' in line and f"rabbitmqctl add_vhost {vhost}" in line
    assert "RABBITMQ_URL" in line
    assert "running" not in result.stdout
