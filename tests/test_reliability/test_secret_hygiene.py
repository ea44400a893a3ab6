"""The API key goes into the Authorization header of requests to the gateway, and
nowhere else: not in reprs, serialized models, exceptions, tracebacks, logs or traces.

The adapters are checked first, with the distinctive ``SECRET_KEY``
(``sk-aai-SECRET-9f8e7d``) the suite's emulator accepts, so full calls (with retries)
succeed; then the core ``GatewayClient`` alone, on a scripted transport.
"""

from __future__ import annotations

import json
import logging
import pickle
import socket
import traceback
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from langchain_core.load import dumpd, dumps
from langchain_core.tracers.run_collector import RunCollectorCallbackHandler
from llama_index.core.callbacks import CallbackManager, LlamaDebugHandler
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent

from assemblyai_gateway._transport.client import GatewayClient, InvalidRequestError
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV
from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk
from assemblyai_gateway.emulator import Fault, GatewayEmulator
from assemblyai_gateway.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    MissingAPIKeyError,
    ModelNotAvailableInRegionError,
    ResponseValidationError,
    StreamError,
)
from assemblyai_gateway.testing import (
    ScriptedTransport,
    chunk_body,
    completion_body,
    error_body,
    sse_body,
)
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway
from tests.support.call_arguments import CallbackRecorder

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, CallSpec, Kit, ResponseCounter


CLAUDE = "claude-sonnet-4-5-20250929"
SECRET_REF = {"lc": 1, "type": "secret", "id": ["ASSEMBLYAI_API_KEY"]}
REVOKED_KEY = "sk-aai-REVOKED-5a4b3c"  # sent by the "wrong key" scenario


def _assert_clean(text: str, *keys: str) -> None:
    for key in keys:
        assert key not in text, f"the key leaked into: ...{_around(text, key)}..."


def _around(text: str, key: str) -> str:
    at = text.find(key)
    return text[max(0, at - 120) : at + len(key) + 40]


def _error_text(error: BaseException) -> str:
    """Everything a user, a log handler or an error tracker could print about an error."""
    parts = [
        str(error),
        repr(error),
        repr(error.args),
        "".join(traceback.format_exception(error)),
        # What error trackers (Sentry and the like) capture: every frame's locals.
        "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format()),
    ]
    parts.extend(repr(value) for value in vars(error).values())
    cause = error.__cause__ or error.__context__
    if cause is not None:
        parts.extend([str(cause), repr(cause), repr(vars(cause))])
    return "\n".join(parts)


def _model_texts(llm: Any) -> str:
    texts = [repr(llm), str(llm), repr(vars(llm)), repr(llm.model_dump())]
    texts.append(llm.model_dump_json())
    return "\n".join(texts)


# --------------------------------------------------------------------- repr and str


@pytest.mark.parametrize("key_from", ["argument", "environment"])
async def test_repr_str_and_dumps_of_the_model_never_show_the_key(
    adapter: AdapterDriver,
    emulator: GatewayEmulator,
    monkeypatch: pytest.MonkeyPatch,
    kit: type[Kit],
    key_from: str,
) -> None:
    if key_from == "environment":
        llm = adapter.track(adapter.build(model=CLAUDE, max_retries=0))
    else:
        monkeypatch.delenv("ASSEMBLYAI_API_KEY")
        llm = adapter.make(CLAUDE, max_retries=0)

    before = _model_texts(llm)
    reply = (await adapter.call(llm, "invoke")).ok()  # the key was good enough to call
    after = _model_texts(llm)

    assert reply.text == kit.ANSWER
    _assert_clean(before + after, kit.SECRET_KEY)
    core = llm.client if adapter.name == "langchain" else llm._gateway_client()
    assert "api_key=<set>" in repr(core)
    _assert_clean(repr(core) + str(core), kit.SECRET_KEY)


# ------------------------------------------------------------------- serialization


