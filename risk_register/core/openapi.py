"""OpenAPI details Litestar's own generation gets wrong or cannot express."""

from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING, Any

import structlog
from litestar.openapi.spec import Operation, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin
from litestar.plugins.pydantic import PydanticSchemaPlugin

from risk_register.core.schemas import InputModel

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition


@dataclasses.dataclass
class PublicOperation(Operation):
    """An operation anyone may call, signed in or not: its ``security: []`` overrides the document-wide bearer
    requirement. Litestar drops a handler's empty ``security=[]``, so without this the operation would claim to
    need a token. Use as ``operation_class=PublicOperation`` on the handlers the authentication middleware
    lets through (accounts/middleware.py PUBLIC_PATHS)."""

    def __post_init__(self) -> None:
        self.security = []


# JSON Schema keyword -> attribute of Litestar's Schema.
_KEYWORDS = {
    field.metadata.get("alias") or "".join(p if i == 0 else p.title() for i, p in enumerate(field.name.split("_"))): (
        field.name
    )
    for field in dataclasses.fields(Schema)
}
# Constraints pydantic writes under its own names when it cannot fold them into the type's schema (a bound on an
# int behind a BeforeValidator, as in core.schemas.WholeNumber).
_PYDANTIC_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusive_minimum", "lt": "exclusive_maximum"}
# Pydantic's Decimal constraints: JSON Schema has no exact equivalent (core.schemas.Money states its own schema).
_DROPPED = frozenset({"max_digits", "decimal_places"})
_SUBSCHEMA = frozenset({"items", "not", "if", "then", "else", "contains", "propertyNames", "additionalProperties"})
_SUBSCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SUBSCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})
_FORMATS = {f.value for f in OpenAPIFormat}

log = structlog.get_logger(__name__)


def _inline(value: Any, definitions: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """``value`` with every ``$ref`` to ``#/$defs/...`` replaced by the definition (siblings kept)."""
    if isinstance(value, list):
        return [_inline(item, definitions, seen) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: _inline(item, definitions, seen) for key, item in value.items() if key != "$ref"}
    if "$ref" in value:
        name = value["$ref"].removeprefix("#/$defs/")
        if name in seen or name not in definitions:
            raise ValueError(f"cannot inline the JSON Schema reference {value['$ref']!r}")
        return {**_inline(definitions[name], definitions, (*seen, name)), **result}
    return result


def _to_schema(value: dict[str, Any]) -> Schema:
    kwargs: dict[str, Any] = {}
    for key, item in value.items():
        if key in _DROPPED:
            continue
        name = _PYDANTIC_KEYWORDS.get(key) or _KEYWORDS.get(key)
        if name is None:
            raise ValueError(f"JSON Schema keyword {key!r} has no OpenAPI equivalent here")
        if key in _SUBSCHEMA and isinstance(item, dict):
            item = _to_schema(item)
        elif key in _SUBSCHEMA_LISTS:
            item = [_to_schema(sub) for sub in item]
        elif key in _SUBSCHEMA_MAPS:
            item = {prop: _to_schema(sub) for prop, sub in item.items()}
        elif key == "type":
            item = [OpenAPIType(t) for t in item] if isinstance(item, list) else OpenAPIType(item)
        elif key == "format" and item in _FORMATS:
            item = OpenAPIFormat(item)
        kwargs[name] = item
    return Schema(**kwargs)


class InputModelSchemaPlugin(OpenAPISchemaPlugin):
    """Request bodies (core.schemas.InputModel) are described by pydantic's own JSON schema, which is what the
    server validates them with. Litestar's generic pydantic support drops constraints it does not know
    (``Field(pattern=...)``, any constraint on an optional field) and never says ``additionalProperties: false``,
    so the schema promised more than the server accepts. Register it before PydanticPlugin."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return isinstance(value, type) and issubclass(value, InputModel)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        model: type[InputModel] = field_definition.annotation
        document = copy.deepcopy(model.model_json_schema(mode="validation"))
        definitions = document.pop("$defs", {})
        try:
            described = _to_schema(_inline(document, definitions))
        except ValueError as exc:
            # Something this translation does not know (a recursive model, a keyword with no OpenAPI form):
            # describe the model as Litestar would rather than fail the whole document.
            log.warning("openapi_input_schema_fallback", model=model.__name__, error=str(exc))
            return PydanticSchemaPlugin().to_openapi_schema(field_definition, schema_creator)
        # Registered as a component under the model's name, like every other schema Litestar makes.
        schema = schema_creator.schema_registry.get_schema_for_field_definition(field_definition)
        for field in dataclasses.fields(Schema):
            setattr(schema, field.name, getattr(described, field.name))
        return schema
