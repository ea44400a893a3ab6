"""The vendor's own SDK as a contract for the gateway's answers (and so the emulator's).

``assemblyai`` 1.8.2 (a test dependency) models the chat-completions answers in
``assemblyai.llm_gateway.v1.models`` and reads error bodies in
``assemblyai.llm_gateway.v1.api``. A body the SDK cannot parse is one a user of the
vendor's SDK could not read, so the emulator must never send one (but on purpose: the
``malformed_body`` fault, and an error event inside a stream, which the SDK does not
model).

* :func:`sdk_completion` / :func:`sdk_chunk`: a 200 body or a stream event as the SDK
  parses it, or :class:`VendorViolation` naming what it refused;
* :func:`sdk_error`: an error answer as the SDK reads it (message, request id, field
  list), checked to be text the SDK's users can print;
* :func:`check_answer`: whichever of those a complete response is.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pydantic
import pydantic.v1
from assemblyai.llm_gateway.v1 import (
    LLMGatewayChatCompletion,
    LLMGatewayCompletionChunk,
    LLMGatewayError,
)
from assemblyai.llm_gateway.v1.api import _error_from_response

__all__ = [
    "VendorViolation",
    "check_answer",
    "sdk_checked_clients",
    "sdk_chunk",
    "sdk_completion",
    "sdk_error",
]


class VendorViolation(AssertionError):
    """An answer the vendor's SDK cannot read."""


# The SDK's models are pydantic v2 models, or v1 ones where pydantic-settings is missing
# (the SDK falls back to pydantic.v1): parse_obj and either ValidationError serve both.
_INVALID = (pydantic.ValidationError, pydantic.v1.ValidationError)


def _problems(error: pydantic.ValidationError | pydantic.v1.ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '<body>'}: {item['msg']}"
        for item in error.errors()
    )


def sdk_completion(body: object) -> LLMGatewayChatCompletion:
    """A non-streamed 200 body as the SDK's ``LLMGatewayChatCompletion``."""
    try:
        return LLMGatewayChatCompletion.parse_obj(body)
    except _INVALID as error:
        raise VendorViolation(f"not an LLMGatewayChatCompletion: {_problems(error)}") from None


def sdk_chunk(event: object) -> LLMGatewayCompletionChunk:
    """One stream event as the SDK's ``LLMGatewayCompletionChunk``."""
    try:
        return LLMGatewayCompletionChunk.parse_obj(event)
    except _INVALID as error:
        raise VendorViolation(f"not an LLMGatewayCompletionChunk: {_problems(error)}") from None


def sdk_error(response: httpx.Response) -> LLMGatewayError:
    """An error answer as the SDK reads it; its message must be text, not an object.

    The published spec's ``{"error": {...}}`` envelope is the one the SDK cannot read
    (its message would be the object): only the gateway's two envelopes pass.
    """
    error = _error_from_response(response)
    if not isinstance(error.args[0], str):
        raise VendorViolation(f"the SDK reads the error's message as {type(error.args[0])}")
    if error.request_id is not None and not isinstance(error.request_id, str):
        raise VendorViolation(f"the SDK reads request_id as {error.request_id!r}")
    if error.errors is not None and not all(isinstance(item, str) for item in error.errors):
        raise VendorViolation(f"the SDK types metadata.errors as strings: {error.errors!r}")
    return error


def _events(text: str) -> list[Any]:
    events = []
    for line in text.splitlines():
        if line.startswith("data: ") and line[len("data: ") :] != "[DONE]":
            events.append(json.loads(line[len("data: ") :]))
    return events


def check_answer(response: httpx.Response, *, spec_errors: bool = True) -> None:
    """Check a complete response as the SDK would read it.

    Args:
        response: A read response of ``POST /v1/chat/completions``.
        spec_errors: Whether error answers may be in the spec's envelope (which the
            SDK cannot read); ``False`` checks them with :func:`sdk_error`.
    """
    content_type = response.headers.get("content-type", "")
    if response.status_code == 200 and content_type.startswith("text/event-stream"):
        for event in _events(response.text):
            if "error" not in event:  # an error event mid-stream: not modelled
                sdk_chunk(event)
        return
    if not content_type.startswith("application/json"):
        return
    try:
        body = response.json()
    except json.JSONDecodeError:
        return  # only the malformed_body fault sends broken JSON
    if response.status_code == 200:
        if isinstance(body, dict) and "choices" in body:
            sdk_completion(body)
        return
    if not (spec_errors and isinstance(body, dict) and isinstance(body.get("error"), dict)):
        sdk_error(response)


def sdk_checked_clients() -> tuple[httpx.Client, httpx.AsyncClient]:
    """A sync and an async ``httpx`` client that read every plain (not streamed) answer
    as the vendor's SDK does, as it arrives (:func:`check_answer`); close both after use."""

    def check(response: httpx.Response) -> None:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            response.read()
            check_answer(response)

    async def acheck(response: httpx.Response) -> None:
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            await response.aread()
            check_answer(response)

    return (
        httpx.Client(event_hooks={"response": [check]}),
        httpx.AsyncClient(event_hooks={"response": [acheck]}),
    )