@pytest.mark.parametrize("key_from", ["argument", "environment"])
def test_langchain_dumpd_and_dumps_hold_the_key_only_as_a_secret_reference(
    emulator: GatewayEmulator,
    monkeypatch: pytest.MonkeyPatch,
    kit: type[Kit],
    key_from: str,
) -> None:
    if key_from == "argument":
        monkeypatch.delenv("ASSEMBLYAI_API_KEY")
        llm = ChatAssemblyAIGateway(model=CLAUDE, api_key=kit.SECRET_KEY, max_retries=0)
    else:
        llm = ChatAssemblyAIGateway(model=CLAUDE, max_retries=0)
    try:
        for moment in ("before a call", "after a call"):
            data = dumpd(llm)
            assert data["kwargs"]["api_key"] == SECRET_REF, moment
            assert _secret_refs(data) == [SECRET_REF], moment
            _assert_clean(json.dumps(data) + dumps(llm) + dumps(llm, pretty=True), kit.SECRET_KEY)
            llm.invoke("Say hello")
    finally:
        llm.close()


def _secret_refs(node: Any) -> list[Any]:
    """Every ``{"type": "secret"}`` node of a dumpd tree."""
    if isinstance(node, dict):
        found = [node] if node.get("type") == "secret" else []
        for value in node.values():
            found.extend(_secret_refs(value))
        return found
    if isinstance(node, list):
        return [ref for item in node for ref in _secret_refs(item)]
    return []


