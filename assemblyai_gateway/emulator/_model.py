"""The emulator's deterministic "model": pure functions from a valid request to an answer.

Every rule here is documented on the emulator page (docs/emulator.md); keep them in sync.
Requests reaching these functions have passed :mod:`._validation`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._schema_instance import instance_for

__all__ = [
    "CacheUsage",
    "Completion",
    "apply_content_fault",
    "complete",
    "conversation_seed",
    "count_tokens",
    "extract_hints",
    "fallback_attempts",
    "input_tokens",
    "json_repair_steps",
    "message_tokens",
    "post_process",
    "substitute_transcript",
    "tokenize",
    "tool_call_id",
]

Json = dict[str, Any]

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
_TRANSCRIPT_TAG = re.compile(r"\{\{\s*transcript\s*\}\}")
# A lookahead, so overlapping pairs are all found: "extract: name: Alice" has two.
_HINT = re.compile(
    r"(?=(?<![\w-])(?P<key>[A-Za-z_][\w-]*)\s*[=:]\s*"
    r"(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s,;]+)))"
)
_ANSWER_EXCERPT = 80
DEFAULT_MAX_TOKENS = 1000
MAX_FALLBACK_DEPTH = 2


def tokenize(text: str) -> list[str]:
    """The emulator's tokenizer: runs of word characters, and each other non-space char.

    Examples:
        >>> tokenize("Hello, world!")
        ['Hello', ',', 'world', '!']
    """
    return TOKEN_PATTERN.findall(text)


def count_tokens(text: str) -> int:
    """How many tokens :func:`tokenize` finds in ``text``."""
    return sum(1 for _ in TOKEN_PATTERN.finditer(text))


@dataclass(frozen=True)
class CacheUsage:
    """What a request did with the prompt cache: tokens read, and written by lifetime.

    ``reported`` is whether the request asked for caching at all (a ``cache_control``
    breakpoint), so the answer reports the cache (zeros included) only then.
    """

    reported: bool = False
    read: int = 0
    written_5m: int = 0
    written_1h: int = 0


@dataclass(frozen=True)
class Completion:
    """One generated answer, before it is rendered as JSON or SSE.

    ``thinking`` is the model's reasoning (its tokens are output tokens too);
    ``cache`` what the request did with the prompt cache (its tokens are input tokens).
    """

    content: str | None
    tool_calls: tuple[Json, ...]
    finish_reason: str
    input_tokens: int
    thinking: str | None = None
    cache: CacheUsage = CacheUsage()

    @property
    def reasoning_tokens(self) -> int:
        return count_tokens(self.thinking or "")

    @property
    def output_tokens(self) -> int:
        args = sum(count_tokens(call["function"]["arguments"]) for call in self.tool_calls)
        return count_tokens(self.content or "") + args + self.reasoning_tokens


def text_of(content: object) -> str:
    """The text of a message's content: a string, or text parts joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def substitute_transcript(request: Json, transcript: str) -> Json:
    """Replace ``{{ transcript }}`` in the prompt and every message's text."""

    def sub(text: str) -> str:
        return _TRANSCRIPT_TAG.sub(lambda _: transcript, text)

    result = dict(request)
    if isinstance(result.get("prompt"), str):
        result["prompt"] = sub(result["prompt"])
    messages = []
    for message in result.get("messages") or []:
        message = dict(message)
        content = message.get("content")
        if isinstance(content, str):
            message["content"] = sub(content)
        elif isinstance(content, list):
            message["content"] = [
                {**part, "text": sub(part["text"])} if isinstance(part.get("text"), str) else part
                for part in content
            ]
        messages.append(message)
    if "messages" in result:
        result["messages"] = messages
    return result


def conversation(request: Json) -> list[Json]:
    """The messages the model reads: ``messages``, then ``prompt`` as a last user turn."""
    messages: list[Json] = list(request.get("messages") or [])
    prompt = request.get("prompt")
    if isinstance(prompt, str):
        messages.append({"role": "user", "content": prompt})
    return messages


