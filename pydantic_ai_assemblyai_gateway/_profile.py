"""The pydantic-ai model profile of a gateway model: the catalog's facts, the family's schema rules.

The gateway serves Claude, GPT and Gemini behind one OpenAI-shaped API. What a model can
do here comes from the core's catalog (tools, json_schema ``response_format``, context
window, retirement); how its tool and output schemas must be shaped is the model
family's, so the JSON schema transformer (and whether it can think) comes from
pydantic-ai's own profile function for the family, as pydantic-ai's OpenRouter provider
picks them for the same three families:

======================  ===========================  =================================
family (catalog)        pydantic-ai profile          schema transformer
======================  ===========================  =================================
``anthropic`` (Claude)  ``anthropic_model_profile``  none (as OpenRouter)
``openai`` (GPT)        ``openai_model_profile``     ``OpenAIJsonSchemaTransformer``
``google`` (Gemini)     ``google_model_profile``     ``GoogleJsonSchemaTransformer``
======================  ===========================  =================================

Everything else is the gateway's: text in, text out (no image, audio, video or document
input, no image output), no provider-native tools, and structured output by tool call
unless asked otherwise (``NativeOutput`` needs the catalog's json_schema support).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from pydantic_ai.profiles import ModelProfile
from pydantic_ai.profiles.anthropic import anthropic_model_profile
from pydantic_ai.profiles.google import google_model_profile
from pydantic_ai.profiles.openai import openai_model_profile

from assemblyai_gateway.catalog import Provider, get_model_info

__all__ = ["FAMILY_PROFILES", "gateway_model_profile"]

FAMILY_PROFILES: dict[Provider, Callable[[str], ModelProfile | None]] = {
    "anthropic": anthropic_model_profile,
    "openai": openai_model_profile,
    "google": google_model_profile,
}
"""pydantic-ai's profile function for each model family the catalog names."""

# What a family profile says about the model itself, kept; the rest of a family profile
# describes the vendor's own API (its caching, native tools, file inputs), not the gateway.
_FAMILY_KEYS = ("json_schema_transformer", "supports_thinking", "thinking_always_enabled")


def gateway_model_profile(model_name: str) -> ModelProfile:
    """The profile pydantic-ai uses for ``model_name`` on the gateway.

    Unknown ids get the catalog's conservative profile and the family guessed from the
    id's prefix (``claude``, ``gpt``, ``gemini``).

    Examples:
        >>> profile = gateway_model_profile("gpt-5")
        >>> profile["json_schema_transformer"].__name__, profile["supports_json_schema_output"]
        ('OpenAIJsonSchemaTransformer', True)
        >>> gateway_model_profile("gemini-2.5-flash")["json_schema_transformer"].__name__
        'GoogleJsonSchemaTransformer'
        >>> gateway_model_profile("claude-sonnet-4-5-20250929")["json_schema_transformer"] is None
        True
        >>> gateway_model_profile("gpt-oss-120b")["supports_json_schema_output"]
        False
    """
    info = get_model_info(model_name)
    family_profile = FAMILY_PROFILES.get(info.provider)
    family: dict[str, Any] = dict(family_profile(model_name) or {}) if family_profile else {}
    profile: dict[str, Any] = {
        "json_schema_transformer": None,
        **{key: family[key] for key in _FAMILY_KEYS if key in family},
        "supports_tools": info.supports_tools,
        "supports_json_schema_output": info.supports_json_schema,
        # The spec has no json_object format: PromptedOutput asks through instructions.
        "supports_json_object_output": False,
        "default_structured_output_mode": "tool",
        "supports_image_output": False,
        "supports_audio_input": False,
        "supported_native_tools": frozenset(),
        # Keys of newer pydantic-ai releases (older ones ignore them): text only, and
        # the catalog's context window.
        "supports_image_input": False,
        "supports_document_input": False,
        "supports_audio_file_input": False,
        "supports_video_input": False,
        "context_window": info.context_window,
    }
    return cast(ModelProfile, profile)
