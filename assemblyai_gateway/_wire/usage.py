"""Token usage and its details (public face: :mod:`assemblyai_gateway._wire.types`).

How the counts relate, as the gateway reports them (OpenAI's convention, which its
answers follow for every model family):

* ``input_tokens`` (``prompt_tokens``) counts **every** input token. Tokens read from
  the prompt cache (:attr:`Usage.cache_read_tokens`) and tokens written to it
  (:attr:`Usage.cache_creation_tokens`) are parts of it, never added on top.
* ``output_tokens`` (``completion_tokens``) counts every generated token, the model's
  reasoning (:attr:`Usage.reasoning_tokens`) included.
* ``total_tokens`` is what the gateway reports (their sum when it reports none).

So a sum over answers never counts a cached or reasoning token twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, Field, model_validator

from .base import TokenCount, _Wire

__all__ = ["CacheCreation", "CompletionTokensDetails", "PromptTokensDetails", "Usage"]


class CacheCreation(_Wire):
    """Tokens written to the prompt cache, by how long the cache entry lives."""

    ephemeral_5m_input_tokens: TokenCount = 0
    ephemeral_1h_input_tokens: TokenCount = 0


class PromptTokensDetails(_Wire):
    """What the input tokens were: read from the cache, written to it, audio.

    ``cache_creation`` splits the tokens written to the cache by lifetime (5 minutes,
    1 hour); ``cache_write_tokens`` is the same total under another name. Unknown
    fields are kept.
    """

    cached_tokens: TokenCount = 0
    audio_tokens: TokenCount = 0
    cache_creation: CacheCreation | None = None
    cache_write_tokens: int | None = None

    @property
    def cache_creation_tokens(self) -> int:
        """Tokens written to the cache (both names describe the same tokens: never summed)."""
        split = self.cache_creation
        by_lifetime = (
            split.ephemeral_5m_input_tokens + split.ephemeral_1h_input_tokens if split else 0
        )
        return max(self.cache_write_tokens or 0, by_lifetime)


class CompletionTokensDetails(_Wire):
    """What the output tokens were: reasoning, audio, predicted output. Unknown fields are kept."""

    reasoning_tokens: TokenCount = 0
    audio_tokens: TokenCount = 0
    accepted_prediction_tokens: TokenCount = 0
    rejected_prediction_tokens: TokenCount = 0


class Usage(_Wire):
    """Token usage, normalised to ``input_tokens``/``output_tokens``/``total_tokens``.

    ``prompt_tokens``/``completion_tokens`` are accepted as the same numbers and are
    also readable as properties; so are ``prompt_tokens_details`` and
    ``completion_tokens_details`` under their other names (``input_tokens_details``,
    ``output_tokens_details``), and ``null`` anywhere as 0 or "not reported". The
    cached and reasoning tokens are parts of the input and output counts (see the
    module's notes), read through :attr:`cache_read_tokens`,
    :attr:`cache_creation_tokens` and :attr:`reasoning_tokens`.

    Examples:
        >>> usage = Usage.model_validate(
        ...     {
        ...         "prompt_tokens": 1200,
        ...         "completion_tokens": 300,
        ...         "total_tokens": 1500,
        ...         "prompt_tokens_details": {"cached_tokens": 1024, "audio_tokens": 0},
        ...         "completion_tokens_details": {"reasoning_tokens": 120},
        ...     }
        ... )
        >>> usage.input_tokens, usage.cache_read_tokens, usage.reasoning_tokens
        (1200, 1024, 120)
        >>> usage.cache_creation_tokens
        0
    """

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetails | None = Field(
        default=None, validation_alias=AliasChoices("prompt_tokens_details", "input_tokens_details")
    )
    completion_tokens_details: CompletionTokensDetails | None = Field(
        default=None,
        validation_alias=AliasChoices("completion_tokens_details", "output_tokens_details"),
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_both_shapes(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        normalised = dict(data)
        prompt = normalised.pop("prompt_tokens", None)
        completion = normalised.pop("completion_tokens", None)
        if normalised.get("input_tokens") is None:
            normalised["input_tokens"] = prompt or 0
        if normalised.get("output_tokens") is None:
            normalised["output_tokens"] = completion or 0
        if normalised.get("total_tokens") is None:
            normalised.pop("total_tokens", None)  # summed once the counts are ints
        return normalised

    @model_validator(mode="after")
    def _total_defaults_to_the_sum(self) -> Usage:
        if "total_tokens" not in self.model_fields_set:
            self.total_tokens = self.input_tokens + self.output_tokens
        return self

    @property
    def prompt_tokens(self) -> int:
        """The same as ``input_tokens`` (OpenAI naming)."""
        return self.input_tokens

    @property
    def completion_tokens(self) -> int:
        """The same as ``output_tokens`` (OpenAI naming)."""
        return self.output_tokens

    @property
    def cache_read_tokens(self) -> int:
        """Input tokens read from the prompt cache (0 when not reported)."""
        details = self.prompt_tokens_details
        return details.cached_tokens if details is not None else 0

    @property
    def cache_creation_tokens(self) -> int:
        """Input tokens written to the prompt cache (0 when not reported)."""
        details = self.prompt_tokens_details
        return details.cache_creation_tokens if details is not None else 0

    @property
    def reasoning_tokens(self) -> int:
        """Output tokens the model spent reasoning (0 when not reported)."""
        details = self.completion_tokens_details
        return details.reasoning_tokens if details is not None else 0
