"""The async pool: small httpx pools behind one gate, so no httpcore pool grows large."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from typing import Any

import httpx
import pytest

from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway._transport.sharded_async_pool import ShardedAsyncPool
from assemblyai_gateway.testing import ScriptedTransport, completion_body, text_sse
from tests.support.client_cases import CLAUDE, GPT


class HeldTransport(httpx.AsyncBaseTransport):
    """Answers only once ``release`` is set; counts the calls it holds at once."""

    def __init__(self, release: asyncio.Event) -> None:
        self.release = release
        self.in_flight = 0
        self.peak = 0
        self.served = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await self.release.wait()
        finally:
            self.in_flight -= 1
        self.served += 1
        return httpx.Response(200, json=completion_body("held"))


class Shards:
    """A ``make_client`` that records every shard it builds, each on its own transport."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.transports: list[HeldTransport] = []
        self.built: list[tuple[httpx.Limits, ssl.SSLContext]] = []

    def __call__(self, limits: httpx.Limits, tls: ssl.SSLContext) -> httpx.AsyncClient:
        self.built.append((limits, tls))
        self.transports.append(HeldTransport(self.release))
        return httpx.AsyncClient(transport=self.transports[-1], limits=limits, verify=tls)

    @property
    def peak_in_flight(self) -> int:
        return sum(t.peak for t in self.transports)


async def _post_through(pool: ShardedAsyncPool) -> int:
    async with pool.slot() as client:
        response = await client.post("http://gateway.test/v1/chat/completions")
        return response.status_code


async def _held_burst(pool: ShardedAsyncPool, shards: Shards, calls: int) -> list[int]:
    tasks = [asyncio.ensure_future(_post_through(pool)) for _ in range(calls)]
    for _ in range(20):  # let every call that can get a slot reach its transport
        await asyncio.sleep(0)
    shards.release.set()
    return await asyncio.gather(*tasks)


async def test_calls_that_fit_in_one_shard_use_one_client() -> None:
    shards = Shards()
    pool = ShardedAsyncPool(shards, shard_size=3, max_shards=4)

    statuses = await _held_burst(pool, shards, 3)

    assert statuses == [200] * 3
    assert len(pool.clients) == 1
    await pool.aclose()


async def test_a_full_shard_opens_the_next_and_no_shard_holds_more_than_its_size() -> None:
    shards = Shards()
    pool = ShardedAsyncPool(shards, shard_size=3, max_shards=4)

    statuses = await _held_burst(pool, shards, 8)

    assert statuses == [200] * 8
    assert len(pool.clients) == 3
    assert [t.peak for t in shards.transports] == [3, 3, 2]
    await pool.aclose()


async def test_calls_beyond_every_shard_wait_in_the_gate_and_all_finish() -> None:
    shards = Shards()
    pool = ShardedAsyncPool(shards, shard_size=2, max_shards=2)

    statuses = await _held_burst(pool, shards, 9)

    assert statuses == [200] * 9
    assert len(pool.clients) == 2
    assert shards.peak_in_flight == 4
    assert sum(t.served for t in shards.transports) == 9
    await pool.aclose()


async def test_every_shard_gets_the_shard_limits_and_shares_one_tls_context() -> None:
    shards = Shards()
    pool = ShardedAsyncPool(shards, shard_size=2, max_shards=3, keepalive_expiry=7.0)

    await _held_burst(pool, shards, 6)

    assert len(shards.built) == 3
    limits = {(lim.max_connections, lim.max_keepalive_connections, lim.keepalive_expiry)
              for lim, _ in shards.built}  # fmt: skip
    assert limits == {(2, 2, 7.0)}
    assert len({id(tls) for _, tls in shards.built}) == 1
    await pool.aclose()


async def test_a_failed_call_gives_its_slot_back() -> None:
    shards = Shards()
    pool = ShardedAsyncPool(shards, shard_size=1, max_shards=1)

    with pytest.raises(RuntimeError, match="boom"):
        async with pool.slot():
            raise RuntimeError("boom")
    shards.release.set()

    assert await asyncio.wait_for(_post_through(pool), timeout=5) == 200
    await pool.aclose()


async def test_streams_are_spread_over_the_shards_and_never_wait_in_the_gate() -> None:
    shards = Shards()
    pool = ShardedAsyncPool(shards, shard_size=1, max_shards=2)

    async with contextlib.AsyncExitStack() as stack:
        held = [await stack.enter_async_context(pool.stream_slot()) for _ in range(3)]
        # Past the pool's size: the third stream shares a shard instead of waiting.
        assert len(pool.clients) == 2
        assert held[0] is not held[1]
        assert await asyncio.wait_for(_post_through_stream_slot(pool), timeout=5) == 200

    shards.release.set()
    assert await asyncio.wait_for(_post_through(pool), timeout=5) == 200
    await pool.aclose()


async def _post_through_stream_slot(pool: ShardedAsyncPool) -> int:
    pool_clients = len(pool.clients)
    async with pool.stream_slot() as client:
        assert len(pool.clients) == pool_clients  # no shard beyond max_shards
        return 200 if isinstance(client, httpx.AsyncClient) else 0


async def test_closing_the_pool_closes_every_shard() -> None:
    shards = Shards()
    pool = ShardedAsyncPool(shards, shard_size=1, max_shards=3)
    await _held_burst(pool, shards, 3)
    assert pool.is_closed is False

    await pool.aclose()

    assert pool.is_closed is True
    assert [c.is_closed for c in pool.clients] == [True, True, True]


