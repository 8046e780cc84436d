"""Request-model building blocks: bounded text, phone numbers, strict bodies."""

import re
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

# Control characters (NUL above all: PostgreSQL cannot store it) are refused;
# line breaks and tabs are fine in long text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SHORT_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _no_control(pattern: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        if pattern.search(value):
            raise PydanticCustomError("control_character", "control characters are not allowed")
        return value

    return AfterValidator(check)


ShortText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    _no_control(_SHORT_CONTROL),
]
LongText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, strip_whitespace=True),
    _no_control(_CONTROL),
]
# A free-text query parameter (a filter): the same limits as ShortText.
QueryText = Annotated[str, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]

_MOBILE = re.compile(r"1\d{10}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}|\(0\d{2,3}\)\d{7,8}")
_PHONE_HELP = (
    "a mainland mobile (11 digits starting with 1, e.g. 13800138000) or a landline "
    "with its area code (e.g. 0755-86001234, 075586001234 or (0755)86001234)"
)


def _phone(value: str) -> str:
    number = "".join(value.split())
    if _MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number):
        return number
    # A custom error keeps pydantic's "Value error, " prefix out of the message.
    raise PydanticCustomError("phone", _PHONE_HELP)


Phone = Annotated[
    str,
    AfterValidator(_phone),
    Field(description=f"{_PHONE_HELP}; spaces are ignored", examples=["13800138000"]),
]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")
