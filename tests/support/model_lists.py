"""Model lists for the tests of the live model list, in the gateway's (the SDK's) shape."""

from __future__ import annotations

from typing import Any

from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway.catalog import ModelInfo, known_models, model_list_entry
from assemblyai_gateway.model_list import ModelList

__all__ = [
    "NEW_MODEL",
    "NEW_MODEL_INFO",
    "ask",
    "fetch_list",
    "gateway_list",
    "listed",
]

NEW_MODEL = "claude-sonnet-5"
"""The vendor SDK's example of a model newer than the built-in table."""

NEW_MODEL_INFO = ModelInfo(
    NEW_MODEL,
    "anthropic",
    500_000,
    64_000,
    native_streaming=True,
    supports_json_schema=True,
    supports_reasoning=True,
)
"""How the tests' gateway lists it: streamed natively, a 500k context, 64k output."""


def listed(info: ModelInfo, **changes: Any) -> dict[str, Any]:
    """``info`` as a list entry, with ``changes`` to its fields."""
    return {**model_list_entry(info), **changes}


def gateway_list(*extra: dict[str, Any]) -> dict[str, Any]:
    """The catalog's models, then ``extra`` entries (default: the new model)."""
    entries = [model_list_entry(info) for info in known_models()]
    return {"data": [*entries, *(extra or (listed(NEW_MODEL_INFO),))]}


def ask(model: str = NEW_MODEL, **fields: Any) -> dict[str, Any]:
    """A request to ``model``."""
    return {"model": model, "messages": [{"role": "user", "content": "Hi"}], **fields}


async def fetch_list(client: GatewayClient, mode: str) -> ModelList:
    """``client.fetch_model_list()`` or ``await client.afetch_model_list()``."""
    if mode == "sync":
        return client.fetch_model_list()
    return await client.afetch_model_list()
