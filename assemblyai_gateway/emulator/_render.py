"""Turning a :class:`~._model.Completion` into the gateway's JSON or SSE chunks (pure)."""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from ._details import usage_details
from ._model import Completion

__all__ = [
    "ErrorEnvelope",
    "ToolCallPlacement",
    "UsageStyle",
    "error_body",
    "render_chunks",
    "render_response",
]

Json = dict[str, Any]
UsageStyle = Literal["input_output", "prompt_completion"]
ToolCallPlacement = Literal["choice", "message"]
ErrorEnvelope = Literal["spec", "gateway"]

_WORD_PIECE = re.compile(r"\S+\s*|\s+")
_ARGUMENT_PIECES = 4


def error_body(
    code: int,
    message: str,
    metadata: Json | None = None,
    *,
    envelope: ErrorEnvelope = "spec",
    request_id: str | None = None,
) -> Json:
    """An error body in ``envelope``.

    ``"spec"``: the published spec's ``{"error": {"code", "message", "metadata"}}``.
    ``"gateway"``: the two the gateway sends today (its SDK reads both): a 401 from its
    auth layer is ``{"error": "<text>", "status", "request_id"}``, anything else
    ``{"message", "code", "request_id", "metadata"}``, with ``metadata.errors`` (the
    failed fields) as ``"field: problem"`` strings, as the SDK types them.
    """
    metadata = dict(metadata or {})
    if envelope == "spec":
        return {"error": {"code": code, "message": message, "metadata": metadata}}
    if code == 401:
        return {"error": message, "status": code, "request_id": request_id}
    if isinstance(metadata.get("errors"), list):
        metadata["errors"] = [_error_text(entry) for entry in metadata["errors"]]
    return {"message": message, "code": code, "request_id": request_id, "metadata": metadata}


def _error_text(entry: Any) -> str:
    if isinstance(entry, dict) and "message" in entry:
        field = entry.get("field")
        return f"{field}: {entry['message']}" if field else str(entry["message"])
    return str(entry)


def usage(completion: Completion, style: UsageStyle) -> Json:
    """Token counts named the way ``style`` says (the spec and the seed disagree).

    ``"input_output"`` is the gateway today: the spec's ``input_tokens``/
    ``output_tokens`` beside the ``prompt_tokens``/``completion_tokens`` its SDK
    requires. ``"prompt_completion"`` is the earlier revision's names only. The details
    (cache reads and writes, reasoning tokens) follow when they apply.
    """
    output = completion.output_tokens
    total = completion.input_tokens + output
    counts: Json = {
        "prompt_tokens": completion.input_tokens,
        "completion_tokens": output,
        "total_tokens": total,
    }
    if style == "input_output":
        counts = {"input_tokens": completion.input_tokens, "output_tokens": output, **counts}
    return {**counts, **usage_details(completion)}


def render_response(
    completion: Completion,
    served_request: Json,
    *,
    request_id: str,
    response_time_ns: int,
    usage_style: UsageStyle,
    tool_call_placement: ToolCallPlacement,
    empty_choices: bool = False,
) -> Json:
    """The 200 body; ``tool_calls`` is omitted (not ``[]``) when there are none."""
    message: Json = {"role": "assistant", "content": completion.content}
    if completion.thinking is not None:
        message["thinking"] = completion.thinking
    choice: Json = {"index": 0, "message": message, "finish_reason": completion.finish_reason}
    if completion.tool_calls:
        target = message if tool_call_placement == "message" else choice
        target["tool_calls"] = [dict(call) for call in completion.tool_calls]
    echo = {k: v for k, v in served_request.items() if k not in ("messages", "prompt")}
    return {
        "request_id": request_id,
        "model": served_request["model"],
        "choices": [] if empty_choices else [choice],
        "request": echo,
        "usage": usage(completion, usage_style),
        "http_status_code": 200,
        "response_time": response_time_ns,
        "llm_status_code": 200,
    }


def render_chunks(
    completion: Completion,
    *,
    request_id: str,
    model: str,
    created: int,
    include_usage: bool,
    empty_choices: bool = False,
) -> list[Json]:
    """OpenAI ``chat.completion.chunk`` events whose deltas add up to the same answer."""
    base: Json = {
        "id": f"chatcmpl-{request_id.replace('-', '')}",
        "request_id": request_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
    }

    def chunk(delta: Json, finish_reason: str | None = None) -> Json:
        return {
            **base,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        }

    if empty_choices:
        return [{**base, "choices": []}]
    chunks = [
        chunk({"role": "assistant", "content": "" if completion.content is not None else None})
    ]
    for piece in _WORD_PIECE.findall(completion.thinking or ""):
        chunks.append(chunk({"thinking": piece}))
    for piece in _WORD_PIECE.findall(completion.content or ""):
        chunks.append(chunk({"content": piece}))
    for index, call in enumerate(completion.tool_calls):
        function = call["function"]
        opening = {
            "index": index,
            "id": call["id"],
            "type": "function",
            "function": {"name": function["name"], "arguments": ""},
        }
        chunks.append(chunk({"tool_calls": [opening]}))
        for piece in split_pieces(function["arguments"], _ARGUMENT_PIECES):
            chunks.append(
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            )
    chunks.append(chunk({}, completion.finish_reason))
    if include_usage:
        chunks.append({**base, "choices": [], "usage": usage(completion, "prompt_completion")})
    return chunks


def split_pieces(text: str, pieces: int) -> list[str]:
    """``text`` cut into at most ``pieces`` non-empty parts of similar length."""
    if not text:
        return []
    size = max(1, math.ceil(len(text) / pieces))
    return [text[start : start + size] for start in range(0, len(text), size)]
