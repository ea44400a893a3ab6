"""Scripted replies: the exact answers the emulator gives to the next requests.

The deterministic rules answer each request from what it contains. A test of an agent
often needs particular answers instead ("call this tool, then say this, then overflow
the context"), as LangChain's ``FakeListChatModel`` gives in process. Scripted replies
sit in a FIFO queue; each request a model answers (one that passed authentication,
validation and the fallbacks) takes the reply at its head, and the rules answer again
once the queue is empty. The same replies can be written as JSON for the command line
(``--script FILE``); :meth:`Reply.from_json` reads that format.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from assemblyai_gateway.catalog import ModelInfo

from ._model import Completion, conversation_seed, input_tokens, tool_call_id

__all__ = [
    "Reply",
    "ReplyKind",
    "ScriptedToolCall",
    "context_overflow_error",
    "load_script",
    "parse_script",
    "scripted_completion",
]

Json = dict[str, Any]
ReplyKind = Literal["text", "tool_calls", "context_overflow"]

_ENTRY_KEYS = ("text", "tool_calls", "context_overflow")


@dataclass(frozen=True, init=False)
class ScriptedToolCall:
    """One tool call of a scripted :class:`Reply`.

    Args:
        name: The function the model calls.
        arguments: A JSON object (sent as its JSON text), or a string sent exactly as
            given, e.g. broken JSON to test how your code copes. Default ``{}``.
        id: The call id; by default ``call_<n>_<16 hex>``, as the rules give.

    Examples:
        >>> from assemblyai_gateway.emulator import ScriptedToolCall
        >>> ScriptedToolCall("get_weather", {"city": "Paris"}).arguments
        '{"city": "Paris"}'
    """

    name: str
    arguments: str
    id: str | None

    def __init__(
        self,
        name: str,
        arguments: Mapping[str, Any] | str | None = None,
        *,
        id: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"a tool call needs a non-empty name, got {name!r}")
        if id is not None and (not isinstance(id, str) or not id):
            raise ValueError(f"a tool call id must be a non-empty string, got {id!r}")
        if arguments is None:
            text = "{}"
        elif isinstance(arguments, str):
            text = arguments
        elif isinstance(arguments, Mapping):
            try:
                text = json.dumps(dict(arguments), ensure_ascii=False)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"the arguments of {name!r} are not JSON: {exc}") from None
        else:
            raise TypeError(
                f"the arguments of {name!r} must be a mapping or a string, "
                f"got {type(arguments).__name__}"
            )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "arguments", text)
        object.__setattr__(self, "id", id)


@dataclass(frozen=True)
class Reply:
    """One scripted answer; build it with the classmethod constructors.

    Queue replies with ``GatewayEmulator(script=[...])`` or
    :meth:`GatewayEmulator.script`. Each request a model answers takes the next one,
    non-streaming and streaming alike (a stream carries the same answer as chunks).
    Usage is counted with the emulator's tokenizer.

    Attributes:
        kind: ``"text"``, ``"tool_calls"`` or ``"context_overflow"``.
        content: The answer's text (``None`` for tool calls without text).
        calls: The tool calls of a ``tool_calls`` reply.
        finish_reason: The ``finish_reason`` sent with the answer.
        prompt_tokens: For ``context_overflow``, the prompt size the error reports.

    Examples:
        >>> import httpx
        >>> from assemblyai_gateway.emulator import GatewayEmulator, Reply
        >>> script = [Reply.text("Paris."), Reply.context_overflow()]
        >>> with GatewayEmulator(script=script) as emulator:
        ...     url = f"{emulator.base_url}/chat/completions"
        ...     body = {"model": "claude-sonnet-4-5-20250929", "prompt": "Capital of France?"}
        ...     headers = {"Authorization": emulator.api_key}
        ...     first = httpx.post(url, json=body, headers=headers).json()
        ...     second = httpx.post(url, json=body, headers=headers)
        >>> first["choices"][0]["message"]["content"]
        'Paris.'
        >>> second.status_code, second.json()["error"]["message"][:19]
        (400, 'prompt is too long:')
    """

    kind: ReplyKind
    content: str | None = None
    calls: tuple[ScriptedToolCall, ...] = ()
    finish_reason: str = "stop"
    prompt_tokens: int | None = None

    @classmethod
    def text(cls, content: str, *, finish_reason: str = "stop") -> Reply:
        """Answer with exactly ``content`` (not cut by ``max_tokens``)."""
        if not isinstance(content, str):
            raise TypeError(f"Reply.text() takes a string, got {type(content).__name__}")
        return cls("text", content=content, finish_reason=_finish_reason(finish_reason))

    @classmethod
    def tool_call(
        cls,
        name: str,
        arguments: Mapping[str, Any] | str | None = None,
        *,
        id: str | None = None,
        content: str | None = None,
    ) -> Reply:
        """Answer with one call to the tool ``name`` (``finish_reason`` ``"tool_calls"``)."""
        return cls.tool_calls(ScriptedToolCall(name, arguments, id=id), content=content)

    @classmethod
    def tool_calls(cls, *calls: ScriptedToolCall, content: str | None = None) -> Reply:
        """Answer with parallel tool calls, in order, and optionally some text."""
        if not calls:
            raise ValueError("Reply.tool_calls() needs at least one ScriptedToolCall")
        for call in calls:
            if not isinstance(call, ScriptedToolCall):
                raise TypeError(
                    "Reply.tool_calls() takes ScriptedToolCall objects, "
                    f"got {type(call).__name__}; use Reply.tool_call(name, arguments) for one"
                )
        if content is not None and not isinstance(content, str):
            raise TypeError(f"content must be a string, got {type(content).__name__}")
        return cls("tool_calls", content=content, calls=calls, finish_reason="tool_calls")

    @classmethod
    def context_overflow(cls, prompt_tokens: int | None = None) -> Reply:
        """Fail with the 400 the gateway relays when a prompt exceeds the context window.

        The message is the model provider's own: Anthropic's ``prompt is too long: N
        tokens > M maximum``, OpenAI's ``This model's maximum context length is M
        tokens...``, or Google's. ``prompt_tokens`` (N) defaults to the model's
        context window plus the request's own tokens.
        """
        if prompt_tokens is not None and (
            not isinstance(prompt_tokens, int) or isinstance(prompt_tokens, bool)
        ):
            raise TypeError("prompt_tokens must be an integer")
        if prompt_tokens is not None and prompt_tokens < 1:
            raise ValueError("prompt_tokens must be >= 1")
        return cls("context_overflow", prompt_tokens=prompt_tokens)

    @classmethod
    def from_json(cls, entry: object) -> Reply:
        """One reply from the JSON script format (see the emulator docs page).

        Examples:
            >>> from assemblyai_gateway.emulator import Reply
            >>> Reply.from_json({"tool_calls": [{"name": "add", "arguments": {"a": 1}}]}).kind
            'tool_calls'
        """
        if not isinstance(entry, Mapping):
            raise ValueError(f"a reply is a JSON object, got {type(entry).__name__}")
        unknown = sorted(set(entry) - {*_ENTRY_KEYS, "finish_reason"})
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}; a reply has {_expected()}")
        try:
            if "context_overflow" in entry:
                if len(entry) > 1:
                    raise ValueError('"context_overflow" stands alone in its reply')
                return _overflow(entry["context_overflow"])
            if "tool_calls" in entry:
                if "finish_reason" in entry:
                    raise ValueError('"finish_reason" goes with a text reply only')
                return cls.tool_calls(*_calls(entry["tool_calls"]), content=entry.get("text"))
            if "text" in entry:
                return cls.text(entry["text"], finish_reason=entry.get("finish_reason", "stop"))
        except TypeError as exc:
            raise ValueError(str(exc)) from None
        raise ValueError(f"a reply has {_expected()}, got {sorted(entry) or 'an empty object'}")


def _expected() -> str:
    return '"text", "tool_calls" (with an optional "text") or "context_overflow"'


def _finish_reason(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"finish_reason must be a non-empty string, got {value!r}")
    return value


def _calls(value: object) -> list[ScriptedToolCall]:
    if not isinstance(value, list) or not value:
        raise ValueError('"tool_calls" is a non-empty list of {"name", "arguments", "id"}')
    calls = []
    for call in value:
        if not isinstance(call, Mapping) or set(call) - {"name", "arguments", "id"}:
            raise ValueError(f'each tool call has "name", "arguments" and "id" only: {call!r}')
        if "name" not in call:
            raise ValueError(f'a tool call needs a "name": {call!r}')
        calls.append(ScriptedToolCall(call["name"], call.get("arguments"), id=call.get("id")))
    return calls


def _overflow(value: object) -> Reply:
    if value is True or value == {}:
        return Reply.context_overflow()
    if isinstance(value, Mapping) and set(value) == {"prompt_tokens"}:
        return Reply.context_overflow(value["prompt_tokens"])
    raise ValueError('"context_overflow" is true or {"prompt_tokens": N}')


def parse_script(data: object) -> list[Reply]:
    """Replies from the JSON script format: a list of reply objects."""
    if not isinstance(data, list):
        raise ValueError(f"a script is a JSON list of replies, got {type(data).__name__}")
    replies = []
    for index, entry in enumerate(data, start=1):
        try:
            replies.append(Reply.from_json(entry))
        except ValueError as exc:
            raise ValueError(f"reply {index}: {exc}") from None
    return replies


def load_script(path: str | os.PathLike[str]) -> list[Reply]:
    """The replies of a JSON script file (the format of ``--script FILE``).

    Raises:
        OSError: the file cannot be read.
        ValueError: it is not a valid script; the message names the reply and the problem.
    """
    with open(path, encoding="utf-8") as file:
        text = file.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    return parse_script(data)


def scripted_completion(reply: Reply, request: Json) -> Completion:
    """The answer a ``text`` or ``tool_calls`` reply gives to ``request``."""
    seed = conversation_seed(request)
    calls = tuple(
        {
            "id": call.id or tool_call_id(seed, index, call.name),
            "type": "function",
            "function": {"name": call.name, "arguments": call.arguments},
        }
        for index, call in enumerate(reply.calls, start=1)
    )
    return Completion(reply.content, calls, reply.finish_reason, input_tokens(request))


def context_overflow_error(reply: Reply, request: Json, info: ModelInfo) -> tuple[str, Json]:
    """The message and metadata of the 400 a ``context_overflow`` reply sends, for the
    model ``info`` describes."""
    window = info.context_window
    tokens = reply.prompt_tokens or window + input_tokens(request)
    if info.provider == "openai":
        message = (
            f"This model's maximum context length is {window} tokens. However, your "
            f"messages resulted in {tokens} tokens. Please reduce the length of the messages."
        )
    elif info.provider == "google":
        message = (
            f"The input token count ({tokens}) exceeds the maximum number of tokens "
            f"allowed ({window})."
        )
    else:
        message = f"prompt is too long: {tokens} tokens > {window} maximum"
    return message, {"llm_status_code": 400}
