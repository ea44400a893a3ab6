"""``GET /v1/models``: the catalog, and the models a test added, in the gateway's shape.

Each entry is :func:`assemblyai_gateway.catalog.model_list_entry` (the vendor SDK's
``LLMGatewayModel``). The prices are examples, in US dollars per million tokens, so the
list has something to show; they are not the gateway's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assemblyai_gateway.catalog import known_models, model_list_entry

from ._state import EmulatedModel

__all__ = ["EXAMPLE_PRICES", "MODELS_PATH", "model_list_body"]

MODELS_PATH = "/v1/models"

EXAMPLE_PRICES: dict[str, tuple[float, float]] = {
    "claude-opus-4-6": (5.0, 25.0),
    "claude-sonnet-4-6": (3.0, 15.0),
    "claude-opus-4-5-20251101": (5.0, 25.0),
    "claude-sonnet-4-5-20250929": (3.0, 15.0),
    "claude-haiku-4-5-20251001": (1.0, 5.0),
    "claude-opus-4-20250514": (15.0, 75.0),
    "claude-sonnet-4-20250514": (3.0, 15.0),
    "claude-3-haiku-20240307": (0.25, 1.25),
    "gpt-5.2": (1.75, 14.0),
    "gpt-5.1": (1.25, 10.0),
    "gpt-5": (1.25, 10.0),
    "gpt-5-mini": (0.25, 2.0),
    "gpt-5-nano": (0.05, 0.4),
    "gpt-4.1": (2.0, 8.0),
    "gpt-oss-120b": (0.15, 0.6),
    "gpt-oss-20b": (0.05, 0.2),
    "gemini-3-pro-preview": (2.0, 12.0),
    "gemini-3-flash-preview": (0.5, 3.0),
    "gemini-2.5-pro": (1.25, 10.0),
    "gemini-2.5-flash": (0.3, 2.5),
    "gemini-2.5-flash-lite": (0.1, 0.4),
}
"""(prompt, completion) example prices per model id, in USD per million tokens."""


def _example_pricing(model_id: str) -> dict[str, Any] | None:
    prices = EXAMPLE_PRICES.get(model_id)
    if prices is None:
        return None
    return {"global": {"prompt": prices[0], "completions": prices[1]}}


def model_list_body(added: Mapping[str, EmulatedModel]) -> dict[str, Any]:
    """The 200 body: every catalog model (an added one replacing its catalog entry), then
    the added models the catalog does not know, in the order they were added."""
    entries = [
        model_list_entry(added[info.id].info, added[info.id].pricing)
        if info.id in added
        else model_list_entry(info, _example_pricing(info.id))
        for info in known_models()
    ]
    listed = {info.id for info in known_models()}
    entries += [
        model_list_entry(model.info, model.pricing)
        for model_id, model in added.items()
        if model_id not in listed
    ]
    return {"data": entries}
