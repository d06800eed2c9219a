"""Base pydantic models and field types shared by every domain's request and response bodies."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    # JSON has no date type: accept exactly YYYY-MM-DD and nothing looser (pydantic's lax mode would take
    # a number as a Unix timestamp, "20240101" too).
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date in YYYY-MM-DD form")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("is not a real calendar date") from exc


def _money(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:  # pragma: no cover - str(float) is always a valid Decimal
        raise ValueError("must be a number") from exc
    if not amount.is_finite():
        raise ValueError("must be a finite number")
    return amount


def _whole_number(value: Any) -> Any:
    # Litestar calls model_validate(strict=False), which overrides pydantic's Strict(): refuse by hand the
    # values lax mode would coerce (true, 3.0, "3").
    if type(value) is not int:
        raise ValueError("must be a whole number")
    return value


def _true_or_false(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Flag = Annotated[bool, BeforeValidator(_true_or_false)]
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
# The JSON schema states what _money and the constraints accept: a JSON number (never a string), at most 14
# digits of which 2 after the point (pydantic's own schema would offer strings and non-standard keywords).
Money = Annotated[
    Decimal,
    BeforeValidator(_money),
    Field(ge=0, max_digits=14, decimal_places=2),
    WithJsonSchema(
        {"type": "number", "minimum": 0, "maximum": 999_999_999_999.99, "multipleOf": 0.01}, mode="validation"
    ),
]
# Input strings are stripped (InputModel), so "at least one character" means one that str.strip() keeps: the
# class lists exactly the characters Python counts as whitespace (regex \s differs between Python, JSON Schema
# and Rust: \x1c-\x1f and \x85 are spaces to str.strip() only).
_NOT_SPACE = r"[^\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=_NOT_SPACE)]
ShortText = Annotated[str, Field(min_length=1, max_length=200, pattern=_NOT_SPACE)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class InputModel(BaseModel):
    """A request body: unknown fields refused, nothing coerced.

    Not ``strict=True`` model-wide: Litestar validates decoded Python objects, where strict mode would refuse
    enum values and UUIDs given as JSON strings. Instead the coercing types are made strict one by one:
    integers use WholeNumber (no ``true`` or ``"3"`` for a number), dates use IsoDate, money uses Money;
    pydantic already refuses numbers for strings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total number of matching records."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PatchModel(InputModel):
    """A partial update: omitted fields stay as they are; ``null`` clears a field only where the field may
    be empty (listed in ``clearable``)."""

    clearable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.clearable:
            raise ValueError("may not be null")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The JSON schema offers ``null`` only for the ``clearable`` fields, as _refuse_null does."""
        json_schema = handler(core_schema)
        model_schema = handler.resolve_ref_schema(json_schema)
        for name, field_schema in model_schema.get("properties", {}).items():
            options = field_schema.get("anyOf")
            if name in cls.clearable or not options or {"type": "null"} not in options:
                continue
            kept = [option for option in options if option != {"type": "null"}]
            rest = {k: v for k, v in field_schema.items() if k not in ("anyOf", "default")}
            field_schema.clear()
            field_schema.update({**kept[0], **rest} if len(kept) == 1 else {"anyOf": kept, **rest})
        return json_schema

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)