async def test_a_gateway_client_burst_spreads_over_small_httpx_pools(
    monkeypatch: pytest.MonkeyPatch, api_key: str
) -> None:
    release = asyncio.Event()
    transports: list[HeldTransport] = []
    created: list[httpx.AsyncClient] = []
    real = httpx.AsyncClient

    def factory(**kwargs: Any) -> httpx.AsyncClient:
        transports.append(HeldTransport(release))
        created.append(real(transport=transports[-1], **kwargs))
        return created[-1]

    monkeypatch.setattr(httpx, "AsyncClient", factory)  # what client.py looks up
    client = GatewayClient(api_key=api_key, max_retries=0)

    tasks = [asyncio.ensure_future(client.acreate(CLAUDE)) for _ in range(130)]
    for _ in range(50):
        await asyncio.sleep(0)
    held = sum(t.in_flight for t in transports)
    release.set()
    results = await asyncio.gather(*tasks)

    assert [r.choices[0].message.content for r in results] == ["held"] * 130
    assert held == 100  # the gate: 100 calls in flight, the other 30 wait
    assert max(t.peak for t in transports) <= 5
    assert len(created) == 20
    await client.aclose()
    assert all(c.is_closed for c in created)


async def test_concurrent_streams_spread_over_small_httpx_pools(
    monkeypatch: pytest.MonkeyPatch, api_key: str
) -> None:
    release = asyncio.Event()
    transports: list[HeldTransport] = []
    real = httpx.AsyncClient

    def factory(**kwargs: Any) -> httpx.AsyncClient:
        transports.append(HeldTransport(release))
        return real(transport=transports[-1], **kwargs)

    monkeypatch.setattr(httpx, "AsyncClient", factory)  # what client.py looks up
    client = GatewayClient(api_key=api_key, max_retries=0)

    async def stream_text() -> str:
        pieces = [c.choices[0].delta.content async for c in client.astream(GPT) if c.choices]
        return "".join(piece or "" for piece in pieces)

    tasks = [asyncio.ensure_future(stream_text()) for _ in range(12)]
    for _ in range(50):
        await asyncio.sleep(0)
    release.set()
    texts = await asyncio.gather(*tasks)

    assert texts == ["held"] * 12
    assert [t.peak for t in transports] == [5, 5, 2]
    await client.aclose()


def test_a_stream_left_open_when_its_loop_ends_closes_cleanly(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, api_key: str
) -> None:
    transport = ScriptedTransport([text_sse("a", "b", "c")], split_sse_every=20)
    real = httpx.AsyncClient
    monkeypatch.setattr(httpx, "AsyncClient", lambda **kw: real(transport=transport, **kw))
    client = GatewayClient(api_key=api_key, max_retries=0)

    kept: list[object] = []

    async def read_one_and_walk_away() -> None:
        stream = client.astream(GPT)
        await stream.__anext__()
        kept.append(stream)  # alive but never closed: the loop's shutdown finalises it

    with caplog.at_level(logging.ERROR, logger="asyncio"):
        asyncio.run(read_one_and_walk_away())

    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []
    assert transport.open_responses == 0


async def test_streams_abandoned_by_failing_readers_close_their_responses(
    monkeypatch: pytest.MonkeyPatch, api_key: str
) -> None:
    transport = ScriptedTransport([text_sse("a", "b", "c")], split_sse_every=20)
    real = httpx.AsyncClient
    monkeypatch.setattr(httpx, "AsyncClient", lambda **kw: real(transport=transport, **kw))
    client = GatewayClient(api_key=api_key, max_retries=0)

    async def read_then_fail() -> None:
        async for _ in client.astream(GPT):
            raise ValueError("the reader gave up")

    results = await asyncio.gather(*(read_then_fail() for _ in range(6)), return_exceptions=True)

    for _ in range(10):  # the loop finalises the abandoned streams
        await asyncio.sleep(0)

    assert [type(r) for r in results] == [ValueError] * 6
    assert transport.open_responses == 0
    async with client.astream(GPT) as stream:
        assert [c async for c in stream]
    await client.aclose()


def test_every_owned_pool_of_every_client_shares_one_tls_context(
    monkeypatch: pytest.MonkeyPatch, api_key: str
) -> None:
    transport = ScriptedTransport([completion_body("owned")])
    verified: list[object] = []
    real_sync, real_async = httpx.Client, httpx.AsyncClient

    def sync_factory(**kwargs: Any) -> httpx.Client:
        verified.append(kwargs.get("verify"))
        return real_sync(transport=transport, **kwargs)

    def async_factory(**kwargs: Any) -> httpx.AsyncClient:
        verified.append(kwargs.get("verify"))
        return real_async(transport=transport, **kwargs)

    monkeypatch.setattr(httpx, "Client", sync_factory)  # what client.py looks up
    monkeypatch.setattr(httpx, "AsyncClient", async_factory)
    first, second = GatewayClient(api_key=api_key), GatewayClient(api_key=api_key)

    first.create(CLAUDE)
    second.create(CLAUDE)
    asyncio.run(first.acreate(CLAUDE))
    asyncio.run(second.acreate(CLAUDE))

    # Loading the CA bundle costs a fresh model 20-60 ms; it is done once per process.
    assert len(verified) == 4
    assert all(isinstance(context, ssl.SSLContext) for context in verified)
    assert len({id(context) for context in verified}) == 1
    first.close()
    second.close()
