"""The errors of transcript prompts and tasks, in the package's one error tree."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError, ResponseValidationError

__all__ = ["TaskAnswerError", "TranscriptTagError", "TranscriptTooLongError"]


class TranscriptTagError(ConfigurationError):
    """A ``{{ transcript }}`` tag the gateway would not replace, so the model would read the
    tag itself: misspelt (``{{transcript}}``), a second one, or one in a list of content
    parts.

    Attributes:
        message_index: The message holding the tag (``None`` for ``prompt``).
        tag: The tag as written.
    """

    def __init__(self, message: str, *, message_index: int | None, tag: str) -> None:
        super().__init__(message)
        self.message_index = message_index
        self.tag = tag


class TranscriptTooLongError(ConfigurationError):
    """A request would not fit the model's context window, and cannot be made to: the
    prompt alone (or one partial answer) leaves no room within it.

    Attributes:
        tokens: The estimated tokens of what had to fit.
        limit: The tokens the model's context window leaves for it.
    """

    def __init__(self, message: str, *, tokens: int, limit: int) -> None:
        super().__init__(message)
        self.tokens = tokens
        self.limit = limit


class TaskAnswerError(ResponseValidationError):
    """A transcript task's answer is not what the task asked for: not JSON of its schema,
    an answer missing, or one outside the question's answer options.

    Attributes:
        body: The answer as received (truncated), for debugging.
    """

    def __init__(self, message: str, *, body: Any = None, request_id: str | None = None) -> None:
        super().__init__(message, body=body, request_id=request_id)
