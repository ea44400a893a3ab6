"""Finish reasons: each provider's own word, and the one table that normalises it.

The gateway relays the upstream provider's ``finish_reason`` as it is: OpenAI's
``stop``/``length``/``tool_calls``/``content_filter``, Claude's ``end_turn``/
``max_tokens``/``tool_use``/``stop_sequence``/``refusal``, Gemini's ``STOP``/
``MAX_TOKENS``/``SAFETY``/``RECITATION``/... Both adapters keep that raw word
(``finish_reason``) and add :func:`normalise_finish_reason`'s answer beside it
(``normalised_finish_reason``), one of :data:`NORMALISED_FINISH_REASONS`, so code
that checks for a cut-off answer or a tool call works whichever model served it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal, get_args

__all__ = [
    "DEFAULT_FINISH_REASON",
    "FINISH_REASONS",
    "NORMALISED_FINISH_REASONS",
    "NormalisedFinishReason",
    "normalise_finish_reason",
]

NormalisedFinishReason = Literal["stop", "length", "tool_calls", "content_filter"]
"""Why the model stopped, in OpenAI's words, whoever the provider was."""

NORMALISED_FINISH_REASONS: Final[tuple[NormalisedFinishReason, ...]] = get_args(
    NormalisedFinishReason
)
"""``stop``, ``length``, ``tool_calls`` and ``content_filter``."""

DEFAULT_FINISH_REASON: Final[NormalisedFinishReason] = "stop"
"""What a word missing from :data:`FINISH_REASONS` normalises to: the model ended its
turn for a reason this release does not know (the raw word is kept beside it)."""

_TABLE: dict[NormalisedFinishReason, tuple[str, ...]] = {
    "stop": (
        "stop",  # OpenAI, and Gemini through its OpenAI-compatible layer
        "end_turn",  # Claude
        "stop_sequence",  # Claude, Bedrock
        "pause_turn",  # Claude: a long server-tool turn paused; the text so far is whole
    ),
    "length": (
        "length",  # OpenAI
        "max_tokens",  # Claude, Gemini (MAX_TOKENS), Bedrock
        "model_context_window_exceeded",  # Claude: the context window ran out mid-answer
    ),
    "tool_calls": (
        "tool_calls",  # OpenAI
        "function_call",  # OpenAI's older functions API
        "tool_use",  # Claude, Bedrock
    ),
    "content_filter": (
        "content_filter",  # OpenAI, Azure
        "refusal",  # Claude
        "safety",  # Gemini, and the rest of Gemini's blocking reasons below
        "recitation",
        "blocklist",
        "prohibited_content",
        "spii",
        "image_safety",
        "image_prohibited_content",
        "image_recitation",
        "guardrail_intervened",  # Bedrock
        "content_filtered",  # Bedrock
    ),
}

FINISH_REASONS: Final[Mapping[str, NormalisedFinishReason]] = MappingProxyType(
    {word: normalised for normalised, words in _TABLE.items() for word in words}
)
"""Every provider word this release knows (lower case), and what it normalises to.

Words are matched without regard to case, so Gemini's ``MAX_TOKENS`` is Claude's
``max_tokens``."""


def normalise_finish_reason(
    raw: str | None, *, has_tool_calls: bool = False
) -> NormalisedFinishReason | None:
    """The provider's ``finish_reason`` in OpenAI's words (see :data:`FINISH_REASONS`).

    Args:
        raw: The word the gateway relayed, as the provider spelt it.
        has_tool_calls: Whether the answer holds tool calls. Gemini says ``STOP`` when
            it calls a tool, so a ``stop`` (or an unknown word) next to tool calls is
            ``tool_calls``, as OpenAI would have said.

    Returns:
        ``stop``, ``length``, ``tool_calls`` or ``content_filter``; a word this release
        does not know is :data:`DEFAULT_FINISH_REASON`. ``None`` when there was no
        word at all (a stream cut short, say).

    Examples:
        >>> normalise_finish_reason("end_turn"), normalise_finish_reason("MAX_TOKENS")
        ('stop', 'length')
        >>> normalise_finish_reason("tool_use"), normalise_finish_reason("SAFETY")
        ('tool_calls', 'content_filter')
        >>> normalise_finish_reason("STOP", has_tool_calls=True)
        'tool_calls'
        >>> normalise_finish_reason("a word from next year"), normalise_finish_reason(None)
        ('stop', None)
    """
    if not raw:
        return None
    normalised = FINISH_REASONS.get(raw.strip().lower(), DEFAULT_FINISH_REASON)
    if has_tool_calls and normalised == "stop":
        return "tool_calls"
    return normalised
