"""A key with stray whitespace or control characters: stripped, or refused without leaking.

The rule (``assemblyai_gateway._transport.setting_sources.clean_api_key``): whitespace
around the key is
stripped (a key read from a file ends in a newline); a control character left inside
it raises ``InvalidAPIKeyError`` before anything is sent, never retried, and no
exception text, log record or trace holds the key. Header values a transport refuses
(``LocalProtocolError``) never reach an exception's text either.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from assemblyai_gateway import ConfigurationError, GatewayClient, InvalidAPIKeyError
from assemblyai_gateway._transport.setting_sources import API_KEY_ENV
from assemblyai_gateway.emulator import GatewayEmulator

if TYPE_CHECKING:
    from tests.support.reliability import AdapterDriver, Kit

WAYS = ("invoke", "astream")
SECRET = "sk-aai-SECRET-9f8e7d"  # the suite's key (conftest.SECRET_KEY)


def _everything_about(error: BaseException, *, with_locals: bool = True) -> str:
    """What a log handler or an error tracker could print about ``error``.

    ``with_locals`` adds every frame's locals, for errors raised outside the test's own
    frame (which holds the test's secrets).
    """
    parts = [str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))]
    if with_locals:
        summary = traceback.TracebackException.from_exception(error, capture_locals=True)
        parts.append("".join(summary.format()))
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            parts.extend([str(linked), repr(linked)])
    return "\n".join(parts)


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "padded", [f"{SECRET}\n", f" {SECRET}", f"{SECRET}\r\n", f"\t{SECRET} "], ids=repr
)
@pytest.mark.parametrize("key_from", ["argument", "environment"])
async def test_whitespace_around_the_key_is_stripped(
    adapter: AdapterDriver,
    emulator: GatewayEmulator,
    monkeypatch: pytest.MonkeyPatch,
    kit: type[Kit],
    way: Any,
    padded: str,
    key_from: str,
) -> None:
    if key_from == "environment":
        monkeypatch.setenv(API_KEY_ENV, padded)
        llm = adapter.track(adapter.build(model=kit.CLAUDE, base_url=emulator.base_url))
    else:
        llm = adapter.make(kit.CLAUDE, max_retries=0, api_key=padded)

    assert (await adapter.call(llm, way)).ok().text == kit.ANSWER
    assert [r.status for r in emulator.requests] == [200]
    await adapter.aclose_all()


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    "broken",
    ["sk-aai-SE\nCRET-9f8e7d", f"{SECRET}\x00", "sk-aai-\rSECRET-9f8e7d", f"{SECRET}\x7f"],
    ids=repr,
)
@pytest.mark.parametrize("key_from", ["argument", "environment"])
async def test_a_control_character_in_the_key_raises_a_typed_error_that_never_shows_it(
    adapter: AdapterDriver,
    emulator: GatewayEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    retry_waits: list[float],
    kit: type[Kit],
    way: Any,
    broken: str,
    key_from: str,
) -> None:
    if key_from == "environment" and "\x00" in broken:
        pytest.skip("an environment variable cannot hold NUL")
    for name in ("", "assemblyai_gateway", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    error: BaseException
    if key_from == "environment":
        monkeypatch.setenv(API_KEY_ENV, broken)
        llm = adapter.track(
            adapter.build(model=kit.CLAUDE, base_url=emulator.base_url, max_retries=3)
        )
        error = (await adapter.call(llm, way)).failed()
    else:
        try:
            llm = adapter.make(kit.CLAUDE, max_retries=3, api_key=broken)
        except InvalidAPIKeyError as raised:
            error = raised
        else:
            error = (await adapter.call(llm, way)).failed()

    assert isinstance(error, InvalidAPIKeyError)
    assert emulator.requests == []  # nothing was sent
    assert retry_waits == []  # and nothing retried
    text = _everything_about(error) + caplog.text
    for piece in (broken, broken.strip(), "SECRET-9f8e7d", "sk-aai-SE"):
        assert piece not in text
    await adapter.aclose_all()


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_header_value_the_transport_refuses_never_reaches_the_error_text(
    emulator: GatewayEmulator, retry_waits: list[float], mode: str
) -> None:
    # httpx accepts this header on the client; h11 refuses it when sending, quoting it.
    headers = {"X-Team-Token": "team-token-0451\r\nX-Injected: yes"}
    injected = httpx.AsyncClient(headers=headers)
    injected_sync = httpx.Client(headers=headers)
    client = GatewayClient(
        api_key=SECRET,
        base_url=emulator.base_url,
        http_client=injected_sync,
        http_async_client=injected,
        max_retries=3,
    )
    request = {
        "model": "claude-sonnet-4-5-20250929",
        "messages": [{"role": "user", "content": "hi"}],
    }
    try:
        with pytest.raises(ConfigurationError) as raised:
            await (
                asyncio.to_thread(client.create, request)
                if mode == "sync"
                else client.acreate(request)
            )
    finally:
        await injected.aclose()
        await asyncio.to_thread(injected_sync.close)
    text = _everything_about(raised.value, with_locals=False)
    assert "team-token-0451" not in text
    assert SECRET not in text
    assert retry_waits == []
    assert emulator.requests == []


def test_default_headers_with_a_control_character_are_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match="X-Trace") as raised:
        GatewayClient(api_key=SECRET, default_headers={"X-Trace": "trace-value-77\n"})
    assert "trace-value-77" not in str(raised.value)
