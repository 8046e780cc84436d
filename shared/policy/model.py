"""The policy's model: categories, commitments, fees and thresholds, validated.

contract.md, "Policy"; architecture.md, "Policy (configuration, not code)".
The shipped default (``default_policy.toml`` beside this module) restates
procedure.md, "Default categories"; ``COMPLAINTS_POLICY`` names a replacement.
Every problem in a policy is a :class:`PolicyError` naming the key in TOML
terms (``categories."repair.in_unit".department: ...``), one line per problem,
so whoever edits the file can find the line; shared.policy.errors words them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from shared.policy.errors import KeyedProblems
from shared.vocabulary import DEPARTMENTS, PAID_MODES, Department, PaidMode

DEFAULT_POLICY_FILE = "default_policy.toml"

_Text = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]
_Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
_CENT = Decimal("0.01")
_MAX_MINUTES = Decimal(int(timedelta.max.total_seconds()) // 60)


class PolicyError(ValueError):
    """A policy that cannot be used; each line names the key (or the file) at fault."""

    def __init__(self, problems: str | Sequence[str], source: str | None = None) -> None:
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        self.source = source
        lines = [f"{source}: {p}" for p in self.problems] if source else list(self.problems)
        super().__init__("\n".join(lines))


class UnknownCategory(LookupError):
    def __init__(self, category_id: str) -> None:
        super().__init__(f"unknown category {category_id!r}")
        self.category_id = category_id


class UnknownFee(LookupError):
    def __init__(self, fee_id: str) -> None:
        super().__init__(f"unknown fee {fee_id!r}")
        self.fee_id = fee_id


def _decimal(value: object, expected: str) -> Decimal:
    """An exact Decimal from a TOML integer, float or string; never from a bool."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest repr: 90.5 -> Decimal("90.5")
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not {expected}") from None
    else:
        raise ValueError(f"{value!r} is not {expected}")
    if not number.is_finite():
        raise ValueError(f"{value!r} is not {expected}")
    return number


class _PolicyModel(BaseModel):
    # extra="forbid": a misspelt key is an error, never silently a default.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(_PolicyModel):
    id: _Text
    name_zh: _Text
    name_en: _Text
    department: Department
    paid: PaidMode = "free"
    commitment_minutes: Decimal
    keywords: tuple[_Text, ...] = ()
    mail_check: StrictBool = False
    # P-6: words that outrank every plain keyword (priority 0), word -> priority;
    # the highest priority wins, then the longest word (shared.domain.routing).
    priority_keywords: dict[_Text, Annotated[StrictInt, Field(ge=1, le=100)]] = Field(
        default_factory=dict)

    @field_validator("department", mode="before")
    @classmethod
    def _known_department(cls, value: object) -> object:
        if value not in DEPARTMENTS:
            raise ValueError(f"unknown department {value!r} (one of {', '.join(DEPARTMENTS)})")
        return value

    @field_validator("paid", mode="before")
    @classmethod
    def _known_paid_mode(cls, value: object) -> object:
        if value not in PAID_MODES:
            raise ValueError(f"unknown paid mode {value!r} (one of {', '.join(PAID_MODES)})")
        return value

    @field_validator("commitment_minutes", mode="before")
    @classmethod
    def _positive_minutes(cls, value: object) -> Decimal:
        minutes = _decimal(value, "a number of minutes, such as 1440")
        if minutes <= 0 or _microseconds(minutes) <= 0:
            raise ValueError(f"must be more than 0 minutes, got {value!r}")
        if minutes > _MAX_MINUTES:
            raise ValueError(f"{value!r} minutes is too long to be a commitment")
        return minutes

    def keyword_priorities(self) -> dict[str, int]:
        """Every routing word of the category with its priority (plain keywords: 0)."""
        return {**dict.fromkeys(self.keywords, 0), **self.priority_keywords}

    @property
    def commitment(self) -> timedelta:
        """The service commitment (P-14): due time = dispatch + this, without a booking."""
        return timedelta(microseconds=_microseconds(self.commitment_minutes))


def _microseconds(minutes: Decimal) -> int:
    # timedelta refuses a Decimal; whole microseconds keep 90.5 minutes exact.
    return int((minutes * 60_000_000).to_integral_value(ROUND_HALF_EVEN))


