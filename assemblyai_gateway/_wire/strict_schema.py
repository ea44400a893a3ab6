"""One rule for strict structured output: a schema sent with ``strict: true`` is strict-valid.

OpenAI's strict mode, which the gateway passes on, refuses a schema unless every object
in it has ``additionalProperties: false`` and lists every property in ``required``.
Callers hand us schemas that are not: LangChain's ``create_agent`` with
``ProviderStrategy(..., strict=True)``, a pydantic model with optional fields, a JSON
schema written by hand, LlamaIndex tools bound with ``strict=True``. ChatOpenAI
normalises them; so does :func:`with_strict_schemas`, which the core applies to every
request it validates (so to both adapters, the bulk runner and direct client calls):

* ``response_format.json_schema.schema`` when ``json_schema.strict`` is true;
* each tool's ``function.parameters`` when ``function.strict`` is true.

Every object schema, at any depth (``properties``, ``items``, ``prefixItems``,
``anyOf``/``oneOf``/``allOf``, ``$defs``/``definitions``, ``not``), gets
``additionalProperties: false`` and ``required`` listing all its properties, as
ChatOpenAI and the OpenAI SDK do: an optional field becomes one the model must fill
(a pydantic ``X | None`` field can still be ``null``). A schema-valued
``additionalProperties`` (a free-form mapping) becomes ``false``: strict mode has no
free-form objects. The caller's schema is never changed; parts that need no change are
shared, and an already strict-valid schema is returned as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .types import ChatCompletionRequest

__all__ = ["strict_json_schema", "with_strict_schemas"]

_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
# Keys holding one schema or a list of them.
_SCHEMA_VALUES = ("items", "not", "anyOf", "oneOf", "allOf", "prefixItems")


def _is_object(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    return (
        kind == "object"
        or (isinstance(kind, list) and "object" in kind)
        or ("properties" in schema)
    )


def strict_json_schema(schema: Any) -> Any:
    """``schema`` with every object in it strict-valid (the same object when it already is).

    Examples:
        >>> strict_json_schema({"type": "object", "properties": {"a": {"type": "string"}}})
        {'type': 'object', 'properties': {'a': {'type': 'string'}}, 'additionalProperties': \
False, 'required': ['a']}
        >>> tags = {"type": "array", "items": {"type": "object", "properties": {}}}
        >>> strict_json_schema(tags)["items"]
        {'type': 'object', 'properties': {}, 'additionalProperties': False}
    """
    if isinstance(schema, list):  # anyOf and the like, or the old tuple form of "items"
        items = [strict_json_schema(member) for member in schema]
        return schema if all(a is b for a, b in zip(items, schema, strict=True)) else items
    if not isinstance(schema, Mapping):
        return schema
    changes: dict[str, Any] = {}
    for key in _SCHEMA_MAPS:
        members = schema.get(key)
        if isinstance(members, Mapping):
            strict = {name: strict_json_schema(member) for name, member in members.items()}
            if any(strict[name] is not member for name, member in members.items()):
                changes[key] = strict
    for key in _SCHEMA_VALUES:
        if key in schema and (strict_value := strict_json_schema(schema[key])) is not schema[key]:
            changes[key] = strict_value
    if _is_object(schema):
        if schema.get("additionalProperties") is not False:
            changes["additionalProperties"] = False
        properties = schema.get("properties")
        names = list(properties) if isinstance(properties, Mapping) else []
        if set(schema.get("required") or ()) != set(names):
            changes["required"] = names
    if not changes and isinstance(schema, dict):
        return schema
    return {**schema, **changes}


def with_strict_schemas(request: ChatCompletionRequest) -> ChatCompletionRequest:
    """``request`` with each schema flagged ``strict`` made strict-valid (a copy if any changed).

    Examples:
        >>> request = ChatCompletionRequest.model_validate({
        ...     "model": "gpt-5", "messages": [{"role": "user", "content": "Hi"}],
        ...     "response_format": {"type": "json_schema", "json_schema": {
        ...         "name": "Tag", "strict": True,
        ...         "schema": {"type": "object", "properties": {"tag": {"type": "string"}}}}},
        ... })
        >>> with_strict_schemas(request).response_format.json_schema.schema_["required"]
        ['tag']
    """
    update: dict[str, Any] = {}
    response_format = request.response_format
    config = response_format.json_schema if response_format is not None else None
    if config is not None and config.strict:
        schema = strict_json_schema(config.schema_)
        if schema is not config.schema_:
            new_config = config.model_copy(update={"schema_": schema})
            update["response_format"] = response_format.model_copy(  # type: ignore[union-attr]
                update={"json_schema": new_config}
            )
    if request.tools:
        tools = []
        for tool in request.tools:
            function = tool.function
            parameters = strict_json_schema(function.parameters) if function.strict else None
            if parameters is None or parameters is function.parameters:
                tools.append(tool)
                continue
            strict_function = function.model_copy(update={"parameters": parameters})
            tools.append(tool.model_copy(update={"function": strict_function}))
        if any(new is not old for new, old in zip(tools, request.tools, strict=True)):
            update["tools"] = tools
    return request.model_copy(update=update) if update else request
