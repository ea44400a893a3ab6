"""with_structured_output: json_schema, function_calling and json_mode, with and without raw."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from assemblyai_gateway.testing import completion_body, tool_call
from langchain_assemblyai_gateway._request import JSON_MODE_INSTRUCTION


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


class JokeDict(TypedDict):
    """Joke to tell user."""

    setup: Annotated[str, ..., "question to set up a joke"]
    punchline: Annotated[str, ..., "answer to resolve the joke"]


JOKE_SCHEMA: dict[str, Any] = {
    "title": "Joke",
    "description": "Joke to tell user.",
    "type": "object",
    "properties": {"setup": {"type": "string"}, "punchline": {"type": "string"}},
    "required": ["setup", "punchline"],
}
JOKE = {
    "setup": "Why did the cat sit on the computer?",
    "punchline": "To keep an eye on the mouse.",
}
SCHEMAS = [
    pytest.param(Joke, Joke(**JOKE), id="pydantic"),
    pytest.param(JokeDict, JOKE, id="typeddict"),
    pytest.param(JOKE_SCHEMA, JOKE, id="json-schema"),
]


@pytest.mark.parametrize(("schema", "expected"), SCHEMAS)
async def test_json_schema_method(make_model: Any, run: Any, schema: Any, expected: Any) -> None:
    model, transport = make_model([completion_body(json.dumps(JOKE))])
    result = await run.invoke(model.with_structured_output(schema), "Tell me a joke")
    assert result == expected
    response_format = transport.json_bodies[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == ("JokeDict" if schema is JokeDict else "Joke")
    assert set(response_format["json_schema"]["schema"]["properties"]) == {"setup", "punchline"}
    assert "strict" not in response_format["json_schema"]
    assert "tools" not in transport.json_bodies[0]


async def test_json_schema_strict_flag(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body(json.dumps(JOKE))])
    await run.invoke(model.with_structured_output(Joke, strict=True), "x")
    json_schema = transport.json_bodies[0]["response_format"]["json_schema"]
    assert json_schema["strict"] is True
    assert json_schema["schema"]["additionalProperties"] is False


async def test_json_schema_accepts_fenced_json(make_model: Any, run: Any) -> None:
    model, _ = make_model([completion_body(f"```json\n{json.dumps(JOKE)}\n```")])
    assert await run.invoke(model.with_structured_output(Joke), "x") == Joke(**JOKE)


@pytest.mark.parametrize(("schema", "expected"), SCHEMAS)
async def test_function_calling_method(
    make_model: Any, run: Any, schema: Any, expected: Any
) -> None:
    name = "JokeDict" if schema is JokeDict else "Joke"
    body = completion_body(None, tool_calls=[tool_call(name, JOKE, "c1")])
    model, transport = make_model([body])
    structured = model.with_structured_output(schema, method="function_calling")
    assert await run.invoke(structured, "x") == expected
    sent = transport.json_bodies[0]
    assert [t["function"]["name"] for t in sent["tools"]] == [name]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": name}}
    assert "response_format" not in sent


@pytest.mark.parametrize(("schema", "expected"), [*SCHEMAS, pytest.param(None, JOKE, id="none")])
async def test_json_mode_method(make_model: Any, run: Any, schema: Any, expected: Any) -> None:
    model, transport = make_model([completion_body(json.dumps(JOKE))])
    structured = model.with_structured_output(schema, method="json_mode")
    assert await run.invoke(structured, "Tell me a joke as JSON") == expected
    sent = transport.json_bodies[0]
    # JSON mode as the spec allows it: a json_schema of any object.
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {
            "name": "json_object",
            "schema": {"type": "object", "additionalProperties": True},
        },
    }
    assert sent["messages"][0] == {"role": "system", "content": JSON_MODE_INSTRUCTION}
    assert sent["messages"][1] == {"role": "user", "content": "Tell me a joke as JSON"}


async def test_json_mode_extends_an_existing_system_message(make_model: Any, run: Any) -> None:
    model, transport = make_model([completion_body(json.dumps(JOKE))])
    structured = model.with_structured_output(None, method="json_mode")
    await run.invoke(structured, [("system", "You are funny."), ("human", "A joke?")])
    system = transport.json_bodies[0]["messages"][0]
    assert system == {"role": "system", "content": f"You are funny.\n\n{JSON_MODE_INSTRUCTION}"}


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
async def test_include_raw(make_model: Any, run: Any, method: str) -> None:
    if method == "function_calling":
        body = completion_body(None, tool_calls=[tool_call("Joke", JOKE, "c1")])
    else:
        body = completion_body(json.dumps(JOKE))
    model, _ = make_model([body])
    structured = model.with_structured_output(Joke, method=method, include_raw=True)
    result = await run.invoke(structured, "x")
    assert set(result) == {"raw", "parsed", "parsing_error"}
    assert isinstance(result["raw"], AIMessage)
    assert result["parsed"] == Joke(**JOKE)
    assert result["parsing_error"] is None


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
async def test_parse_failure_is_captured_with_include_raw(
    make_model: Any, run: Any, method: str
) -> None:
    if method == "function_calling":
        body = completion_body(None, tool_calls=[tool_call("Joke", {"setup": "only"}, "c1")])
    else:
        body = completion_body("Sorry, I cannot do JSON today.")
    model, _ = make_model([body])
    structured = model.with_structured_output(Joke, method=method, include_raw=True)
    result = await run.invoke(structured, "x")
    assert isinstance(result["raw"], AIMessage)
    assert result["parsed"] is None
    assert isinstance(result["parsing_error"], Exception)


async def test_parse_failure_raises_without_include_raw(make_model: Any, run: Any) -> None:
    model, _ = make_model([completion_body("not json")])
    with pytest.raises(OutputParserException):
        await run.invoke(model.with_structured_output(Joke), "x")


@pytest.mark.parametrize("model_id", ["gpt-oss-120b", "gpt-oss-20b"])
async def test_models_without_json_schema_use_function_calling(
    make_model: Any, run: Any, model_id: str
) -> None:
    body = completion_body(None, tool_calls=[tool_call("Joke", JOKE, "c1")], model=model_id)
    model, transport = make_model([body], model=model_id)
    assert await run.invoke(model.with_structured_output(Joke), "x") == Joke(**JOKE)
    sent = transport.json_bodies[0]
    assert "response_format" not in sent
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "Joke"}}


async def test_structured_output_streams(make_model: Any, run: Any) -> None:
    model, _ = make_model([completion_body(json.dumps(JOKE))])
    chunks = await run.stream(model.with_structured_output(Joke), "x")
    assert chunks[-1] == Joke(**JOKE)


def test_schema_is_required_except_for_json_mode(make_model: Any) -> None:
    model, _ = make_model([completion_body("{}")])
    with pytest.raises(ValueError, match="schema is required"):
        model.with_structured_output(None)
    with pytest.raises(ValueError, match="method must be"):
        model.with_structured_output(Joke, method="xml")
