"""The process-wide TLS context, and the deadline-bounded sockets of the sync pools."""

from __future__ import annotations

import shutil
from pathlib import Path

import certifi
import httpcore
import httpx
import pytest

from assemblyai_gateway._transport.attempt_limits import Deadline
from assemblyai_gateway._transport.deadline_io import (
    AsyncDeadlineBackend,
    DeadlineBackend,
    bound_by_deadlines,
    bounded_by,
)
from assemblyai_gateway._transport.pool_registry import Pools
from assemblyai_gateway._transport.sharded_async_pool import shared_tls_context


@pytest.fixture
def clean_tls_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "SSLKEYLOGFILE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_tls_context_is_shared_while_its_settings_stay_the_same(
    clean_tls_environment: pytest.MonkeyPatch,
) -> None:
    assert shared_tls_context() is shared_tls_context()


def test_the_tls_context_is_rebuilt_when_a_setting_changes(
    clean_tls_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    default = shared_tls_context()
    bundle = tmp_path / "bundle.pem"
    shutil.copy(certifi.where(), bundle)

    clean_tls_environment.setenv("SSL_CERT_FILE", str(bundle))
    from_file = shared_tls_context()
    assert from_file is not default
    assert shared_tls_context() is from_file

    first_certificate = bundle.read_text().split("-----END CERTIFICATE-----")[0]
    bundle.write_text(first_certificate + "-----END CERTIFICATE-----\n")  # rewritten in place
    rewritten = shared_tls_context()
    assert rewritten is not from_file
    assert rewritten.cert_store_stats()["x509_ca"] == 1

    clean_tls_environment.delenv("SSL_CERT_FILE")
    clean_tls_environment.setenv("SSL_CERT_DIR", str(tmp_path))
    assert shared_tls_context() is not rewritten


def test_a_new_sync_pool_uses_the_current_tls_settings(
    clean_tls_environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = Pools(httpx.Timeout(5.0), httpx.Limits(max_connections=2))
    old_tls = before.sync_client()._transport._pool._ssl_context  # type: ignore[attr-defined]
    bundle = tmp_path / "bundle.pem"
    first_certificate = Path(certifi.where()).read_text().split("-----END CERTIFICATE-----")[0]
    bundle.write_text(first_certificate + "-----END CERTIFICATE-----\n")
    clean_tls_environment.setenv("SSL_CERT_FILE", str(bundle))

    after = Pools(httpx.Timeout(5.0), httpx.Limits(max_connections=2))
    new_tls = after.sync_client()._transport._pool._ssl_context  # type: ignore[attr-defined]

    assert new_tls is not old_tls
    assert new_tls.cert_store_stats()["x509_ca"] == 1  # built from the new file
    before.close()
    after.close()


def test_the_sync_pools_and_their_environment_proxies_connect_through_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    pools = Pools(httpx.Timeout(5.0), httpx.Limits(max_connections=2))
    client = pools.sync_client()

    transports = [client._transport, *client._mounts.values()]
    assert len(transports) >= 2  # the proxy from the environment is mounted
    for transport in transports:
        backend = transport._pool._network_backend  # type: ignore[union-attr]
        assert isinstance(backend, DeadlineBackend)
    pools.close()


def test_an_injected_client_is_never_changed() -> None:
    with httpx.Client() as injected:
        backend = injected._transport._pool._network_backend  # type: ignore[attr-defined]
        from assemblyai_gateway._transport.client import GatewayClient

        client = GatewayClient(api_key="k", http_client=injected)
        assert client._sync_client() is injected
        assert injected._transport._pool._network_backend is backend  # type: ignore[attr-defined]


class _SilentStream(httpcore.NetworkStream):
    """Records the timeouts it is asked to wait with."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        raise httpcore.ReadTimeout("silence")

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.timeouts.append(timeout)

    def close(self) -> None:
        pass


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.stream = _SilentStream()

    def connect_tcp(self, *args: object, **kwargs: object) -> httpcore.NetworkStream:
        return self.stream


def test_every_wait_ends_by_the_deadline_of_the_attempt_in_progress() -> None:
    inner = _Backend()
    stream = DeadlineBackend(inner).connect_tcp("127.0.0.1", 1, timeout=60.0)

    stream.write(b"x", timeout=60.0)  # no attempt: the timeout as given
    deadline = Deadline(30.0)
    with bounded_by(deadline), pytest.raises(httpcore.ReadTimeout):
        stream.read(10, timeout=60.0)
    assert inner.stream.timeouts[0] == 60.0
    assert 0 < (inner.stream.timeouts[1] or 0) <= 30.0
    assert deadline.passed()  # the deadline is what timed out

    with bounded_by(Deadline(30.0)), pytest.raises(httpcore.ReadTimeout):
        stream.read(10, timeout=5.0)  # a shorter read timeout still binds
    assert inner.stream.timeouts[2] == 5.0


def test_a_wait_after_the_deadline_fails_at_once() -> None:
    stream = DeadlineBackend(_Backend()).connect_tcp("127.0.0.1", 1)
    deadline = Deadline(30.0)
    deadline.expire()
    with bounded_by(deadline), pytest.raises(httpcore.WriteTimeout):
        stream.write(b"x", timeout=60.0)


def test_bounding_a_client_twice_wraps_its_backend_once() -> None:
    with httpx.Client() as client:
        bound_by_deadlines(bound_by_deadlines(client))
        backend = client._transport._pool._network_backend  # type: ignore[attr-defined]
        assert isinstance(backend, DeadlineBackend)
        assert not isinstance(backend._backend, DeadlineBackend)


class _SilentAsyncStream(httpcore.AsyncNetworkStream):
    """Async :class:`_SilentStream`."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        self.timeouts.append(timeout)
        raise httpcore.ReadTimeout("silence")

    async def aclose(self) -> None:
        pass


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.stream = _SilentAsyncStream()

    async def connect_tcp(self, *args: object, **kwargs: object) -> httpcore.AsyncNetworkStream:
        return self.stream


async def test_every_async_read_ends_by_the_deadline_of_the_attempt_in_progress() -> None:
    inner = _AsyncBackend()
    stream = await AsyncDeadlineBackend(inner).connect_tcp("127.0.0.1", 1, timeout=60.0)
    deadline = Deadline(30.0)

    with bounded_by(deadline), pytest.raises(httpcore.ReadTimeout):
        await stream.read(10, timeout=60.0)

    assert 0 < (inner.stream.timeouts[0] or 0) <= 30.0
    assert deadline.passed()


async def test_the_async_shards_connect_through_the_deadline() -> None:
    pools = Pools(httpx.Timeout(5.0), httpx.Limits(max_connections=10))
    pool = await pools.async_pool()
    async with pool.slot() as client:
        backend = client._transport._pool._network_backend  # type: ignore[attr-defined]
    assert isinstance(backend, AsyncDeadlineBackend)
    await pools.aclose()
