"""Request-model building blocks: bounded text, phone numbers, strict bodies."""

import re
from typing import Annotated, Any

from fastapi import Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

# Control characters (NUL above all: PostgreSQL cannot store it) are refused;
# line breaks and tabs are fine in long text.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_SHORT_CONTROL = r"\x00-\x1f\x7f"


def _text_rules(characters: str) -> tuple[AfterValidator, Any]:
    """Refuse control characters with a plain message; publish in the OpenAPI schema
    what validation does: no control characters, and (text being stripped, then
    at least one character long) at least one character that is not whitespace."""
    found = re.compile(f"[{characters}]")

    def check(value: str) -> str:
        if found.search(value):
            raise PydanticCustomError("control_character", "control characters are not allowed")
        return value

    # A client reading the schema (or a fuzzer such as schemathesis) learns the
    # rules. No lookahead (not every regex engine has one): any allowed
    # characters, one that is neither whitespace nor control, any allowed.
    allowed, visible = f"[^{characters}]*", f"[^\\s{characters}]"
    return AfterValidator(check), Field(
        json_schema_extra={"pattern": f"^{allowed}{visible}{allowed}$"}
    )


ShortText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    *_text_rules(_SHORT_CONTROL),
]
LongText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, strip_whitespace=True),
    *_text_rules(_CONTROL),
]
# A free-text query parameter (a filter): the same limits as ShortText.
QueryText = Annotated[str, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


def _not_bool_or_text(value: object) -> object:
    # JSON's 2.0 is a whole number (JSON Schema agrees); true and "5" are not.
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "a whole number is expected")
    return value


# An integer field that refuses booleans and numeric strings (lax pydantic takes both).
WholeNumber = Annotated[int, BeforeValidator(_not_bool_or_text)]

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
