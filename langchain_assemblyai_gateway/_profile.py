"""The LangChain model profile of a gateway model, from the core's catalog and the
gateway's live model list."""

from __future__ import annotations

from typing import cast

from langchain_core.language_models.model_profile import ModelProfile

from assemblyai_gateway.catalog import ModelInfo

__all__ = ["profile_for"]


def profile_for(info: ModelInfo) -> ModelProfile:
    """What LangChain should know about a model: limits and capabilities.

    ``info`` is what the model's gateway says of it (its live model list for a model the
    built-in table does not know, else the table); ids neither knows get the catalog's
    conservative defaults (128k context, 4k output). The gateway accepts text only, so
    every non-text input and output is ``False``.
    """
    profile = ModelProfile(
        max_input_tokens=info.context_window,
        max_output_tokens=info.max_output_tokens,
        text_inputs=True,
        image_inputs=False,
        image_url_inputs=False,
        pdf_inputs=False,
        audio_inputs=False,
        video_inputs=False,
        image_tool_message=False,
        pdf_tool_message=False,
        text_outputs=True,
        image_outputs=False,
        audio_outputs=False,
        video_outputs=False,
        tool_calling=info.supports_tools,
        tool_choice=info.supports_tools,
        tool_call_streaming=info.supports_tools,
        structured_output=info.supports_json_schema,
        reasoning_output=info.supports_reasoning,
        temperature=True,
    )
    if info.retired:
        profile["status"] = "deprecated"
    # Older langchain-core releases warn on keys their ModelProfile does not declare
    # (tool_call_streaming arrived in 1.5), so only the declared keys are returned.
    known = ModelProfile.__required_keys__ | ModelProfile.__optional_keys__
    return cast(ModelProfile, {key: value for key, value in profile.items() if key in known})
