"""Tool-call ids for a request's messages (a pure helper for the wire models).

:func:`with_tool_call_ids` gives every tool call without an id the stable id of
:func:`~assemblyai_gateway._wire.shapes.stable_tool_call_id` (the same in both adapters), and
pairs a tool message that answers such a call with the generated id.
"""

from __future__ import annotations

from typing import Any

from .shapes import stable_tool_call_id

__all__ = ["with_tool_call_ids"]


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
