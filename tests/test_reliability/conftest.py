"""Fixtures for the reliability and security suites.

The drivers, call specs and leak counters they hand out live in
``tests/support/reliability.py`` (see its docstring for how leaks are counted).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from assemblyai_gateway.emulator import GatewayEmulator
from tests.support.hostile import Hostile
from tests.support.reliability import (
    ADAPTERS,
    CALLS,
    DRIVERS,
    PLAIN_CALLS,
    SECRET_KEY,
    SSE_CALLS,
    AdapterDriver,
    AdapterName,
    CallSpec,
    Kit,
    ResponseCounter,
    point_env_at,
)


@pytest.fixture
def responses(monkeypatch: pytest.MonkeyPatch) -> ResponseCounter:
    """Counts the responses of every pool a model builds for itself during the test."""
    counter = ResponseCounter()
    counter.install(monkeypatch)
    return counter


@pytest.fixture(scope="module", autouse=True)
def _one_tls_context_per_module() -> Iterator[None]:
    """Build httpx's default TLS context once per module instead of once per client.

    Every model here builds its own pools, and each httpx client loads the CA bundle
    (~25 ms); this suite's traffic is plain HTTP on loopback, so the context is never
    used. Module-scoped so it never outlives this directory's tests. If httpx moves
    the function, the patch is skipped and the suite is only slower.
    """
    import httpx._transports.default as transports

    original = getattr(transports, "create_ssl_context", None)
    if original is None:
        yield
        return
    shared: list[Any] = []

    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if verify is not True or cert is not None or not trust_env:
            return original(verify=verify, cert=cert, trust_env=trust_env)
        if not shared:
            shared.append(original())
        return shared[0]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transports, "create_ssl_context", create_ssl_context)
        yield


@pytest.fixture(scope="session")
def reliability_emulator() -> Iterator[GatewayEmulator]:
    """This suite's own emulator (its own port; its key is ``SECRET_KEY``)."""
    with GatewayEmulator(api_key=SECRET_KEY) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def slow_emulator() -> Iterator[GatewayEmulator]:
    """A second emulator for delay faults, whose late answers must not reach other logs."""
    with GatewayEmulator(api_key=SECRET_KEY) as emulator:
        yield emulator


@pytest.fixture
def held_emulator() -> Iterator[GatewayEmulator]:
    """An emulator of the test's own, for requests that must never be answered.

    A ``Fault.delay(HELD)`` holds its request until the emulator stops, after the test,
    so what the client does while waiting (time out, be cancelled) is the only outcome,
    however slowly a loaded machine runs either side.
    """
    with GatewayEmulator(api_key=SECRET_KEY) as emulator:
        yield emulator


@pytest.fixture
def emulator(
    reliability_emulator: GatewayEmulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[GatewayEmulator]:
    """The suite's emulator, fresh for the test, with the environment pointing at it."""
    reliability_emulator.reset(settings=True)
    point_env_at(reliability_emulator, monkeypatch)
    yield reliability_emulator
    reliability_emulator.reset(settings=True)


@pytest.fixture(params=ADAPTERS)
def adapter(
    request: pytest.FixtureRequest, emulator: GatewayEmulator, responses: ResponseCounter
) -> Iterator[AdapterDriver]:
    """The driver of one adapter (each test using it runs for both)."""
    name: AdapterName = request.param
    driver = DRIVERS[name](emulator, responses)
    yield driver
    driver.close_all()


@pytest.fixture(params=CALLS, ids=[spec.id for spec in CALLS])
def call(request: pytest.FixtureRequest) -> CallSpec:
    """invoke/ainvoke (Claude) and stream/astream (gpt-5 over SSE, and Claude)."""
    spec: CallSpec = request.param
    return spec


@pytest.fixture(params=SSE_CALLS, ids=[spec.id for spec in SSE_CALLS])
def sse_call(request: pytest.FixtureRequest) -> CallSpec:
    """stream/astream of gpt-5, the calls answered with server-sent events."""
    spec: CallSpec = request.param
    return spec


@pytest.fixture(params=PLAIN_CALLS, ids=[spec.id for spec in PLAIN_CALLS])
def plain_call(request: pytest.FixtureRequest) -> CallSpec:
    """The calls answered with one JSON body (invoke, and pseudo-streamed Claude)."""
    spec: CallSpec = request.param
    return spec


@pytest.fixture
def kit() -> type[Kit]:
    """Constants and helpers (see :class:`Kit`)."""
    return Kit


@pytest.fixture
async def hostile() -> AsyncIterator[Hostile]:
    """Servers and clients started by a test, closed at its end."""
    started = Hostile()
    yield started
    await started.close()