def extract_hints(text: str) -> dict[str, str]:
    """Values the user spelled out as ``name=value`` or ``name: value`` (first wins).

    Quote a value to include spaces: ``city="New York"``.

    Examples:
        >>> extract_hints('weather in city: Paris, unit=celsius and note="two words"')
        {'city': 'Paris', 'unit': 'celsius', 'note': 'two words'}
    """
    hints: dict[str, str] = {}
    for match in _HINT.finditer(text):
        value = match.group("dq") or match.group("sq")
        if value is None:
            value = (match.group("bare") or "").rstrip(".!?)")
        hints.setdefault(match.group("key"), value)
    return hints


def complete(request: Json) -> Completion:
    """Apply the documented rules to a validated request (transcript already substituted)."""
    messages = conversation(request)
    last = messages[-1] if messages else {}
    user_text = next(
        (text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), ""
    )
    hints = extract_hints(user_text)
    tools: list[Json] = list(request.get("tools") or [])
    prompt_tokens = input_tokens(request)

    chosen = _choose_tools(tools, request.get("tool_choice"), last, user_text)
    if chosen:
        seed = conversation_seed(request)
        calls = tuple(
            _tool_call(tool, index, seed, {**hints, **_hints_after_mention(tool, tools, user_text)})
            for index, tool in enumerate(chosen, start=1)
        )
        return Completion(None, calls, "tool_calls", prompt_tokens)

    if last.get("role") == "tool":
        answer = _tool_results_answer(messages)
    else:
        excerpt = " ".join(user_text.split())[:_ANSWER_EXCERPT]
        answer = f'Emulated answer to: "{excerpt}"'

    content = _format_answer(answer, request.get("response_format"), hints)
    limit = request.get("max_tokens", DEFAULT_MAX_TOKENS)
    truncated = _truncate(content, limit)
    finish = "length" if truncated != content else "stop"
    return Completion(truncated, (), finish, prompt_tokens)


def input_tokens(request: Json) -> int:
    """The tokens of every message's text, and of the tool calls in the history."""
    return sum(message_tokens(message) for message in conversation(request))


def message_tokens(message: Json) -> int:
    """The tokens of one message's text and of the tool calls it holds."""
    total = count_tokens(text_of(message.get("content")))
    for call in message.get("tool_calls") or []:
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            total += count_tokens(str(function.get("name", "")))
            total += count_tokens(str(function.get("arguments", "")))
    return total


def _choose_tools(tools: list[Json], choice: object, last: Json, user_text: str) -> list[Json]:
    if not tools or choice == "none":
        return []
    if isinstance(choice, dict):
        name = choice["function"]["name"]
        return [tool for tool in tools if tool["function"]["name"] == name][:1]
    mentioned = _mentioned_tools(tools, user_text)
    if choice == "required":
        return mentioned or tools[:1]
    # "auto": after tool results the model answers, so agent loops end.
    return [] if last.get("role") == "tool" else mentioned


def _mention_positions(tools: list[Json], text: str) -> list[tuple[int, int, Json]]:
    """(position, order, tool) for each tool named in ``text``, sorted by position."""
    found: list[tuple[int, int, Json]] = []
    for order, tool in enumerate(tools):
        name = tool["function"]["name"]
        spellings = {name, name.replace("_", " ")}
        positions = [
            match.start()
            for spelling in spellings
            if (match := re.search(rf"(?<!\w){re.escape(spelling)}(?!\w)", text, re.IGNORECASE))
        ]
        if positions:
            found.append((min(positions), order, tool))
    return sorted(found, key=lambda item: (item[0], item[1]))


def _mentioned_tools(tools: list[Json], text: str) -> list[Json]:
    """Tools named in ``text`` as a word (also with ``_`` read as spaces), in order."""
    return [tool for _, _, tool in _mention_positions(tools, text)]


def _hints_after_mention(tool: Json, tools: list[Json], text: str) -> dict[str, str]:
    """Hints written between this tool's name and the next named tool's.

    "use multiply with a: 6 and b: 7, and add with a: 2" gives multiply a=6 and add a=2.
    """
    mentions = _mention_positions(tools, text)
    for i, (position, _, mentioned) in enumerate(mentions):
        if mentioned is tool:
            end = mentions[i + 1][0] if i + 1 < len(mentions) else len(text)
            return extract_hints(text[position:end])
    return {}


