"""P-6: deciding which department a complaint concerns.

By the category the desk gave; else by the policy's keywords (Chinese and
English) found in the description, the longest match winning (so
"楼道灯" beats "灯"), ties going to the category listed first; else to the
policy's fallback category (customer-service triage by default). Latin-script
keywords match whole words only ("lift" is not in "shoplifting"); Chinese has
no spaces between words, so Chinese keywords match anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.policy import Category, Policy


@dataclass(frozen=True)
class Route:
    category: Category
    routed_by: Literal["given", "keyword", "fallback"]
    keyword: str | None = None


def route(description: str, given_category: str | None, policy: Policy) -> Route:
    if given_category is not None:
        return Route(policy.category(given_category), "given")
    text = description.casefold()
    best: tuple[int, Category, str] | None = None
    for category in policy.categories.values():
        for keyword in category.keywords:
            if _mentions(text, keyword) and (best is None or len(keyword) > best[0]):
                best = (len(keyword), category, keyword)
    if best is not None:
        return Route(best[1], "keyword", best[2])
    return Route(policy.category(policy.fallback_category), "fallback")


def _mentions(text: str, keyword: str) -> bool:
    keyword = keyword.casefold()
    if not keyword:
        return False
    if keyword.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(keyword)}(?![a-z0-9])", text) is not None
    return keyword in text
