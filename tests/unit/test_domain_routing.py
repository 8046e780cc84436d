"""P-6: deciding which department a complaint concerns (given category, keyword, fallback)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.routing import Route, route
from tests.unit.given import DEFAULT, given, policy_changed, registered, when

# ------------------------------------------------------------------ route()


def test_a_category_the_desk_gave_wins_over_any_keyword() -> None:
    # when: "电梯" is an engineering keyword, but the desk chose common-area cleaning
    decided = route("电梯里很脏", "cleaning.common_area", DEFAULT)
    # then
    assert decided == Route(DEFAULT.category("cleaning.common_area"), "given")


def test_a_chinese_keyword_routes_a_leaking_kitchen_faucet_to_in_unit_repair() -> None:
    # when: both "水龙头" and "漏水" are in-unit repair keywords; the longer is recorded
    decided = route("厨房水龙头漏水", None, DEFAULT)
    # then
    assert decided == Route(DEFAULT.category("repair.in_unit"), "keyword", "水龙头")


def test_an_english_keyword_matches_whatever_its_case() -> None:
    decided = route("The ELEVATOR in block 3 is stuck", None, DEFAULT)
    assert decided == Route(DEFAULT.category("repair.common_area"), "keyword", "elevator")


def test_an_english_keyword_of_two_words_matches() -> None:
    decided = route("Please send someone for a Deep Clean of the flat", None, DEFAULT)
    assert decided == Route(DEFAULT.category("cleaning.in_unit"), "keyword", "deep clean")


@pytest.mark.parametrize(
    "description",
    ["someone was shoplifting in the lobby", "I never got a reply to my email"],
    ids=["lift in shoplifting", "mail in email"],
)
def test_an_english_keyword_inside_another_word_does_not_match(description: str) -> None:
    assert route(description, None, DEFAULT).routed_by == "fallback"


@pytest.mark.parametrize(
    ("description", "keyword"),
    [
        ("3号楼lift坏了", "lift"),
        ("LEAK!!", "leak"),
        ("door-to-door salesmen again", "door-to-door"),
    ],
    ids=["beside chinese", "beside punctuation", "with hyphens"],
)
def test_an_english_keyword_matches_as_a_whole_word_beside_anything_but_letters_and_digits(
    description: str, keyword: str
) -> None:
    assert route(description, None, DEFAULT).keyword == keyword


def test_a_chinese_keyword_matches_anywhere_in_the_text() -> None:
    assert route("我家的马桶堵了", None, DEFAULT).keyword == "马桶"


def test_the_longest_keyword_wins_when_two_categories_match() -> None:
    # when: "电梯" (2, common-area repair, listed first) and "没人打扫" (4, common-area cleaning)
    decided = route("电梯口没人打扫", None, DEFAULT)
    # then
    assert decided == Route(DEFAULT.category("cleaning.common_area"), "keyword", "没人打扫")


def test_a_longer_keyword_beats_one_it_contains() -> None:
    # given: a policy where "灯" and "楼道灯" pull two ways
    def change(data: dict[str, Any]) -> None:
        data["categories"]["other"]["keywords"] = ["灯"]

    policy = policy_changed(change)
    # when
    decided = route("三楼楼道灯不亮", None, policy)
    # then
    assert decided == Route(policy.category("repair.common_area"), "keyword", "楼道灯")


def test_two_keywords_of_the_same_length_go_to_the_category_listed_first() -> None:
    # when: "电梯" (repair.common_area) and "垃圾" (cleaning.common_area), both 2 long
    decided = route("电梯里有垃圾", None, DEFAULT)
    # then
    assert decided == Route(DEFAULT.category("repair.common_area"), "keyword", "电梯")


def test_a_complaint_no_keyword_places_falls_back_to_customer_service() -> None:
    # when
    decided = route("我想表扬一下前台的小王", None, DEFAULT)
    # then
    assert decided == Route(DEFAULT.category("other"), "fallback", None)
    assert decided.category.department == "customer_service"


def test_the_fallback_is_whatever_the_policy_names() -> None:
    def change(data: dict[str, Any]) -> None:
        data["fallback_category"] = "security.safety"

    policy = policy_changed(change)
    assert route("说不清楚", None, policy) == Route(policy.category("security.safety"), "fallback")


# ------------------------------------------------------ RouteComplaint records how


@pytest.mark.parametrize(
    ("description", "category", "expected"),
    [
        (
            "小区门口有人发传单推销",
            None,
            ev.ComplaintRouted(category="intruder.sales", department="security",
                               paid_mode="free", routed_by="keyword", keyword="发传单"),
        ),
        (
            "Someone is drilling at 6am",
            None,
            ev.ComplaintRouted(category="renovation.disturbance", department="security",
                               paid_mode="free", routed_by="keyword", keyword="drilling"),
        ),
        (
            "随便说说",
            None,
            ev.ComplaintRouted(category="other", department="customer_service",
                               paid_mode="free", routed_by="fallback", keyword=None),
        ),
        (
            "随便说说",
            "landscaping.common_area",
            ev.ComplaintRouted(category="landscaping.common_area", department="environment",
                               paid_mode="free", routed_by="given", keyword=None),
        ),
    ],
    ids=["chinese keyword", "english keyword", "fallback", "given"],
)
def test_the_routed_event_records_the_category_department_and_how_it_was_routed(
    description: str, category: str | None, expected: ev.ComplaintRouted
) -> None:
    # given
    state = given(registered(description=description, category=category))
    # when
    events = when(c.RouteComplaint(), state)
    # then
    assert events[0] == expected
