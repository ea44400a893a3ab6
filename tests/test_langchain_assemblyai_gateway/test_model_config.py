"""Parameters, aliases, environment, tracing params, profile, rate limiter, the lazy client."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.rate_limiters import InMemoryRateLimiter
from pydantic import SecretStr, ValidationError

from assemblyai_gateway import GatewayClient
from assemblyai_gateway.testing import completion_body
from langchain_assemblyai_gateway import ChatAssemblyAIGateway, __version__

API_KEY = "sk-test-0123456789-secret"


def test_package_exports() -> None:
    import assemblyai_gateway
    import langchain_assemblyai_gateway

    assert langchain_assemblyai_gateway.__all__ == [
        "AdaptiveRateLimiter",
        "AssemblyAITranscriptLoader",
        "AssemblyAIUnderstandingTransformer",
        "ChatAssemblyAIGateway",
        "__version__",
        "transcript_task",
        "transcript_tasks",
        "transcripts_from_documents",
    ]
    assert __version__ == assemblyai_gateway.__version__


def test_defaults() -> None:
    model = ChatAssemblyAIGateway()
    assert model.model == "claude-sonnet-4-5-20250929"
    assert model.api_key is None
    assert model.base_url is None
    assert model.region is None
    assert model.temperature is None
    assert model.max_tokens is None
    assert model.timeout is None
    assert model.max_retries == 2
    assert model.stop is None
    assert model.streaming is False
    assert model.stream_usage is True
    assert model.fallbacks is None
    assert model.model_kwargs == {}
    assert model._llm_type == "assemblyai-gateway"


def test_aliases() -> None:
    model = ChatAssemblyAIGateway(
        model_name="gpt-5",
        assemblyai_api_key=API_KEY,
        request_timeout=30,
        stop_sequences=["x"],
    )
    assert model.model == "gpt-5"
    assert isinstance(model.api_key, SecretStr)
    assert model.api_key.get_secret_value() == API_KEY
    assert model.timeout == 30
    assert model.stop == ["x"]


def test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSEMBLYAI_API_KEY", "env-key")
    monkeypatch.setenv("ASSEMBLYAI_GATEWAY_BASE_URL", "https://gw.example.test/v1")
    model = ChatAssemblyAIGateway()
    assert model.api_key is not None
    assert model.api_key.get_secret_value() == "env-key"
    assert model.base_url == "https://gw.example.test/v1"
    assert model.client.base_url == "https://gw.example.test/v1"


@pytest.mark.parametrize(
    "bad",
    [{"region": "asia"}, {"max_retries": -1}, {"max_tokens": 0}, {"model": ""}],
)
def test_invalid_settings_fail_at_init(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ChatAssemblyAIGateway(api_key="k", **bad)


def test_the_key_never_shows_in_repr_or_str() -> None:
    model = ChatAssemblyAIGateway(api_key=API_KEY)
    assert API_KEY not in repr(model)
    assert API_KEY not in str(model)
    assert API_KEY not in repr(model.client)
    assert API_KEY not in str(model.asdict())


def test_ls_params() -> None:
    model = ChatAssemblyAIGateway(api_key="k", temperature=0.3, max_tokens=50, stop=["END"])
    assert model._get_ls_params() == {
        "ls_provider": "assemblyai",
        "ls_model_name": "claude-sonnet-4-5-20250929",
        "ls_model_type": "chat",
        "ls_temperature": 0.3,
        "ls_max_tokens": 50,
        "ls_stop": ["END"],
    }


def test_ls_params_honour_per_call_values() -> None:
    model = ChatAssemblyAIGateway(api_key="k", temperature=0.3)
    params = model._get_ls_params(stop=["x"], model="gpt-5", temperature=1, max_tokens=9)
    assert params["ls_model_name"] == "gpt-5"
    assert params["ls_temperature"] == 1
    assert params["ls_max_tokens"] == 9
    assert params["ls_stop"] == ["x"]


def test_ls_params_leave_out_unset_values() -> None:
    params = ChatAssemblyAIGateway(api_key="k")._get_ls_params()
    assert set(params) == {"ls_provider", "ls_model_name", "ls_model_type"}


async def test_traces_report_the_per_call_model(make_model: Any, run: Any) -> None:
    from langchain_core.callbacks import BaseCallbackHandler

    seen: list[dict[str, Any]] = []

    class Metadata(BaseCallbackHandler):
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            seen.append(kwargs.get("metadata") or {})

    model, _ = make_model([completion_body("ok")])
    await run.invoke(model, "x", model="gpt-5", config={"callbacks": [Metadata()]})
    assert seen[0]["ls_model_name"] == "gpt-5"
    assert seen[0]["ls_provider"] == "assemblyai"


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        (
            "claude-sonnet-4-5-20250929",
            {"max_input_tokens": 200_000, "max_output_tokens": 64_000, "structured_output": True},
        ),
        ("gpt-5", {"max_input_tokens": 400_000, "max_output_tokens": 128_000}),
        ("gpt-oss-120b", {"structured_output": False}),
        ("gemini-2.5-pro", {"max_input_tokens": 1_048_576}),
        ("claude-3-haiku-20240307", {"status": "deprecated"}),
        ("kimi-k2.5", {"max_input_tokens": 128_000, "max_output_tokens": 4_096}),
    ],
)
def test_profile_comes_from_the_catalog(model_id: str, expected: dict[str, Any]) -> None:
    profile = ChatAssemblyAIGateway(model=model_id).profile
    assert profile is not None
    assert {key: profile.get(key) for key in expected} == expected
    assert profile["tool_calling"] is True
    assert profile["text_inputs"] is True
    assert profile["image_inputs"] is False
    assert profile["audio_inputs"] is False
    assert profile["pdf_inputs"] is False


def test_an_explicit_profile_wins() -> None:
    model = ChatAssemblyAIGateway(model="gpt-5", profile={"max_input_tokens": 10})
    assert model.profile == {"max_input_tokens": 10}


async def test_rate_limiter_is_consulted(
    make_model: Any, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    limiter = InMemoryRateLimiter(requests_per_second=1000, max_bucket_size=10)
    limiter.available_tokens = 10  # a full bucket: no waiting in the test
    calls: list[str] = []
    acquire, aacquire = limiter.acquire, limiter.aacquire

    def counting_acquire(*, blocking: bool = True) -> bool:
        calls.append("sync")
        return acquire(blocking=blocking)

    async def counting_aacquire(*, blocking: bool = True) -> bool:
        calls.append("async")
        return await aacquire(blocking=blocking)

    monkeypatch.setattr(limiter, "acquire", counting_acquire)
    monkeypatch.setattr(limiter, "aacquire", counting_aacquire)
    model, transport = make_model([completion_body("ok")], rate_limiter=limiter)
    await run.invoke(model, "one")
    await run.stream(model, "two")
    assert calls == [run.mode] * 2
    assert len(transport.requests) == 2


def test_the_client_is_built_lazily_and_reused() -> None:
    model = ChatAssemblyAIGateway(api_key="k", region="eu", timeout=12, max_retries=4)
    assert model._clients.client is None
    client = model.client
    assert isinstance(client, GatewayClient)
    assert model.client is client
    assert client.base_url == "https://llm-gateway.eu.assemblyai.com/v1"
    assert client.max_retries == 4
    assert client.timeout.read == 12


def test_the_client_is_rebuilt_when_settings_change() -> None:
    model = ChatAssemblyAIGateway(api_key="k")
    first = model.client
    model.region = "eu"
    assert model.client is not first
    assert model.client.is_eu


def test_base_url_beats_region() -> None:
    model = ChatAssemblyAIGateway(api_key="k", base_url="http://127.0.0.1:9/v1/", region="eu")
    assert model.client.url == "http://127.0.0.1:9/v1/chat/completions"


def test_injected_clients_are_used_and_never_closed() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=completion_body("x")))
    with httpx.Client(transport=transport) as http_client:
        model = ChatAssemblyAIGateway(api_key="k", http_client=http_client)
        assert model.invoke("x").content == "x"
        model.close()
        assert not http_client.is_closed


async def test_close_and_aclose_close_owned_pools(network: Any, run: Any) -> None:
    network([completion_body("x")])
    model = ChatAssemblyAIGateway(api_key="k")
    await run.invoke(model, "hi")
    model.close()
    await model.aclose()
    assert model.client._pools._client is None
