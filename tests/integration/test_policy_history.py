"""P-14: a policy change never rewrites history. Orders run under the shipped policy; the
services restart with other commitments and without a category; the old orders keep their
due times and last month's report does not move, the removed category's complaints included."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from shared.policy import Policy, load_policy, policy_from_dict
from tests.integration.api_support import SHANGHAI, T0, Api, open_api

READ_AT = datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)


def changed_policy() -> Policy:
    """Commitments of "other" cut to 1 h and of "repair.common_area" to 2 h;
    "cleaning.common_area" removed from the policy altogether."""
    data = load_policy().model_dump(mode="json")
    for table in ("categories", "fees"):
        for entry in data[table].values():
            entry.pop("id")
    data["categories"]["other"]["commitment_minutes"] = 60
    data["categories"]["repair.common_area"]["commitment_minutes"] = 120
    del data["categories"]["cleaning.common_area"]
    return policy_from_dict(data)


def october(api: Api) -> dict[str, str]:
    ids = {"other": api.new_order("other"),
           "repair": api.new_order("repair.common_area"),
           "cleaning": api.new_order("cleaning.common_area"),
           "open_other": api.new_order("other")}
    api.advance(hours=3)                    # within every commitment of the shipped policy
    api.work(ids["other"], "customer_service")
    api.work(ids["repair"], "engineering")
    api.work(ids["cleaning"], "environment")
    assert api.sign_off(ids["cleaning"], quality=4, attitude=4).status_code == 200
    return ids


def state_of(api: Api, ids: dict[str, str]) -> dict[str, Any]:
    api.clock.at = READ_AT
    complaints = {name: api.complaint(cid) for name, cid in ids.items()}
    return {"due": {name: c["due_at"] for name, c in complaints.items()},
            "category": {name: c["category"] for name, c in complaints.items()},
            "report": api.report("2026-10"),
            "orders": sorted((o["complaint_id"], o["due_at"]) for o in api.orders(status="all"))}


def test_changed_commitments_and_a_removed_category_leave_the_past_as_it_was(
        database_url: str, tmp_path: Path) -> None:
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    with open_api(database_url, tmp_path / "before") as api:
        ids = october(api)
        before = state_of(api, ids)
    assert before["category"]["cleaning"] == "cleaning.common_area"
    assert (before["report"]["timely"], before["report"]["late"]) == (3, 1)  # open_other late

    with open_api(database_url, tmp_path / "after", policy=changed_policy(),
                  start=T0) as restarted:                      # the same store, new policy
        assert "cleaning.common_area" not in restarted.policy.categories
        after = state_of(restarted, ids)
        # New work is judged by the new commitment (P-14), from its dispatch on.
        newer = restarted.new_order("other")
        due = datetime.fromisoformat(restarted.complaint(newer)["due_at"])
        assert due - READ_AT == (datetime.fromisoformat("2026-01-01T01:00:00+00:00")
                                 - datetime.fromisoformat("2026-01-01T00:00:00+00:00"))

    assert after["due"] == before["due"]
    assert after["category"] == before["category"]
    assert after["orders"] == before["orders"]
    assert after["report"] == before["report"]
    assert after["report"]["by_category"]["cleaning.common_area"]["timely"] == 1
    assert after["report"]["by_department"]["environment"]["total"] == 1
