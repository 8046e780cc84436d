"""The policy file: the shipped default restates the procedure; a bad file names its key."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from shared.policy import (
    DEPARTMENTS,
    Category,
    Policy,
    PolicyError,
    UnknownCategory,
    UnknownFee,
    load_policy,
    policy_from_dict,
)

# procedure.md, "Default categories": id, 中文, department, paid, commitment.
PROCEDURE_TABLE: list[tuple[str, str, str, str, timedelta]] = [
    ("repair.in_unit", "室内维修", "engineering", "ask", timedelta(hours=24)),
    ("repair.common_area", "公共区域设备设施维修", "engineering", "free", timedelta(hours=24)),
    ("facility.damage", "小区设施损坏", "engineering", "free", timedelta(hours=24)),
    ("cleaning.in_unit", "室内清洁", "customer_service", "paid", timedelta(hours=48)),
    ("landscaping.in_unit", "室内绿化", "customer_service", "paid", timedelta(hours=48)),
    ("cleaning.common_area", "公共区域清洁", "environment", "free", timedelta(hours=4)),
    ("landscaping.common_area", "公共区域绿化", "environment", "free", timedelta(hours=48)),
    ("renovation.disturbance", "装修噪音、异味、粉尘滋扰", "security", "free", timedelta(hours=2)),
    ("intruder.sales", "外来（推销）人员滋扰", "security", "free", timedelta(minutes=30)),
    ("security.safety", "小区安全保卫", "security", "free", timedelta(minutes=30)),
    ("mail.lost_late", "邮件报纸遗失、欠收、投递不及时", "security", "free", timedelta(hours=24)),
    ("other", "其他", "customer_service", "free", timedelta(hours=24)),
]


def a_policy() -> dict[str, Any]:
    """A small valid policy, as tomllib would parse it, for each test to spoil."""
    return {
        "fallback_category": "other",
        "categories": {
            "repair.in_unit": {
                "name_zh": "室内维修",
                "name_en": "In-unit repair",
                "department": "engineering",
                "paid": "ask",
                "commitment_minutes": 1440,
                "keywords": ["漏水", "leak"],
            },
            "other": {
                "name_zh": "其他",
                "name_en": "Other",
                "department": "customer_service",
                "commitment_minutes": 1440,
            },
        },
        "fees": {
            "faucet.replace": {
                "name_zh": "更换水龙头",
                "name_en": "Replace a faucet",
                "price": "30.00",
            },
        },
    }


def problem_with(data: dict[str, Any]) -> str:
    with pytest.raises(PolicyError) as raised:
        policy_from_dict(data)
    return str(raised.value)


@pytest.fixture(scope="module")
def shipped() -> Policy:
    return load_policy()


# ------------------------------------------------------------ the shipped default


def test_the_shipped_default_policy_loads(shipped: Policy) -> None:
    assert isinstance(shipped, Policy)


def test_the_shipped_default_has_exactly_the_categories_of_the_procedure(shipped: Policy) -> None:
    assert set(shipped.categories) == {row[0] for row in PROCEDURE_TABLE}


@pytest.mark.parametrize(
    ("category_id", "name_zh", "department", "paid", "commitment"),
    PROCEDURE_TABLE,
    ids=[row[0] for row in PROCEDURE_TABLE],
)
def test_each_shipped_category_matches_the_procedure_table(
    shipped: Policy,
    category_id: str,
    name_zh: str,
    department: str,
    paid: str,
    commitment: timedelta,
) -> None:
    # when
    category = shipped.category(category_id)
    # then
    assert category.id == category_id
    assert category.name_zh == name_zh
    assert category.name_en
    assert category.department == department
    assert category.paid == paid
    assert category.commitment == commitment


def test_the_shipped_fallback_is_other_in_shanghai_time(shipped: Policy) -> None:
    assert shipped.fallback_category == "other"
    assert shipped.timezone == "Asia/Shanghai"
    assert shipped.tz.key == "Asia/Shanghai"
    assert shipped.communities is None


def test_only_mail_needs_the_mail_log_check_in_the_shipped_default(shipped: Policy) -> None:
    needing_check = [c.id for c in shipped.categories.values() if c.mail_check]
    assert needing_check == ["mail.lost_late"]


def test_every_shipped_category_but_the_fallback_has_chinese_and_english_keywords(
    shipped: Policy,
) -> None:
    for category in shipped.categories.values():
        if category.id == "other":
            assert category.keywords == ()
            continue
        assert any(not word.isascii() for word in category.keywords), category.id
        assert any(word.isascii() for word in category.keywords), category.id


def test_no_shipped_keyword_can_pull_a_complaint_towards_two_categories(shipped: Policy) -> None:
    # given every keyword with its category
    owned = [(w.casefold(), c.id) for c in shipped.categories.values()
             for w in c.keyword_priorities()]
    # then none is, or is part of, a keyword of another category
    clashes = [
        (word, other_word)
        for word, category_id in owned
        for other_word, other_id in owned
        if other_id != category_id and word in other_word
    ]
    assert clashes == []


def test_every_shipped_fee_is_a_price_in_yuan_and_fen(shipped: Policy) -> None:
    assert len(shipped.fees) >= 10
    for fee_id, fee in shipped.fees.items():
        assert fee.id == fee_id
        assert isinstance(fee.price, Decimal)
        assert fee.price.as_tuple().exponent == -2, fee_id
        assert fee.price > 0
    assert shipped.fee("faucet.replace").price == Decimal("30.00")


def test_the_shipped_alerts_and_limits_are_the_contract_defaults(shipped: Policy) -> None:
    assert shipped.alerts.timely_rate_drop_points == 5.0
    assert shipped.alerts.satisfaction_floor == 4.0
    assert shipped.alerts.warn_at_share == 0.8
    assert shipped.alerts.chase_every_minutes == 60
    assert shipped.alerts.auto_close_after_days == 7
    assert shipped.limits.kiosk_burst == 30
    assert shipped.limits.kiosk_per_second == 1.0
    assert shipped.limits.staff_burst == 200
    assert shipped.limits.staff_per_second == 20.0


# ---------------------------------------------------------------- what loads


def test_a_policy_file_loads_from_a_path(tmp_path: Path) -> None:
    # given
    path = tmp_path / "policy.toml"
    path.write_text(
        'fallback_category = "other"\n'
        '[categories."other"]\n'
        'name_zh = "其他"\nname_en = "Other"\ndepartment = "customer_service"\n'
        "commitment_minutes = 60\n",
        encoding="utf-8",
    )
    # when
    policy = load_policy(path)
    # then
    assert policy.category("other").commitment == timedelta(hours=1)
    assert policy.fees == {}
    assert policy.alerts.warn_at_share == 0.8


def test_optional_keys_take_their_defaults() -> None:
    policy = policy_from_dict(a_policy())
    other = policy.category("other")
    assert (other.paid, other.keywords, other.mail_check) == ("free", (), False)
    assert policy.timezone == "Asia/Shanghai"
    assert policy.limits.staff_burst == 200


def test_a_decimal_commitment_gives_fractional_minutes() -> None:
    # given
    data = a_policy()
    data["categories"]["other"]["commitment_minutes"] = 90.5
    # when
    category = policy_from_dict(data).category("other")
    # then
    assert category.commitment_minutes == Decimal("90.5")
    assert category.commitment == timedelta(minutes=90.5)


def test_a_whole_yuan_price_is_kept_with_two_decimal_places() -> None:
    data = a_policy()
    data["fees"]["faucet.replace"]["price"] = "30"
    price = policy_from_dict(data).fee("faucet.replace").price
    assert price == Decimal("30") and price.as_tuple().exponent == -2


def test_communities_when_given_are_kept_in_order() -> None:
    data = a_policy() | {"communities": ["荔园一期", "荔园二期"]}
    assert policy_from_dict(data).communities == ("荔园一期", "荔园二期")


def test_an_unknown_category_is_a_lookup_error_naming_it() -> None:
    policy = policy_from_dict(a_policy())
    with pytest.raises(UnknownCategory, match="'plumbing'") as raised:
        policy.category("plumbing")
    assert isinstance(raised.value, LookupError)
    assert not isinstance(raised.value, KeyError)
    assert raised.value.category_id == "plumbing"


def test_an_unknown_fee_is_a_lookup_error_naming_it() -> None:
    policy = policy_from_dict(a_policy())
    with pytest.raises(UnknownFee, match=r"'gold\.tap'"):
        policy.fee("gold.tap")


def test_a_loaded_policy_cannot_be_changed() -> None:
    category: Category = policy_from_dict(a_policy()).category("other")
    with pytest.raises(ValidationError):
        category.department = "security"  # type: ignore[misc]


# ------------------------------------------------------------ what stops loading


def test_an_unknown_department_names_the_key_and_the_departments() -> None:
    data = a_policy()
    data["categories"]["repair.in_unit"]["department"] = "plumbing"
    message = problem_with(data)
    assert message.startswith(
        "categories.\"repair.in_unit\".department: unknown department 'plumbing' (one of "
    )
    assert all(department in message for department in DEPARTMENTS)


def test_leadership_is_no_department_a_category_can_be_routed_to() -> None:
    # its orders would reach no department:<id> role that could accept them
    data = a_policy()
    data["categories"]["repair.in_unit"]["department"] = "leadership"
    assert problem_with(data).startswith(
        "categories.\"repair.in_unit\".department: unknown department 'leadership' (one of ")


def test_the_policy_the_roles_and_the_queues_know_the_same_departments() -> None:
    from shared.http.auth import ROLES
    from shared.messaging.topology import DEPARTMENT_QUEUES

    assert DEPARTMENTS == ("customer_service", "engineering", "security", "environment")
    assert {f"department:{d}" for d in DEPARTMENTS} == {r for r in ROLES if ":" in r}
    assert set(DEPARTMENT_QUEUES) == {*DEPARTMENTS, "leadership"}  # escalations, P-12


def test_a_missing_fallback_category_is_required() -> None:
    data = a_policy()
    del data["fallback_category"]
    assert problem_with(data) == "fallback_category: required"


def test_a_fallback_that_is_not_a_category_is_refused() -> None:
    data = a_policy() | {"fallback_category": "misc"}
    assert problem_with(data).startswith("fallback_category: 'misc' is not a category")


def test_a_policy_without_categories_is_refused() -> None:
    data = a_policy()
    del data["categories"]
    assert problem_with(data) == "categories: required"


@pytest.mark.parametrize("price", ["abc", "-1", "1.234", "NaN", 1.5, True])
def test_a_bad_price_names_the_fee(price: object) -> None:
    data = a_policy()
    data["fees"]["faucet.replace"]["price"] = price
    assert problem_with(data).startswith('fees."faucet.replace".price: ')


def test_an_unknown_top_level_key_is_refused() -> None:
    data = a_policy() | {"colour": "red"}
    assert problem_with(data) == "colour: unknown key"


def test_a_misspelt_key_is_refused_with_a_suggestion() -> None:
    data = a_policy()
    data["categories"]["other"]["keyword"] = ["misc"]
    assert problem_with(data) == (
        "categories.other.keyword: unknown key (did you mean 'keywords'?)"
    )


@pytest.mark.parametrize("timezone", ["Mars/Olympus", "", "../etc/passwd", "asia/shanghai"])
def test_a_bad_timezone_is_refused(timezone: str) -> None:
    data = a_policy() | {"timezone": timezone}
    assert problem_with(data).startswith(f"timezone: unknown time zone {timezone!r}")


@pytest.mark.parametrize("minutes", [0, -30, "-1", 0.0, True, "soon"])
def test_a_commitment_that_is_not_a_positive_number_is_refused(minutes: object) -> None:
    data = a_policy()
    data["categories"]["other"]["commitment_minutes"] = minutes
    assert problem_with(data).startswith("categories.other.commitment_minutes: ")


def test_an_unknown_paid_mode_is_refused() -> None:
    data = a_policy()
    data["categories"]["other"]["paid"] = "sometimes"
    assert problem_with(data) == (
        "categories.other.paid: unknown paid mode 'sometimes' (one of free, paid, ask)"
    )


def test_a_blank_keyword_is_refused_at_its_place() -> None:
    data = a_policy()
    data["categories"]["repair.in_unit"]["keywords"] = ["漏水", " "]
    assert problem_with(data) == 'categories."repair.in_unit".keywords[1]: must not be empty'


def test_an_id_that_disagrees_with_its_table_key_is_refused() -> None:
    data = a_policy()
    data["categories"]["other"]["id"] = "misc"
    assert problem_with(data).startswith("categories.other.id: 'misc' differs from the table key")


def test_an_empty_list_of_communities_is_refused() -> None:
    data = a_policy() | {"communities": []}
    assert problem_with(data).startswith("communities: ")


def test_an_out_of_range_alert_threshold_is_refused() -> None:
    data = a_policy() | {"alerts": {"warn_at_share": 1.5}}
    assert problem_with(data).startswith("alerts.warn_at_share: ")


def test_every_problem_gets_a_line_of_its_own() -> None:
    # given two independent mistakes
    data = a_policy() | {"colour": "red"}
    data["fees"]["faucet.replace"]["price"] = "-1"
    # when
    lines = problem_with(data).splitlines()
    # then
    assert len(lines) == 2
    assert {line.split(":")[0] for line in lines} == {"colour", 'fees."faucet.replace".price'}


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('fallback_category = "other\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML") as raised:
        load_policy(path)
    assert str(raised.value).startswith(f"{path}: ")


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert str(raised.value).startswith(f"{path}: cannot read the policy")


def test_a_problem_in_a_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('fallback_category = "misc"\n[categories.other]\n', encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    assert f"{path}: categories.other.department: required" in str(raised.value).splitlines()


# --- P-6 keyword priorities and P-12 serious words


def test_priority_keywords_and_serious_words_are_optional_and_read_when_given() -> None:
    data = a_policy()
    assert policy_from_dict(data).category("repair.in_unit").priority_keywords == {}
    data["categories"]["repair.in_unit"]["priority_keywords"] = {"漏电": 3}
    data["routing"] = {"serious_words": ["触电"]}
    policy = policy_from_dict(data)
    assert policy.category("repair.in_unit").keyword_priorities() == {
        "漏水": 0, "leak": 0, "漏电": 3}
    assert policy.routing.serious_words == ("触电",)


def test_a_word_both_plain_and_prioritised_in_one_category_is_refused_at_its_place() -> None:
    data = a_policy()
    data["categories"]["repair.in_unit"]["priority_keywords"] = {"LEAK": 2}
    assert problem_with(data) == (
        'categories."repair.in_unit".priority_keywords.LEAK: '
        "also in this category's keywords; list it once")


@pytest.mark.parametrize("priority", [0, 101, "2", 1.5])
def test_a_keyword_priority_is_a_whole_number_from_1_to_100(priority: object) -> None:
    data = a_policy()
    data["categories"]["repair.in_unit"]["priority_keywords"] = {"漏电": priority}
    assert problem_with(data).startswith('categories."repair.in_unit".priority_keywords."漏电": ')


def test_a_misspelt_routing_key_is_refused() -> None:
    data = a_policy()
    data["routing"] = {"serious_word": ["触电"]}
    assert problem_with(data).startswith("routing.serious_word: unknown key")
