"""Request validation: every problem in a request body, as gateway field errors.

All checks run (nothing stops at the first error), and the result feeds the 400 body
``{"error": {"code": 400, "message": "Invalid request", "metadata": {"errors": [...]}}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assemblyai_gateway.catalog import ModelInfo, table_model_info

from ._extras import check_schema

__all__ = ["FieldError", "streams_natively", "unknown_model_message", "validate_request"]

FieldError = dict[str, str]
Json = dict[str, Any]

_ROLES = ("user", "assistant", "system", "tool")
_TOOL_CHOICES = ("none", "auto", "required")
_RESPONSE_FORMATS = ("json_schema", "json_object", "text")
_POST_PROCESSING = ("json-repair",)
_CACHE_TTLS = ("5m", "1h")
_MISSING = object()


Lookup = Callable[[str], ModelInfo]


def streams_natively(model: str, lookup: Lookup = table_model_info) -> bool:
    """Models that list ``stream`` (OpenAI's, and models a test added so) stream over SSE;
    unknown ids do when they look like ``gpt-*``."""
    info = lookup(model)
    return info.native_streaming if info.known else model.startswith("gpt-")


def unknown_model_message(model: str) -> str:
    """The field error for an id outside the catalog: it names the switch that allows it."""
    return (
        f"unknown model {model!r}: the emulator serves catalog ids only; to serve any id, "
        "start it with --accept-any-model (in Python: GatewayEmulator(accept_any_model=True), "
        "or set emulator.accept_any_model = True)"
    )


def validate_request(
    body: object,
    *,
    accept_any_model: bool,
    transcripts: Mapping[str, str],
    lookup: Lookup = table_model_info,
) -> list[FieldError]:
    """Every field error in ``body``; an empty list means the request is valid.

    Each fallback is checked as the request it becomes (the primary with the
    fallback's overrides); its new problems are reported as ``fallbacks[i].<field>``.
    """
    if not isinstance(body, dict):
        return [_error("body", "must be a JSON object")]
    errors = _check(body, accept_any_model, transcripts, lookup)
    fallbacks = body.get("fallbacks")
    if isinstance(fallbacks, list):
        seen = {(e["field"], e["message"]) for e in errors}
        for index, fallback in enumerate(fallbacks):
            if not isinstance(fallback, dict) or not isinstance(fallback.get("model"), str):
                continue
            for error in _check({**body, **fallback}, accept_any_model, transcripts, lookup):
                if (error["field"], error["message"]) not in seen:
                    errors.append(_error(f"fallbacks[{index}].{error['field']}", error["message"]))
    return errors


def _error(field: str, message: str) -> FieldError:
    return {"field": field, "message": message}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(
    req: Json, accept_any_model: bool, transcripts: Mapping[str, str], lookup: Lookup
) -> list[FieldError]:
    errors: list[FieldError] = []
    model = req.get("model")
    known_model = False
    if model is None:
        errors.append(_error("model", "is required"))
    elif not isinstance(model, str) or not model:
        errors.append(_error("model", "must be a non-empty string"))
    elif not lookup(model).known and not accept_any_model:
        errors.append(_error("model", unknown_model_message(model)))
    else:
        known_model = True
    model_id = model if known_model and isinstance(model, str) else None

    errors += _check_conversation(req)
    errors += _check_sampling(req, model_id, lookup)
    errors += _check_tools(req)
    errors += _check_response_format(req, model_id, lookup)
    errors += _check_gateway_extras(req, transcripts)
    return errors


def _check_conversation(req: Json) -> list[FieldError]:
    errors: list[FieldError] = []
    messages = req.get("messages", _MISSING)
    prompt = req.get("prompt", _MISSING)
    if prompt is not _MISSING and not isinstance(prompt, str):
        errors.append(_error("prompt", "must be a string"))
    if messages is _MISSING:
        if prompt is _MISSING:
            errors.append(_error("messages", "either messages or prompt is required"))
        return errors
    if not isinstance(messages, list):
        errors.append(_error("messages", "must be a list of messages"))
        return errors
    if not messages and prompt is _MISSING:
        errors.append(_error("messages", "must contain at least one message"))
    for index, message in enumerate(messages):
        errors += _check_message(message, f"messages[{index}]")
    return errors


def _check_message(message: object, field: str) -> list[FieldError]:
    if not isinstance(message, dict):
        return [_error(field, "must be an object with role and content")]
    errors: list[FieldError] = []
    role = message.get("role")
    content = message.get("content", _MISSING)
    if role not in _ROLES:
        errors.append(_error(f"{field}.role", f"must be one of {', '.join(_ROLES)}"))
    if "name" in message and not isinstance(message["name"], str):
        errors.append(_error(f"{field}.name", "must be a string"))
    if role == "tool":
        call_id = message.get("tool_call_id")
        if not isinstance(call_id, str) or not call_id:
            errors.append(_error(f"{field}.tool_call_id", "is required for tool messages"))
    if role == "assistant" and "tool_calls" in message:
        errors += _check_history_calls(message["tool_calls"], f"{field}.tool_calls")
    if "thinking" in message:
        if role != "assistant":
            errors.append(_error(f"{field}.thinking", "is for assistant turns only"))
        elif not isinstance(message["thinking"], str):
            errors.append(_error(f"{field}.thinking", "must be a string"))
    if "cache_control" in message:
        errors += _check_cache_control(message["cache_control"], f"{field}.cache_control")
    # An assistant turn that only calls tools carries content null.
    if role == "assistant" and content in (None, _MISSING) and message.get("tool_calls"):
        return errors
    if content is _MISSING:
        errors.append(_error(f"{field}.content", "is required"))
    else:
        errors += _check_content(content, f"{field}.content")
    return errors


def _check_content(content: object, field: str) -> list[FieldError]:
    if isinstance(content, str):
        return []
    if not isinstance(content, list):
        return [_error(field, "must be a string or a list of text parts")]
    errors: list[FieldError] = []
    for index, part in enumerate(content):
        part_field = f"{field}[{index}]"
        if not isinstance(part, dict):
            errors.append(_error(part_field, "must be a text part object"))
        elif part.get("type") != "text":
            errors.append(
                _error(
                    part_field, f"only text content parts are supported, got {part.get('type')!r}"
                )
            )
        elif not isinstance(part.get("text"), str):
            errors.append(_error(f"{part_field}.text", "must be a string"))
        elif "cache_control" in part:
            errors += _check_cache_control(part["cache_control"], f"{part_field}.cache_control")
    return errors


def _check_cache_control(control: object, field: str) -> list[FieldError]:
    """A prompt-caching breakpoint: ``{"type": "ephemeral", "ttl"?: "5m" | "1h"}``."""
    if not isinstance(control, dict) or control.get("type") != "ephemeral":
        return [_error(field, "must be an object like {type: 'ephemeral'}")]
    if control.get("ttl", "5m") not in _CACHE_TTLS:
        return [_error(f"{field}.ttl", f"must be one of {', '.join(_CACHE_TTLS)}")]
    return []


def _check_history_calls(calls: object, field: str) -> list[FieldError]:
    if not isinstance(calls, list):
        return [_error(field, "must be a list of tool calls")]
    errors: list[FieldError] = []
    for index, call in enumerate(calls):
        function = call.get("function") if isinstance(call, dict) else None
        if (
            not isinstance(call, dict)
            or not isinstance(call.get("id"), str)
            or not isinstance(function, dict)
            or not isinstance(function.get("name"), str)
            or not isinstance(function.get("arguments"), str)
        ):
            errors.append(
                _error(f"{field}[{index}]", "must be {id, type, function: {name, arguments}}")
            )
    return errors


def _check_sampling(req: Json, model: str | None, lookup: Lookup) -> list[FieldError]:
    errors: list[FieldError] = []
    if "max_tokens" in req:
        max_tokens = req["max_tokens"]
        limit = lookup(model).max_output_tokens if model else None
        if not _is_int(max_tokens):
            errors.append(_error("max_tokens", "must be an integer"))
        elif max_tokens < 1:
            errors.append(_error("max_tokens", "must be at least 1"))
        elif limit is not None and max_tokens > limit:
            errors.append(_error("max_tokens", f"must be at most {limit} for model {model}"))
    if "temperature" in req:
        temperature = req["temperature"]
        if not _is_number(temperature):
            errors.append(_error("temperature", "must be a number"))
        elif not 0 <= temperature <= 2:
            errors.append(_error("temperature", "must be between 0 and 2"))
    stream = req.get("stream", False)
    if not isinstance(stream, bool):
        errors.append(_error("stream", "must be a boolean"))
    elif stream and model is not None and not streams_natively(model, lookup):
        errors.append(
            _error("stream", f"streaming is not supported by {model} (it does not list stream)")
        )
    options = req.get("stream_options")
    if options is not None and (
        not isinstance(options, dict) or not isinstance(options.get("include_usage", False), bool)
    ):
        errors.append(_error("stream_options", "must be an object like {include_usage: bool}"))
    return errors


def _check_tools(req: Json) -> list[FieldError]:
    errors: list[FieldError] = []
    tools = req.get("tools")
    names: list[str] = []
    if tools is not None and not isinstance(tools, list):
        errors.append(_error("tools", "must be a list of tools"))
    for index, tool in enumerate(tools if isinstance(tools, list) else []):
        field = f"tools[{index}]"
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(tool, dict) or tool.get("type") != "function":
            errors.append(_error(f"{field}.type", "must be 'function'"))
        if not isinstance(function, dict):
            errors.append(_error(f"{field}.function", "is required"))
            continue
        name = function.get("name")
        if not isinstance(name, str) or not name:
            errors.append(_error(f"{field}.function.name", "must be a non-empty string"))
        else:
            names.append(name)
        parameters = function.get("parameters", _MISSING)
        if not isinstance(parameters, dict):
            errors.append(_error(f"{field}.function.parameters", "must be a JSON Schema object"))
        elif problem := check_schema(parameters):
            errors.append(_error(f"{field}.function.parameters", problem))

    choice = req.get("tool_choice")
    if choice is None:
        return errors
    if isinstance(choice, str):
        if choice not in _TOOL_CHOICES:
            errors.append(_error("tool_choice", "must be 'none', 'auto' or a function choice"))
        elif choice == "required" and not names:
            errors.append(_error("tool_choice", "'required' needs tools"))
        return errors
    function = choice.get("function") if isinstance(choice, dict) else None
    if (
        not isinstance(choice, dict)
        or choice.get("type") != "function"
        or not isinstance(function, dict)
        or not isinstance(function.get("name"), str)
    ):
        errors.append(_error("tool_choice", "must be {type: 'function', function: {name}}"))
    elif function["name"] not in names:
        errors.append(_error("tool_choice", f"names {function['name']!r}, which is not in tools"))
    return errors


def _check_response_format(req: Json, model: str | None, lookup: Lookup) -> list[FieldError]:
    if "response_format" not in req:
        return []
    fmt = req["response_format"]
    if not isinstance(fmt, dict) or fmt.get("type") not in _RESPONSE_FORMATS:
        return [_error("response_format.type", f"must be one of {', '.join(_RESPONSE_FORMATS)}")]
    if fmt["type"] == "text":
        return []
    errors: list[FieldError] = []
    if model is not None and not lookup(model).supports_json_schema:
        errors.append(_error("response_format", f"structured output is not supported by {model}"))
    if fmt["type"] == "json_schema":
        config = fmt.get("json_schema")
        if not isinstance(config, dict):
            return [*errors, _error("response_format.json_schema", "is required")]
        if not isinstance(config.get("name"), str):
            errors.append(_error("response_format.json_schema.name", "must be a string"))
        if "strict" in config and not isinstance(config["strict"], bool):
            errors.append(_error("response_format.json_schema.strict", "must be a boolean"))
        schema = config.get("schema")
        if not isinstance(schema, dict):
            errors.append(_error("response_format.json_schema.schema", "must be an object"))
        elif problem := check_schema(schema):
            errors.append(_error("response_format.json_schema.schema", problem))
    return errors


# The gateway's typed extras: a check of the value, and what the error says.
_TYPED_EXTRAS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "reasoning": (lambda v: isinstance(v, dict), "must be an object"),
    "zero_data_retention": (lambda v: isinstance(v, bool), "must be a boolean"),
    "model_region": (lambda v: isinstance(v, str), "must be a string"),
    "fail_fast": (lambda v: isinstance(v, bool), "must be a boolean"),
    "max_timeout": (lambda v: _is_number(v) and v > 0, "must be a positive number of seconds"),
}


def _check_gateway_extras(req: Json, transcripts: Mapping[str, str]) -> list[FieldError]:
    errors: list[FieldError] = [
        _error(name, message)
        for name, (valid, message) in _TYPED_EXTRAS.items()
        if req.get(name) is not None and not valid(req[name])
    ]
    if "transcript_id" in req:
        transcript_id = req["transcript_id"]
        if not isinstance(transcript_id, str):
            errors.append(_error("transcript_id", "must be a string"))
        elif transcript_id not in transcripts:
            errors.append(_error("transcript_id", f"transcript {transcript_id!r} was not found"))
    steps = req.get("post_processing_steps")
    if steps is not None:
        if not isinstance(steps, list):
            errors.append(_error("post_processing_steps", "must be a list"))
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if not isinstance(step, dict) or step.get("type") not in _POST_PROCESSING:
                errors.append(
                    _error(f"post_processing_steps[{index}].type", "must be 'json-repair'")
                )
    fallbacks = req.get("fallbacks")
    if fallbacks is not None:
        if not isinstance(fallbacks, list):
            errors.append(_error("fallbacks", "must be a list of {model, ...overrides}"))
        for index, fallback in enumerate(fallbacks if isinstance(fallbacks, list) else []):
            if not isinstance(fallback, dict) or not isinstance(fallback.get("model"), str):
                errors.append(_error(f"fallbacks[{index}].model", "is required"))
            elif {"fallbacks", "fallback_config"} & fallback.keys():
                errors.append(_error(f"fallbacks[{index}]", "cannot nest fallbacks"))
    config = req.get("fallback_config")
    if config is not None:
        if not isinstance(config, dict):
            errors.append(_error("fallback_config", "must be an object"))
        else:
            if not isinstance(config.get("retry", True), bool):
                errors.append(_error("fallback_config.retry", "must be a boolean"))
            depth = config.get("depth", 2)
            if not _is_int(depth) or not 0 <= depth <= 2:
                errors.append(_error("fallback_config.depth", "must be an integer from 0 to 2"))
    return errors
