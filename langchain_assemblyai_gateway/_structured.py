"""Output parsers for ``with_structured_output``: one per method, plus the raw wrapper."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.pydantic import is_basemodel_subclass

from assemblyai_gateway.compat import StructuredMethod

__all__ = ["StructuredMethod", "is_pydantic_class", "output_parser", "with_raw"]


def is_pydantic_class(schema: Any) -> bool:
    """Whether ``schema`` is a pydantic model class (then outputs are instances of it)."""
    return isinstance(schema, type) and is_basemodel_subclass(schema)


def output_parser(
    schema: Any, method: StructuredMethod, tool_name: str | None = None
) -> Runnable[AIMessage, Any]:
    """The parser that turns the model's message into the structured value.

    ``json_schema`` and ``json_mode`` parse the message text as JSON (a pydantic class
    validates it); ``function_calling`` reads the first call of ``tool_name``.
    """
    if method == "function_calling":
        if is_pydantic_class(schema):
            return PydanticToolsParser(tools=[schema], first_tool_only=True)
        return JsonOutputKeyToolsParser(key_name=tool_name or "", first_tool_only=True)
    if is_pydantic_class(schema):
        return PydanticOutputParser(pydantic_object=schema)
    return JsonOutputParser()


def with_raw(
    llm: Runnable[LanguageModelInput, AIMessage], parser: Runnable[AIMessage, Any]
) -> Runnable[LanguageModelInput, dict[str, Any]]:
    """``{"raw", "parsed", "parsing_error"}``: parsing errors are captured, not raised."""
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parse.with_fallbacks([no_parse], exception_key="parsing_error")
