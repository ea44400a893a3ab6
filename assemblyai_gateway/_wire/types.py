"""Typed wire models for the gateway's chat-completions request, response and stream chunks.

Every model keeps unknown fields (``extra="allow"``) so new gateway fields survive a
round trip. Shapes the sources disagree on are all accepted and normalised:

* tool calls on the choice (documented) **or** inside the message -> ``Choice.tool_calls``;
* usage as ``prompt_tokens``/``completion_tokens`` **or** ``input_tokens``/``output_tokens``
  -> ``Usage.input_tokens``/``output_tokens``/``total_tokens``; its details (cache reads
  and writes, reasoning tokens) under either naming -> :attr:`Usage.cache_read_tokens`,
  :attr:`Usage.cache_creation_tokens`, :attr:`Usage.reasoning_tokens`;
* the model's reasoning as ``thinking`` (or ``reasoning_content``) ->
  ``ResponseMessage.thinking`` / ``Delta.thinking``;
* message content as a string, ``null`` or a list of text parts -> ``str | None``;
* tool-call ``arguments`` as a JSON string or an already-decoded object -> JSON string;
* ``fallbacks`` and ``post_processing_steps`` as bare names or objects -> objects;
* ``reasoning`` as an effort level (``"high"``) or the gateway's object -> an object;
* Go's ``null`` for a list (``choices``, ``tool_calls``) or a count -> empty, 0.

This module is the public face; the models live in private modules by side (request,
usage, response and stream).
"""

from __future__ import annotations

from .request import (
    CacheControl,
    ChatCompletionRequest,
    Fallback,
    FallbackConfig,
    FunctionCall,
    FunctionDefinition,
    JsonSchemaFormat,
    Message,
    NamedToolChoice,
    NamedToolChoiceFunction,
    PostProcessingStep,
    ResponseFormat,
    StreamOptions,
    TextPart,
    Tool,
    ToolCall,
    ToolChoice,
    reasoning_object,
)
from .response import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    ChunkChoice,
    Delta,
    FunctionCallDelta,
    ResponseMessage,
    ToolCallDelta,
)
from .shapes import stable_tool_call_id
from .usage import CacheCreation, CompletionTokensDetails, PromptTokensDetails, Usage

__all__ = [
    "CacheControl",
    "CacheCreation",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "Choice",
    "ChunkChoice",
    "CompletionTokensDetails",
    "Delta",
    "Fallback",
    "FallbackConfig",
    "FunctionCall",
    "FunctionCallDelta",
    "FunctionDefinition",
    "JsonSchemaFormat",
    "Message",
    "NamedToolChoice",
    "NamedToolChoiceFunction",
    "PostProcessingStep",
    "PromptTokensDetails",
    "ResponseFormat",
    "ResponseMessage",
    "StreamOptions",
    "TextPart",
    "Tool",
    "ToolCall",
    "ToolCallDelta",
    "ToolChoice",
    "Usage",
    "reasoning_object",
    "stable_tool_call_id",
]
