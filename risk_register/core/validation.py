"""Request bodies validated by pydantic with every failure a 422 that names the field as the client sent it.

Litestar turns a pydantic error into a message keyed by the field's name and then guesses where the field came
from by that name alone: a body field named like a path parameter (``site_id``) becomes a 400 about the path,
and one named like an injected dependency (``version``, ``context``, ``sites``) makes Litestar believe its own
dependency failed and answer 500. Decoding InputModel bodies here, before Litestar's pydantic decoder, keeps the
body's errors the body's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.plugins.pydantic import PydanticInitPlugin
from pydantic import ValidationError

from risk_register.core.errors import FieldProblem, InvalidBody
from risk_register.core.schemas import InputModel


def _is_input_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, InputModel)


def decode_input_model(model: type[InputModel], value: Any) -> InputModel:
    try:
        return model.model_validate(value, strict=False)
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(str(part) for part in error["loc"]) or "body", error["msg"])
            for error in exc.errors(include_url=False, include_input=False)
        ]
        # Not a ValueError: msgspec would wrap one, and Litestar would classify it as above.
        raise InvalidBody("; ".join(f"{p.field}: {p.reason}" for p in problems), problems) from exc


class BodyValidationPlugin(PydanticInitPlugin):
    """Litestar's pydantic support with InputModel bodies decoded by ``decode_input_model``. Register it with
    PydanticSchemaPlugin and PydanticDIPlugin in place of PydanticPlugin (which would add the stock one)."""

    @classmethod
    def decoders(cls, validate_strict: bool = False) -> list[tuple[Callable[[Any], bool], Callable[[Any, Any], Any]]]:
        return [(_is_input_model, decode_input_model), *super().decoders(validate_strict=validate_strict)]