def test_llama_index_to_dict_to_json_and_to_payload_never_hold_the_key(
    emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    llm = AssemblyAIGateway(
        model=CLAUDE, api_key=kit.SECRET_KEY, base_url=emulator.base_url, max_retries=0
    )
    assert hasattr(llm, "to_payload")  # this adapter's instrumentation payload
    try:
        for _ in ("before a call", "after a call"):
            as_dict = llm.to_dict()
            assert "api_key" not in as_dict
            assert "api_key" not in llm.to_payload()
            texts = [repr(as_dict), llm.to_json(), repr(llm.to_payload()), repr(llm.metadata)]
            _assert_clean("\n".join(texts), kit.SECRET_KEY)
            llm.complete("Say hello")
    finally:
        llm.close()


def test_a_pickle_holds_the_key_so_it_is_treated_as_a_secret(
    emulator: GatewayEmulator, kit: type[Kit]
) -> None:
    # Documented: a pickled model carries its key (it must work after loading).
    for llm in (
        ChatAssemblyAIGateway(model=CLAUDE, api_key=kit.SECRET_KEY),
        AssemblyAIGateway(model=CLAUDE, api_key=kit.SECRET_KEY),
    ):
        restored = pickle.loads(pickle.dumps(llm))
        assert restored.api_key is not None
        assert restored.api_key.get_secret_value() == kit.SECRET_KEY
        _assert_clean(repr(restored), kit.SECRET_KEY)


# ---------------------------------------------------------- exceptions, tracebacks


@pytest.mark.parametrize("scenario", ["wrong-key-401", "scripted-401", "connection-refused"])
async def test_exceptions_and_tracebacks_never_contain_the_key(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    kit: type[Kit],
    scenario: str,
) -> None:
    if scenario == "wrong-key-401":
        llm = adapter.make(call.model, max_retries=1, api_key=REVOKED_KEY)
    elif scenario == "scripted-401":
        llm = adapter.make(call.model, max_retries=1)
        emulator.inject(Fault.status(401, "Invalid API key"))
    else:
        with socket.socket() as probe:  # a loopback port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        llm = adapter.make(call.model, max_retries=1, base_url=f"http://127.0.0.1:{port}/v1")

    error = (await adapter.call(llm, call.way)).failed()

    expected = APIConnectionError if scenario == "connection-refused" else AuthenticationError
    assert isinstance(error, expected)
    _assert_clean(_error_text(error), kit.SECRET_KEY, REVOKED_KEY)
    await adapter.aclose_all()


# --------------------------------------------------------------------------- logs

_LOGGERS = (
    "",
    "assemblyai_gateway",
    "httpx",
    "httpcore",
    "langchain_core",
    "llama_index",
    "llama_index_assemblyai_gateway",
)


async def test_debug_logs_of_a_full_call_with_a_retry_never_contain_the_key(
    adapter: AdapterDriver,
    call: CallSpec,
    emulator: GatewayEmulator,
    retry_waits: list[float],
    caplog: pytest.LogCaptureFixture,
    kit: type[Kit],
) -> None:
    for name in _LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    llm = adapter.make(call.model, max_retries=2)
    emulator.inject(Fault.rate_limit(retry_after_ms=1))
    emulator.inject(Fault.drop_connection())

    assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER

    assert [r.status for r in emulator.requests] == [429, None, 200]
    records = caplog.records
    retries = [r for r in records if r.getMessage().startswith("retrying gateway request")]
    assert len(retries) == 2
    assert any(r.name.startswith("httpcore") and r.levelno == logging.DEBUG for r in records)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s %(pathname)s")
    for record in records:
        text = "\n".join([formatter.format(record), repr(record.args), repr(vars(record))])
        _assert_clean(text, kit.SECRET_KEY)
    _assert_clean(caplog.text, kit.SECRET_KEY)
    await adapter.aclose_all()


# ---------------------------------------------------------------- LangSmith, traces


async def test_langsmith_trace_parameters_never_contain_the_key(
    emulator: GatewayEmulator, call: CallSpec, kit: type[Kit]
) -> None:
    llm = ChatAssemblyAIGateway(
        model=call.model, api_key=kit.SECRET_KEY, base_url=emulator.base_url, max_retries=0
    )
    recorder, runs = CallbackRecorder(), RunCollectorCallbackHandler()
    config: Any = {"callbacks": [recorder, runs]}
    try:
        if call.way == "invoke":
            llm.invoke("Say hello", config=config)
        elif call.way == "ainvoke":
            await llm.ainvoke("Say hello", config=config)
        elif call.way == "stream":
            list(llm.stream("Say hello", config=config))
        else:
            [chunk async for chunk in llm.astream("Say hello", config=config)]
    finally:
        await llm.aclose()

    assert len(recorder.seen) == 3  # start (serialized + kwargs) and end
    assert "ls_provider" in recorder.seen[1]
    assert runs.traced_runs, "no run was traced"
    traced = [run.model_dump_json() for run in runs.traced_runs]
    assert all('"invocation_params"' in text for text in traced)
    direct = [
        repr(llm._get_ls_params()),
        repr(llm._get_invocation_params()),
        repr(llm._identifying_params),
        repr(llm.asdict()),
    ]
    _assert_clean("\n".join(recorder.seen + traced + direct), kit.SECRET_KEY)


class _Events(BaseEventHandler):
    """Every LlamaIndex instrumentation event, rendered as text."""

    seen: list[str] = []

    @classmethod
    def class_name(cls) -> str:
        return "SecretHygieneEvents"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.seen.append(repr(event))
        self.seen.append(event.model_dump_json(fallback=repr))


async def test_llama_index_instrumentation_and_callbacks_never_contain_the_key(
    call: CallSpec, emulator: GatewayEmulator, responses: ResponseCounter, kit: type[Kit]
) -> None:
    adapter = kit.DRIVERS["llama_index"](emulator, responses)
    debug = LlamaDebugHandler()
    llm = adapter.make(call.model, max_retries=0, callback_manager=CallbackManager([debug]))
    events = _Events(seen=[])
    root = get_dispatcher()
    root.add_event_handler(events)
    try:
        assert (await adapter.call(llm, call.way)).ok().text == kit.ANSWER
    finally:
        root.event_handlers = [h for h in root.event_handlers if h is not events]

    assert events.seen
    payloads = [repr(pair) for pair in debug.get_llm_inputs_outputs()]
    assert payloads
    _assert_clean("\n".join(events.seen + payloads), kit.SECRET_KEY)
    await adapter.aclose_all()


# --------------------------------------------------------------- the core client alone


MakeClient = Callable[..., GatewayClient]
Complete = Callable[[GatewayClient, Mapping[str, Any]], Awaitable[ChatCompletion]]
CollectStream = Callable[..., Awaitable[tuple[list[ChatCompletionChunk], BaseException | None]]]

REQUEST = {"model": "claude-haiku-4-5-20251001", "messages": [{"role": "user", "content": "Hi"}]}
GPT = {**REQUEST, "model": "gpt-5"}


def _all_text(error: BaseException) -> str:
    """Everything a user or a log handler could print about an error, chained causes too."""
    parts = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
    parts.extend(repr(value) for value in vars(error).values())
    return "\n".join(parts)


def _assert_error_clean(error: BaseException | None, key: str) -> None:
    assert error is not None
    assert key not in _all_text(error)


@pytest.mark.usefixtures("no_api_key_env")
def test_repr_and_str_of_the_client_hide_the_key(api_key: str) -> None:
    client = GatewayClient(api_key=api_key)

    assert api_key not in repr(client)
    assert api_key not in str(client)
    assert "api_key=<set>" in repr(client)
    assert api_key not in repr(vars(client))


def test_repr_hides_a_key_that_comes_from_env(
    api_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, api_key)

    assert api_key not in repr(GatewayClient())
    assert "api_key=<set>" in repr(GatewayClient())


@pytest.mark.usefixtures("no_api_key_env")
def test_repr_says_when_no_key_is_set() -> None:
    assert "api_key=<unset>" in repr(GatewayClient())


@pytest.mark.parametrize(
    "step",
    [
        httpx.Response(401, json=error_body(401, "Invalid API key")),
        httpx.Response(400, json=error_body(400, "bad", [{"field": "messages"}])),
        httpx.Response(503, text="upstream unavailable"),
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("read timed out"),
        httpx.Response(200, content=b"<html>not json</html>"),
    ],
)
async def test_errors_from_a_call_never_contain_the_key(
    make_client: MakeClient, complete: Complete, api_key: str, step: Any
) -> None:
    transport = ScriptedTransport([step])
    client = make_client(transport, max_retries=1)

    with pytest.raises(
        (APIStatusError, APIConnectionError, APITimeoutError, ResponseValidationError)
    ) as info:
        await complete(client, REQUEST)

    assert transport.requests[0].headers["authorization"] == api_key  # the key was sent
    _assert_error_clean(info.value, api_key)


async def test_status_errors_keep_only_response_headers(
    make_client: MakeClient, complete: Complete, api_key: str
) -> None:
    transport = ScriptedTransport([httpx.Response(401, json=error_body(401, "Invalid API key"))])

    with pytest.raises(AuthenticationError) as info:
        await complete(make_client(transport), REQUEST)

    assert "authorization" not in {k.lower() for k in info.value.headers}
    assert api_key not in repr(info.value.headers)


async def test_stream_errors_never_contain_the_key(
    make_client: MakeClient, collect_stream: CollectStream, api_key: str
) -> None:
    broken = sse_body([chunk_body("a"), {"error": {"code": 500, "message": "boom"}}])
    transport = ScriptedTransport([broken], split_sse_every=8)

    _, error = await collect_stream(make_client(transport), GPT)

    assert isinstance(error, StreamError)
    _assert_error_clean(error, api_key)


@pytest.mark.usefixtures("no_api_key_env")
async def test_configuration_errors_never_contain_the_key(
    make_client: MakeClient, complete: Complete, api_key: str
) -> None:
    transport = ScriptedTransport([completion_body()])
    eu_client = make_client(transport, region="eu")

    with pytest.raises(InvalidRequestError) as invalid:
        await complete(eu_client, {"model": "gpt-5", "max_tokens": 0})
    with pytest.raises(ModelNotAvailableInRegionError) as region:
        await complete(eu_client, GPT)
    with pytest.raises(MissingAPIKeyError) as missing:
        await complete(make_client(transport, api_key=None), REQUEST)

    for error in (invalid.value, region.value, missing.value):
        _assert_error_clean(error, api_key)
    assert transport.requests == []


async def test_debug_logs_of_a_full_call_with_retries_never_contain_the_key(
    make_client: MakeClient,
    complete: Complete,
    collect_stream: CollectStream,
    api_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = ScriptedTransport(
        [
            httpx.Response(429, json=error_body(429, "slow"), headers={"retry-after": "1"}),
            httpx.ConnectError("connection reset"),
            httpx.Response(503, json=error_body(503, "busy")),
            completion_body("finally"),
            sse_body([chunk_body("streamed"), chunk_body(finish_reason="stop")]),
        ]
    )
    client = make_client(transport, max_retries=3)
    caplog.set_level(logging.DEBUG)

    completion = await complete(client, REQUEST)
    chunks, error = await collect_stream(client, GPT)

    assert completion.choices[0].message.content == "finally"
    assert error is None
    assert chunks[0].choices[0].delta.content == "streamed"
    assert len(transport.requests) == 5
    own = [r for r in caplog.records if r.name == "assemblyai_gateway"]
    assert sum(r.getMessage().startswith("retrying") for r in own) == 3
    assert any(r.levelno == logging.DEBUG for r in own)
    for record in caplog.records:
        assert api_key not in record.getMessage()
        assert api_key not in repr(record.args)
    assert api_key not in caplog.text
