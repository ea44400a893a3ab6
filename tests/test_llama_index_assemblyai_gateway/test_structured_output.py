"""structured_predict (json_schema or function calling), its streams and as_structured_llm."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import PydanticProgramMode
from pydantic import BaseModel, ValidationError

from assemblyai_gateway.testing import chunk_body, completion_body, sse_body, tool_call

if TYPE_CHECKING:
    from tests.test_llama_index_assemblyai_gateway.conftest import (
        Runner,
        ScriptedFactory,
        Weather,
    )

PROMPT = PromptTemplate("Report the weather in {city}.")
ANSWER = {"city": "Paris", "temperature_c": 21.5, "conditions": ["sunny", "calm"]}
ANSWER_TEXT = json.dumps(ANSWER)


def _json_pieces(text: str, size: int = 9) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _content_sse(text: str) -> bytes:
    return sse_body(
        [
            *(chunk_body(piece) for piece in _json_pieces(text)),
            chunk_body(finish_reason="stop"),
            chunk_body(usage=(30, 20), choices=False),
        ]
    )


def _tool_sse(name: str, text: str) -> bytes:
    first = {"index": 0, "id": "call_s", "type": "function", "function": {"name": name}}
    return sse_body(
        [
            chunk_body(tool_calls=[first]),
            *(
                chunk_body(tool_calls=[{"index": 0, "function": {"arguments": piece}}])
                for piece in _json_pieces(text)
            ),
            chunk_body(finish_reason="tool_calls"),
        ]
    )


def _expect_json_schema(body: dict[str, Any], output_cls: type[BaseModel]) -> None:
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": output_cls.__name__, "schema": output_cls.model_json_schema()},
    }
    assert "tools" not in body
    assert "tool_choice" not in body


@pytest.mark.parametrize("model", ["claude-sonnet-4-5-20250929", "gpt-5", "kimi-k2.5"])
async def test_json_schema_mode(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather], model: str
) -> None:
    s = scripted(completion_body(ANSWER_TEXT, model=model), model=model)
    result = await runner.structured_predict(s.llm, weather_cls, PROMPT, city="Paris")
    assert result == weather_cls(**ANSWER)
    _expect_json_schema(s.bodies[0], weather_cls)
    assert s.bodies[0]["messages"] == [{"role": "user", "content": "Report the weather in Paris."}]


async def test_json_schema_mode_honours_llm_kwargs(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    custom = {"type": "json_schema", "json_schema": {"name": "w", "schema": {}, "strict": True}}
    s = scripted(completion_body(ANSWER_TEXT))
    await runner.structured_predict(
        s.llm,
        weather_cls,
        PROMPT,
        llm_kwargs={"response_format": custom, "max_tokens": 77, "tool_choice": "auto"},
        city="Paris",
    )
    assert s.bodies[0]["response_format"] == custom
    assert s.bodies[0]["max_tokens"] == 77
    assert "tool_choice" not in s.bodies[0]


async def test_json_schema_mode_accepts_a_code_fence(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(completion_body(f"```json\n{ANSWER_TEXT}\n```"))
    assert await runner.structured_predict(s.llm, weather_cls, PROMPT, city="Paris") == (
        weather_cls(**ANSWER)
    )


async def test_json_schema_mode_invalid_answer_raises(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(completion_body('{"city": "Paris"}'))
    with pytest.raises(ValidationError):
        await runner.structured_predict(s.llm, weather_cls, PROMPT, city="Paris")


async def test_system_prompt_is_prepended(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(completion_body(ANSWER_TEXT), system_prompt="You report weather.")
    await runner.structured_predict(s.llm, weather_cls, PROMPT, city="Paris")
    assert s.bodies[0]["messages"][0] == {"role": "system", "content": "You report weather."}


@pytest.mark.parametrize("in_message", [False, True], ids=["on_choice", "in_message"])
async def test_function_calling_mode_for_gpt_oss(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather], in_message: bool
) -> None:
    body = completion_body(
        None, tool_calls=[tool_call("Weather", ANSWER)], tool_calls_in_message=in_message
    )
    s = scripted(body, model="gpt-oss-120b")
    result = await runner.structured_predict(s.llm, weather_cls, PROMPT, city="Paris")
    assert result == weather_cls(**ANSWER)
    sent = s.bodies[0]
    assert "response_format" not in sent
    assert [tool["function"]["name"] for tool in sent["tools"]] == ["Weather"]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
    assert "parallel_tool_calls" not in sent


async def test_program_mode_llm_is_respected(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(completion_body(ANSWER_TEXT), pydantic_program_mode=PydanticProgramMode.LLM)
    # A copy: LlamaIndex's text-completion program sets its output parser on the prompt it
    # is given, which would add the schema instructions to every later test's messages.
    prompt = PromptTemplate(PROMPT.template)
    result = await runner.structured_predict(s.llm, weather_cls, prompt, city="Paris")
    assert result == weather_cls(**ANSWER)
    assert "response_format" not in s.bodies[0]
    assert "tools" not in s.bodies[0]


async def test_stream_structured_predict_native_json_schema(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(_content_sse(ANSWER_TEXT), model="gpt-5")
    items = await runner.stream_structured_predict(s.llm, weather_cls, PROMPT, city="Paris")
    _expect_json_schema(s.bodies[0], weather_cls)
    assert s.bodies[0]["stream"] is True
    assert len(items) > 2
    assert items[-1] == weather_cls(**ANSWER)
    assert isinstance(items[-1], weather_cls)
    cities = [getattr(item, "city", None) for item in items]
    assert cities[-1] == "Paris"
    assert any(city != "Paris" for city in cities)  # earlier items were partial
    assert all(items[i] != items[i + 1] for i in range(len(items) - 1))  # only changes


async def test_stream_structured_predict_pseudo_stream(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(completion_body(ANSWER_TEXT))
    items = await runner.stream_structured_predict(s.llm, weather_cls, PROMPT, city="Paris")
    assert "stream" not in s.bodies[0]
    assert items == [weather_cls(**ANSWER)]


async def test_stream_structured_predict_invalid_final_raises(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(_content_sse('{"city": "Paris", "temperature_c": "warm"}'), model="gpt-5")
    with pytest.raises(ValidationError):
        await runner.stream_structured_predict(s.llm, weather_cls, PROMPT, city="Paris")


async def test_stream_structured_predict_function_calling(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(_tool_sse("Weather", ANSWER_TEXT), model="gpt-oss-20b")
    items = await runner.stream_structured_predict(s.llm, weather_cls, PROMPT, city="Paris")
    sent = s.bodies[0]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
    assert "response_format" not in sent
    assert items[-1] == weather_cls(**ANSWER)
    assert len(items) > 2


async def test_as_structured_llm_chat(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(
        completion_body(ANSWER_TEXT),
        completion_body(None, tool_calls=[tool_call("Weather", ANSWER)], model="gpt-oss-120b"),
    )
    structured = s.llm.as_structured_llm(weather_cls)
    messages = [ChatMessage(role="user", content="Weather in Paris?")]
    if runner.is_async:
        response = await structured.achat(messages)
    else:
        response = structured.chat(messages)
    assert response.raw == weather_cls(**ANSWER)
    assert json.loads(response.message.content or "") == ANSWER
    _expect_json_schema(s.bodies[0], weather_cls)
    s.llm.model = "gpt-oss-120b"
    if runner.is_async:
        response = await structured.achat(messages)
    else:
        response = structured.chat(messages)
    assert response.raw == weather_cls(**ANSWER)
    assert s.bodies[1]["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}


# llama-index-core's StructuredLLM.stream_chat serialises partial objects with pydantic's
# deprecated ``.json()``; the warning comes from that third-party code, not from ours.
@pytest.mark.filterwarnings(
    "ignore:The `json` method is deprecated:pydantic.warnings.PydanticDeprecatedSince20"
)
async def test_as_structured_llm_stream_chat(
    scripted: ScriptedFactory, runner: Runner, weather_cls: type[Weather]
) -> None:
    s = scripted(_content_sse(ANSWER_TEXT), _tool_sse("Weather", ANSWER_TEXT), model="gpt-5")
    structured = s.llm.as_structured_llm(weather_cls)
    messages = [ChatMessage(role="user", content="Weather in Paris?")]
    for model in ("gpt-5", "gpt-oss-120b"):
        s.llm.model = model
        if runner.is_async:
            responses = [r async for r in await structured.astream_chat(messages)]
        else:
            responses = list(structured.stream_chat(messages))
        assert len(responses) > 1
        assert responses[-1].raw == weather_cls(**ANSWER)
        assert json.loads(responses[-1].message.content or "") == ANSWER
    _expect_json_schema(s.bodies[0], weather_cls)
    assert s.bodies[1]["tool_choice"] == {"type": "function", "function": {"name": "Weather"}}