def _tool_call(tool: Json, index: int, seed: str, hints: Mapping[str, str]) -> Json:
    function = tool["function"]
    name: str = function["name"]
    schema = function.get("parameters") or {"type": "object", "properties": {}}
    arguments = instance_for(schema, hints=hints, name=name)
    return {
        "id": tool_call_id(seed, index, name),
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
    }


def tool_call_id(seed: str, index: int, name: str) -> str:
    """``call_<index>_<16 hex>``: unique within an answer, the same for the same ``seed``."""
    digest = hashlib.sha256(f"{seed}\x00{index}\x00{name}".encode()).hexdigest()[:16]
    return f"call_{index}_{digest}"


def conversation_seed(request: Json) -> str:
    """What a request's tool-call ids are derived from: its conversation."""
    return json.dumps(conversation(request), sort_keys=True, default=str)


def _tool_results_answer(messages: Sequence[Json]) -> str:
    """``Based on the tool results: name: content; ...`` for the trailing tool turns."""
    results: list[Json] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        results.insert(0, message)
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            if isinstance(call, dict) and isinstance(call.get("function"), dict):
                names[str(call.get("id"))] = str(call["function"].get("name"))
    parts = [
        f"{names.get(m.get('tool_call_id', ''), m.get('tool_call_id', 'tool'))}: "
        f"{' '.join(text_of(m.get('content')).split())}"
        for m in results
    ]
    return "Based on the tool results: " + "; ".join(parts)


def _format_answer(answer: str, response_format: object, hints: Mapping[str, str]) -> str:
    if isinstance(response_format, dict):
        if response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            return json.dumps(instance_for(schema, hints=hints), ensure_ascii=False)
        if response_format.get("type") == "json_object":
            return json.dumps({"answer": answer}, ensure_ascii=False)
    return answer


def _truncate(text: str, limit: int) -> str:
    """Keep the first ``limit`` tokens, cutting right after the last kept one."""
    for count, match in enumerate(TOKEN_PATTERN.finditer(text), start=1):
        if count == limit:
            return text[: match.end()] if TOKEN_PATTERN.search(text, match.end()) else text
    return text


# -- faults and post-processing ----------------------------------------------------------


def apply_content_fault(completion: Completion, kind: str) -> Completion:
    """Break the answer the way an ``invalid_tool_arguments``/``broken_json_content`` fault says."""
    if kind == "invalid_tool_arguments" and completion.tool_calls:
        calls = tuple(
            {
                **call,
                "function": {**call["function"], "arguments": call["function"]["arguments"][:-1]},
            }
            for call in completion.tool_calls
        )
        return replace(completion, tool_calls=calls)
    if kind == "broken_json_content" and completion.content is not None:
        content = completion.content
        # Dropping the closing bracket keeps it repairable; plain text becomes an
        # unterminated {"answer": "... object.
        broken = content[:-1] if _looks_like_json(content) else '{"answer": "' + content
        return replace(completion, content=broken)
    return completion


def json_repair_steps(request: Json) -> bool:
    """Whether ``post_processing_steps`` asks for json-repair."""
    steps = request.get("post_processing_steps") or []
    return any(isinstance(step, dict) and step.get("type") == "json-repair" for step in steps)


def post_process(completion: Completion, request: Json) -> Completion:
    """Run the request's ``post_processing_steps`` (json-repair) on content and arguments."""
    if not json_repair_steps(request):
        return completion
    from ._extras import repair_json

    content = completion.content
    # Only JSON-looking content is repaired; plain prose would be mangled.
    if content is not None and _looks_like_json(content):
        content = repair_json(content) or content
    calls = tuple(
        {
            **call,
            "function": {
                **call["function"],
                "arguments": repair_json(call["function"]["arguments"]) or "{}",
            },
        }
        for call in completion.tool_calls
    )
    return replace(completion, content=content, tool_calls=calls)


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def fallback_attempts(request: Json) -> list[Json]:
    """The requests to try in order: the primary, then each fallback merged over it.

    ``fallback_config.depth`` (default and maximum 2) bounds how many fallbacks run.
    """
    config = request.get("fallback_config") or {}
    depth = min(config.get("depth", MAX_FALLBACK_DEPTH), MAX_FALLBACK_DEPTH)
    attempts = [request]
    for fallback in (request.get("fallbacks") or [])[:depth]:
        attempts.append({**request, **fallback})
    return attempts