class Fee(_PolicyModel):
    id: _Text
    name_zh: _Text
    name_en: _Text
    price: Decimal  # CNY, always with 2 decimal places

    @field_validator("price", mode="before")
    @classmethod
    def _price_in_fen(cls, value: object) -> Decimal:
        if isinstance(value, float):
            raise ValueError(
                f'write the price as a string, e.g. "{value:.2f}": a TOML float is not exact'
            )
        price = _decimal(value, 'a price (a decimal string such as "30.00")')
        if price < 0:
            raise ValueError(f"must not be negative, got {value!r}")
        try:
            in_fen = price.quantize(_CENT)
        except InvalidOperation:
            raise ValueError(f"{value!r} is too large to be a price") from None
        if in_fen != price:
            raise ValueError(f"at most 2 decimal places (fen), got {value!r}")
        return in_fen + 0  # + 0 turns "-0.00" into "0.00"


class Alerts(_PolicyModel):
    """Thresholds of the warnings, chases, auto-close and P-17 flags.

    ``warn_at_share``, ``chase_every_minutes`` and ``auto_close_after_days``
    are read by ``shared/domain/chasing.py`` (P-9 B), which the dispatcher's
    chase scheduler asks on a timer; ``timely_rate_drop_points`` and
    ``satisfaction_floor`` by the monthly report's P-17 alerts
    (``shared.domain.analysis``). Every key is documented in contract.md
    ("Policy"): a misspelt one is refused rather than silently ignored.
    """

    timely_rate_drop_points: _Number = Field(default=5.0, ge=0)
    satisfaction_floor: _Number = Field(default=4.0, ge=0, le=5)
    warn_at_share: _Number = Field(default=0.8, gt=0, le=1)
    chase_every_minutes: StrictInt = Field(default=60, gt=0)
    auto_close_after_days: StrictInt = Field(default=7, gt=0)


class Routing(_PolicyModel):
    """P-6, P-12: routing words that are not one category's keywords."""

    # Found in a description, one of these makes the complaint serious (P-12)
    # whatever the registration said: leadership hears of it at once.
    serious_words: tuple[_Text, ...] = ()


class Limits(_PolicyModel):
    kiosk_burst: StrictInt = Field(default=30, ge=1)
    kiosk_per_second: _Number = Field(default=1.0, gt=0)
    staff_burst: StrictInt = Field(default=200, ge=1)
    staff_per_second: _Number = Field(default=20.0, gt=0)


class Policy(_PolicyModel):
    timezone: Annotated[str, Strict()] = "Asia/Shanghai"
    fallback_category: Annotated[str, Strict()]
    communities: tuple[_Text, ...] | None = None
    categories: dict[Annotated[str, Strict()], Category] = Field(min_length=1)
    fees: dict[Annotated[str, Strict()], Fee] = Field(default_factory=dict)
    alerts: Alerts = Field(default_factory=Alerts)
    limits: Limits = Field(default_factory=Limits)
    routing: Routing = Field(default_factory=Routing)

    @model_validator(mode="before")
    @classmethod
    def _ids_from_table_keys(cls, data: Any) -> Any:
        # [categories."repair.in_unit"] is the category repair.in_unit: the key is its id.
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for table in ("categories", "fees"):
            entries = data.get(table)
            if isinstance(entries, Mapping):
                data[table] = {
                    key: {"id": key, **entry} if isinstance(entry, Mapping) else entry
                    for key, entry in entries.items()
                }
        return data

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)"
            ) from None
        return value

    @field_validator("communities")
    @classmethod
    def _some_communities(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and not value:
            raise ValueError("leave it out, or name at least one community")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        problems: list[tuple[tuple[str, ...], str]] = []
        tables: tuple[tuple[str, Mapping[str, Category | Fee]], ...] = (
            ("categories", self.categories),
            ("fees", self.fees),
        )
        for table, entries in tables:
            problems += [
                ((table, key, "id"), f"{entry.id!r} differs from the table key; leave id out")
                for key, entry in entries.items()
                if entry.id != key
            ]
        problems += [
            (("categories", key, "priority_keywords", word),
             "also in this category's keywords; list it once")
            for key, category in self.categories.items()
            for word in category.priority_keywords
            if word.casefold() in {w.casefold() for w in category.keywords}
        ]
        if self.fallback_category not in self.categories:
            problems.append(
                (
                    ("fallback_category",),
                    f"{self.fallback_category!r} is not a category "
                    f"(one of {', '.join(self.categories)})",
                )
            )
        if problems:
            raise KeyedProblems(problems)
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def category(self, category_id: str) -> Category:
        try:
            return self.categories[category_id]
        except KeyError:
            raise UnknownCategory(category_id) from None

    def fee(self, fee_id: str) -> Fee:
        try:
            return self.fees[fee_id]
        except KeyError:
            raise UnknownFee(fee_id) from None
