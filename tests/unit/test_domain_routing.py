"""P-6: deciding which department a complaint concerns (given category, keyword, fallback)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.routing import Route, route, serious_word_in, word_forms
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


# --------------------------------------------- keyword priorities (P-6): safety first


def test_a_burglary_with_a_forced_lock_goes_to_security_not_to_a_lock_repair() -> None:
    # when: "被盗" (security, priority 2) and "门锁" (in-unit repair, plain) both match
    decided = route("家里被盗，门锁被撬", None, DEFAULT)
    # then
    assert decided == Route(DEFAULT.category("security.safety"), "keyword", "被盗", 2)
    assert decided.category.department == "security"


def test_a_priority_word_outranks_a_longer_plain_keyword() -> None:
    # when: "油烟机" (3 long, in-unit cleaning, plain) and "着火" (2 long, priority 3)
    decided = route("油烟机着火了", None, DEFAULT)
    # then
    assert (decided.category.id, decided.keyword) == ("security.safety", "着火")


def test_the_higher_priority_wins_between_two_priority_words() -> None:
    # given: a policy where a theft word (2) and a fire word (3) sit in two categories
    def change(data: dict[str, Any]) -> None:
        data["categories"]["other"]["priority_keywords"] = {"仓库被盗": 2}

    policy = policy_changed(change)
    # when: the theft word is longer, but the fire word's priority is higher
    decided = route("仓库被盗后起火", None, policy)
    # then
    assert decided == Route(policy.category("security.safety"), "keyword", "起火", 3)


def test_a_person_trapped_in_a_lift_goes_to_engineering_at_once() -> None:
    decided = route("3号楼电梯困人", None, DEFAULT)
    assert (decided.category.id, decided.keyword, decided.priority) == (
        "repair.common_area", "困人", 3)


def test_a_policy_of_plain_keyword_lists_only_routes_as_before() -> None:
    # given: today's plain policy, without priorities or [routing]
    def change(data: dict[str, Any]) -> None:
        del data["routing"]
        for category in data["categories"].values():
            category["keywords"] = [*category.get("keywords", []),
                                    *category.pop("priority_keywords", {})]

    policy = policy_changed(change)
    # when: two words of two letters each: the category listed first wins
    decided = route("家里被盗，门锁被撬", None, policy)
    # then
    assert decided == Route(policy.category("repair.in_unit"), "keyword", "门锁", 0)
    assert policy.routing.serious_words == ()


# --------------------------------------------- English word forms (P-6)


@pytest.mark.parametrize(
    ("description", "keyword"),
    [
        ("The kitchen pipe is leaking", "leak"),
        ("water leaks from the ceiling", "leak"),
        ("it leaked all night", "leak"),
        ("two fires in the bins", "fire"),
        ("both toilets are blocked", "toilet"),
        ("the door locks are broken", "door lock"),
        ("drillings at 6am again", "drilling"),
    ],
    ids=["-ing", "-s", "-ed", "fires", "toilets", "last word of a phrase", "-s on -ing"],
)
def test_an_english_keyword_matches_its_simple_word_forms(description: str, keyword: str) -> None:
    assert route(description, None, DEFAULT).keyword == keyword


@pytest.mark.parametrize(
    "description",
    ["fireworks on the lawn tonight were lovely", "we had gasoline delivered", "leakproof?"],
    ids=["fireworks", "gasoline", "leakproof"],
)
def test_a_word_form_is_still_a_whole_word(description: str) -> None:
    decided = route(description, None, DEFAULT)
    assert decided.keyword not in ("fire", "gas", "leak")


def test_the_forms_of_a_word_follow_simple_english_spelling() -> None:
    assert {"leak", "leaks", "leaked", "leaking", "leaker"} <= word_forms("leak")
    assert {"fires", "fired", "firing"} <= word_forms("fire")
    assert {"clogged", "clogging"} <= word_forms("clog")
    assert {"door locks", "door locked"} <= word_forms("door lock")
    assert word_forms("door-to-door") >= {"door-to-door"}


# --------------------------------------------- serious words (P-12) whatever the kiosk said


def test_a_serious_word_is_found_in_a_description() -> None:
    assert serious_word_in("3号楼电梯困人，快来", DEFAULT) == "电梯困人"  # the longest
    assert serious_word_in("A child is TRAPPED in the lift", DEFAULT) == "trapped"
    assert serious_word_in("电梯有点慢", DEFAULT) is None


def test_a_normal_registration_with_a_serious_word_is_raised_and_escalated_at_once() -> None:
    # given: the kiosk said "normal"
    state = given(registered(description="3号楼电梯困人", severity="normal"))
    # when
    events = when(c.RouteComplaint(), state)
    # then: routed by the priority word, severity raised by the serious word, escalated
    routed, dispatched, escalated = events
    assert routed == ev.ComplaintRouted(
        category="repair.common_area", department="engineering", paid_mode="free",
        routed_by="keyword", keyword="困人", severity_raised_by="电梯困人")
    assert isinstance(dispatched, ev.WorkOrderDispatched)
    assert escalated == ev.ComplaintEscalated(
        reason="P-12: the description mentions '电梯困人', a serious matter; "
               "leadership leads a site inspection",
        department="engineering")
    after = given(registered(description="3号楼电梯困人"), *events)
    assert (after.severity, after.severity_raised_by, after.escalated) == (
        "serious", "电梯困人", True)


def test_a_serious_word_raises_severity_even_when_the_desk_gave_the_category() -> None:
    state = given(registered(description="楼道起火了", category="cleaning.common_area"))
    events = when(c.RouteComplaint(), state)
    assert events[0].severity_raised_by == "起火"  # type: ignore[attr-defined]
    assert isinstance(events[-1], ev.ComplaintEscalated)


def test_a_complaint_registered_serious_is_not_raised_again_and_escalated_once() -> None:
    state = given(registered(description="电梯困人", severity="serious"))
    events = when(c.RouteComplaint(), state)
    assert events[0].severity_raised_by is None  # type: ignore[attr-defined]
    assert sum(isinstance(e, ev.ComplaintEscalated) for e in events) == 1


def test_a_routed_event_stored_before_serious_words_still_reads() -> None:
    stored = {"category": "other", "department": "customer_service", "paid_mode": "free",
              "routed_by": "fallback", "keyword": None}
    assert ev.ComplaintRouted.model_validate(stored).severity_raised_by is None
