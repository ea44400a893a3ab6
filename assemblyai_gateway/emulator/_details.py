"""The emulator's reasoning and prompt-cache rules, and the usage details they report.

Documented on the emulator page (docs/emulator.md); keep them in sync:

* **Reasoning.** A request with ``reasoning`` (an object whose ``effort`` is not
  ``"none"``) to a model that reasons (Claude 4 and later, GPT-5 and gpt-oss, Gemini
  2.5 and later) is answered with ``message.thinking`` (streamed as ``delta.thinking``
  before the text). Its tokens are ``completion_tokens_details.reasoning_tokens``, part
  of ``completion_tokens``.
* **Prompt caching.** A ``cache_control`` breakpoint on a message or a text part
  caches the conversation up to it, per model. The first request with a prefix writes
  it (``cache_creation.ephemeral_5m_input_tokens``, or ``..._1h_...`` for ``ttl:
  "1h"``); a later one with the same prefix reads it (``cached_tokens``). With several
  breakpoints, the longest cached prefix is read and the rest up to the last one is
  written. Both are parts of ``prompt_tokens``. The cache lives until
  :meth:`GatewayEmulator.reset` (the emulator does not model expiry) and holds at most
  :data:`MAX_CACHED_PREFIXES` prefixes.

Requests reaching these functions have passed :mod:`._validation`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from ._model import (
    CacheUsage,
    Completion,
    conversation,
    count_tokens,
    message_tokens,
    text_of,
)

__all__ = [
    "MAX_CACHED_PREFIXES",
    "PromptCache",
    "model_reasons",
    "usage_details",
    "with_thinking",
]

Json = dict[str, Any]

MAX_CACHED_PREFIXES = 4096
_EXCERPT = 80
_REASONING_PREFIXES = ("claude-", "gpt-5", "gpt-oss", "gemini-2.5", "gemini-3")
_NOT_REASONING_PREFIXES = ("claude-3",)


def model_reasons(model: str) -> bool:
    """Whether the emulator's ``model`` thinks when asked to (by its id's family).

    Examples:
        >>> [model_reasons(m) for m in ("claude-sonnet-4-5-20250929", "gpt-4.1", "gpt-5")]
        [True, False, True]
    """
    return model.startswith(_REASONING_PREFIXES) and not model.startswith(_NOT_REASONING_PREFIXES)


def with_thinking(completion: Completion, request: Json) -> Completion:
    """``completion`` with the reasoning the request asked for, if the model reasons."""
    reasoning = request.get("reasoning")
    if not isinstance(reasoning, dict) or not model_reasons(str(request.get("model", ""))):
        return completion
    effort = reasoning.get("effort", "medium")
    if effort == "none":
        return completion
    user_text = next(
        (
            text_of(message.get("content"))
            for message in reversed(conversation(request))
            if message.get("role") == "user"
        ),
        "",
    )
    excerpt = " ".join(user_text.split())[:_EXCERPT]
    thinking = f'Reasoning ({effort} effort) about: "{excerpt}". The answer follows.'
    return replace(completion, thinking=thinking)


def _breakpoints(messages: list[Json]) -> list[tuple[int, Json, str]]:
    """Each ``cache_control`` breakpoint: (prefix tokens, the control, the prefix's key)."""
    found: list[tuple[int, Json, str]] = []
    before = 0
    for index, message in enumerate(messages):
        content = message.get("content")
        if isinstance(content, list):
            for position, part in enumerate(content):
                control = part.get("cache_control") if isinstance(part, dict) else None
                if isinstance(control, dict):
                    parts = content[: position + 1]
                    tokens = before + count_tokens(text_of(parts))
                    prefix = [*messages[:index], {**message, "content": parts}]
                    found.append((tokens, control, _key(prefix)))
        before += message_tokens(message)
        control = message.get("cache_control")
        if isinstance(control, dict):
            found.append((before, control, _key(messages[: index + 1])))
    return found


def _key(prefix: list[Json]) -> str:
    text = json.dumps(_without_cache_control(prefix), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _without_cache_control(value: Any) -> Any:
    # The same conversation with breakpoints elsewhere is the same prefix.
    if isinstance(value, dict):
        return {k: _without_cache_control(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_without_cache_control(item) for item in value]
    return value


class PromptCache:
    """The prefixes cached so far, per model; shared by the emulator's handler threads.

    Examples:
        >>> cache = PromptCache()
        >>> rules = {"role": "system", "content": "Long rules"}
        >>> marked = {**rules, "cache_control": {"type": "ephemeral"}}
        >>> request = {"model": "claude-sonnet-4-5-20250929", "messages": [marked]}
        >>> cache.use(request).written_5m, cache.use(request).read
        (2, 2)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._prefixes: OrderedDict[str, None] = OrderedDict()

    def use(self, request: Json) -> CacheUsage:
        """Read what ``request`` finds cached and write the rest up to its last breakpoint."""
        breakpoints = _breakpoints(conversation(request))
        if not breakpoints:
            return CacheUsage()
        model = str(request.get("model", ""))
        keyed = [(tokens, f"{model}\x00{key}") for tokens, _, key in breakpoints]
        with self._lock:
            read = max((tokens for tokens, key in keyed if key in self._prefixes), default=0)
            for _, key in keyed:
                self._prefixes[key] = None
                self._prefixes.move_to_end(key)
            while len(self._prefixes) > MAX_CACHED_PREFIXES:
                self._prefixes.popitem(last=False)
        last_tokens, last_control, _ = breakpoints[-1]
        written = max(0, last_tokens - read)
        if last_control.get("ttl") == "1h":
            return CacheUsage(reported=True, read=read, written_1h=written)
        return CacheUsage(reported=True, read=read, written_5m=written)

    def clear(self) -> None:
        """Forget every cached prefix."""
        with self._lock:
            self._prefixes.clear()


def usage_details(completion: Completion) -> Json:
    """The usage details of an answer, in the vendor SDK's shapes; empty when none apply.

    ``prompt_tokens_details`` when the request asked for caching, and
    ``completion_tokens_details`` when the answer holds reasoning.
    """
    details: Json = {}
    cache = completion.cache
    if cache.reported:
        details["prompt_tokens_details"] = {
            "cached_tokens": cache.read,
            "audio_tokens": 0,
            "cache_creation": {
                "ephemeral_5m_input_tokens": cache.written_5m,
                "ephemeral_1h_input_tokens": cache.written_1h,
            },
        }
    if completion.thinking is not None:
        details["completion_tokens_details"] = {
            "reasoning_tokens": completion.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        }
    return details
