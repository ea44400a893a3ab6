"""Tool-call ids and name shorthands for the wire models (pure helpers, no models).

* :func:`stable_tool_call_id`: a deterministic id for a call that has none, the same
  in both adapters and in streamed and non-streamed results.
* :func:`with_tool_call_ids`: request messages with every tool call given an id, and
  tool messages that answer a call without one paired with the generated id.
* :func:`objects_from_names`: ``"gpt-5"`` or ``["gpt-5", {...}]`` as wire objects.
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["objects_from_names", "stable_tool_call_id", "with_tool_call_ids"]


def stable_tool_call_id(index: int, name: str, arguments: str) -> str:
    """A deterministic id for a tool call the gateway sent without one.

    The same call always gets the same id, so streamed and non-streamed results agree.
    """
    digest = hashlib.sha1(f"{index}\x00{name}\x00{arguments}".encode()).hexdigest()[:16]
    return f"call_{digest}"


def objects_from_names(value: Any, key: str) -> Any:
    """``"x"`` -> ``[{key: "x"}]``; ``["x", {...}]`` -> ``[{key: "x"}, {...}]``."""
    if isinstance(value, str):
        return [{key: value}]
    if isinstance(value, (list, tuple)):
        return [{key: item} if isinstance(item, str) else item for item in value]
    return value


def with_tool_call_ids(messages: list[Any]) -> list[Any]:
    """Request messages (``types.Message``) with an id on every tool call.

    A call without an id gets :func:`stable_tool_call_id`; a tool message without a
    ``tool_call_id`` answers the oldest call whose id was generated. Changed messages
    are copies: nothing the caller passed in is mutated.
    """
    if not any(
        (m.tool_calls and any(not c.id for c in m.tool_calls))
        or (m.role == "tool" and not m.tool_call_id)
        for m in messages
    ):
        return messages
    generated: list[str] = []
    result: list[Any] = []
    for message in messages:
        if message.tool_calls and any(not call.id for call in message.tool_calls):
            calls = [
                call.model_copy(
                    update={
                        "id": stable_tool_call_id(i, call.function.name, call.function.arguments)
                    }
                )
                if not call.id
                else call
                for i, call in enumerate(message.tool_calls)
            ]
            generated += [
                c.id for c, old in zip(calls, message.tool_calls, strict=True) if not old.id
            ]
            message = message.model_copy(update={"tool_calls": calls})
        elif message.role == "tool" and not message.tool_call_id and generated:
            message = message.model_copy(update={"tool_call_id": generated.pop(0)})
        result.append(message)
    return result
