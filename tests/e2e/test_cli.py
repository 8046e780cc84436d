"""The ``complaints`` command's refusals: clear lines naming the problem, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def complaints(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shared.cli.main", *args],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}",
             "COMPLAINTS_TOKENS": str(tmp_path / "tokens.toml"), **env},
        capture_output=True, text=True, timeout=60, cwd=tmp_path)


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


def test_report_refuses_a_month_that_is_not_yyyy_mm(tmp_path: Path) -> None:
    result = complaints("report", "--month", "2026-13", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "month" in result.stderr and "YYYY-MM" in result.stderr


def test_report_on_an_empty_store_prints_a_zero_month(tmp_path: Path) -> None:
    result = complaints("report", "--month", "2026-10", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2026-10" in result.stdout and "Asia/Shanghai" in result.stdout
