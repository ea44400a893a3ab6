"""A framework model on a scripted transport, for tests that assert on the request body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

from assemblyai_gateway.testing import ScriptedTransport, completion_body

__all__ = ["CLAUDE", "ScriptedModel"]

CLAUDE = "claude-sonnet-4-5-20250929"
Model = TypeVar("Model")


class ScriptedModel(Generic[Model]):
    """``make(model=CLAUDE, api_key=..., **params)`` answering ``steps`` (default: "ok").

    The model's sync HTTP client is a scripted transport; ``body`` is the one request
    it received, and ``client`` is closed by the caller.
    """

    def __init__(self, make: Callable[..., Model], *steps: dict[str, Any], **params: Any) -> None:
        self.transport = ScriptedTransport(list(steps) or [completion_body("ok", model=CLAUDE)])
        self.client = httpx.Client(transport=self.transport)
        settings: dict[str, Any] = {"model": CLAUDE, "api_key": "test-key", **params}
        self.llm = make(**settings, http_client=self.client)

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body of the single request sent."""
        bodies = self.transport.json_bodies
        assert len(bodies) == 1
        return bodies[0]
