"""P-6: deciding which department a complaint concerns; P-12: words that make it serious.

By the category the desk gave; else by the policy's keywords (Chinese and
English) found in the description; else to the policy's fallback category
(customer-service triage by default). Among matching keywords the highest
priority wins (a category's ``priority_keywords``: safety and crime words
such as 被盗 or "fire" outrank trade words such as 门锁, whose priority is 0),
then the longest (so "楼道灯" beats "灯"), then the category listed first.

Latin-script keywords match whole words only ("lift" is not in "shoplifting"),
in their simple English forms: -s, -es, -ed, -ing, -er (and -ers), with a
final "e" dropped or a final consonant doubled where English does so; so
"leak" matches "leaking" and "fire" matches "fires" and "firing". Only the
last word of a phrase is inflected ("door lock" matches "door locks").
Chinese has no spaces between words and no inflection, so Chinese keywords
match anywhere, as written.

Whatever the category, a word of the policy's ``[routing] serious_words``
found in the description makes the complaint serious (P-12): a person
trapped in a lift reaches leadership even when the kiosk said "normal".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from shared.policy import Category, Policy

_SUFFIXES = ("s", "es", "ed", "ing", "er", "ers")
_AFTER_DROPPED_E = ("ed", "ing", "er", "ers")  # fire -> fired, firing
_VOWELS = frozenset("aeiou")


@dataclass(frozen=True)
class Route:
    category: Category
    routed_by: Literal["given", "keyword", "fallback"]
    keyword: str | None = None
    priority: int = 0


def route(description: str, given_category: str | None, policy: Policy) -> Route:
    """The category a complaint goes to, and the keyword that decided it (if one did)."""
    if given_category is not None:
        return Route(policy.category(given_category), "given")
    text = description.casefold()
    best: tuple[tuple[int, int], Category, str, int] | None = None
    for category in policy.categories.values():
        for keyword, priority in category.keyword_priorities().items():
            rank = (priority, len(keyword))
            if (best is None or rank > best[0]) and mentions(text, keyword):
                best = (rank, category, keyword, priority)
    if best is not None:
        return Route(best[1], "keyword", best[2], best[3])
    return Route(policy.category(policy.fallback_category), "fallback")


def serious_word_in(description: str, policy: Policy) -> str | None:
    """P-12: the longest of the policy's serious words the description mentions, if any."""
    text = description.casefold()
    found: str | None = None
    for word in policy.routing.serious_words:
        if (found is None or len(word) > len(found)) and mentions(text, word):
            found = word
    return found


def mentions(text: str, keyword: str) -> bool:
    """Whether casefolded ``text`` contains ``keyword`` (Latin: as a whole word, inflected)."""
    keyword = keyword.casefold()
    if not keyword:
        return False
    if keyword.isascii():
        return _english_pattern(keyword).search(text) is not None
    return keyword in text


@lru_cache(maxsize=4096)
def _english_pattern(keyword: str) -> re.Pattern[str]:
    forms = sorted(word_forms(keyword), key=len, reverse=True)
    alternatives = "|".join(re.escape(form) for form in forms)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


def word_forms(keyword: str) -> frozenset[str]:
    """The simple English forms of a (lower-case) keyword: its last word inflected."""
    head, _, last = keyword.rpartition(" ")
    prefix = f"{head} " if head else ""
    if not last.isalpha():
        return frozenset({keyword})
    forms = {last, *(last + suffix for suffix in _SUFFIXES)}
    if last.endswith("e") and len(last) > 2:
        forms |= {last[:-1] + suffix for suffix in _AFTER_DROPPED_E}
    if _ends_consonant_vowel_consonant(last):
        forms |= {last + last[-1] + suffix for suffix in _AFTER_DROPPED_E}
    if len(last) > 2 and last.endswith("y") and last[-2] not in _VOWELS:
        forms |= {last[:-1] + "ies", last[:-1] + "ied"}
    return frozenset(prefix + form for form in forms)


def _ends_consonant_vowel_consonant(word: str) -> bool:
    # stop -> stopped, drip -> dripping; not "leak" (two vowels) nor "flow" (w)
    return (len(word) >= 3 and word[-1] not in _VOWELS and word[-1] not in "wxy"
            and word[-2] in _VOWELS and word[-3] not in _VOWELS)
