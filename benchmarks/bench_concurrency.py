"""Concurrency: N concurrent async calls against a real HTTP server on loopback.

The server runs in a child process (``python -m benchmarks.bench_concurrency --serve``)
so it does not share our GIL: the gateway emulator when it is importable, else a tiny
stdlib ``ThreadingHTTPServer`` that returns the canned completion. Each client runs in
its own event loop (``asyncio.run``) with every request under a timeout, and the whole
benchmark under a wall-clock budget.

The peers (ChatOpenAI, OpenAILike) send ``Authorization: Bearer <key>``; the gateway
wants the raw key, so they get ``default_headers={"Authorization": <key>}``, which the
OpenAI SDK lets override its own header. They also get an ``httpx.AsyncClient`` with
the OpenAI SDK's default limits (so we can close it); ours use their own pools.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import selectors
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from ._common import (
    BENCH_API_KEY,
    BENCH_MODEL,
    BenchConfig,
    BenchResult,
    Measurement,
    canned_completion_bytes,
    failure_note,
    median,
    openai_like_class,
    percentile,
    ratio_target,
)

__all__ = ["count_established", "main", "run"]

BENCH = "concurrency"
REPO_ROOT = Path(__file__).resolve().parent.parent
_STARTUP_TIMEOUT_S = 20.0
_READY = "READY"

# ---------------------------------------------------------------------------- server


class _StdlibServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 2048  # ~1000 connections arrive at once; the default 5 drops them
    allow_reuse_address = True


class _CannedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the gateway
    disable_nagle_algorithm = True
    timeout = 60
    body = canned_completion_bytes()
    api_key = BENCH_API_KEY

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        ok = self.headers.get("Authorization") == self.api_key
        body = self.body if ok else b'{"error": {"code": 401, "message": "bad key"}}'
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(kind: str, api_key: str) -> int:
    """Child-process entry: start a server, print its base URL, serve until stdin closes."""
    stack = contextlib.ExitStack()
    with stack:
        if kind == "emulator":
            from assemblyai_gateway.emulator import GatewayEmulator

            emulator = stack.enter_context(GatewayEmulator(api_key=api_key, accept_any_model=True))
            base_url = str(emulator.base_url)
        else:
            _CannedHandler.api_key = api_key
            server = _StdlibServer(("127.0.0.1", 0), _CannedHandler)
            stack.callback(server.server_close)
            thread = _start_thread(server.serve_forever)
            stack.callback(thread.join, 5.0)
            stack.callback(server.shutdown)
            base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        print(f"{_READY} {kind} {base_url}", flush=True)
        sys.stdin.read()  # the parent closes our stdin to stop us
    return 0


def _start_thread(target: Callable[[], object]) -> Any:
    import threading

    thread = threading.Thread(target=target, daemon=True, name="bench-server")
    thread.start()
    return thread


@dataclass
class _ServerProcess:
    kind: str
    base_url: str
    process: subprocess.Popen[str]

    @property
    def port(self) -> int:
        return httpx.URL(self.base_url).port or 80

    def stop(self) -> None:
        """Close stdin (a clean stop); kill it by its pid if it lingers."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _start_server(kind: str) -> tuple[_ServerProcess | None, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_concurrency", "--serve", kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    line = ""
    with selectors.DefaultSelector() as selector:  # a bounded wait for the READY line
        selector.register(process.stdout, selectors.EVENT_READ)
        if selector.select(timeout=_STARTUP_TIMEOUT_S):
            line = process.stdout.readline().strip()
    parts = line.split()
    if len(parts) == 3 and parts[0] == _READY:
        return _ServerProcess(kind, parts[2], process), ""
    _ServerProcess(kind, "", process).stop()
    stderr = ""
    with contextlib.suppress(Exception):
        stderr = (process.stderr.read() if process.stderr else "").strip()
    last = (stderr.splitlines() or [line or "no READY line"])[-1][:200]
    return None, f"{kind} server did not start: {last}"


# ------------------------------------------------------------------------- counting


def count_established(port: int) -> int | None:
    """Client-side ESTABLISHED TCP sockets to ``port`` (from /proc/net/tcp{,6}).

    Returns:
        The count, or ``None`` when /proc is not available.
    """
    total = 0
    found = False
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(path).read_text().splitlines()[1:]
        except OSError:
            continue
        found = True
        for line in lines:
            fields = line.split()
            # fields: sl, local "ADDR:PORT", remote "ADDR:PORT", state ("01" = ESTABLISHED)
            if (
                len(fields) > 3
                and fields[3] == "01"
                and int(fields[2].rsplit(":", 1)[1], 16) == port
            ):
                total += 1
    return total if found else None


# -------------------------------------------------------------------------- clients


Call = Callable[[], Awaitable[Any]]
Close = Callable[[], Awaitable[None]]
# Builds the model inside the run's loop from (base_url, timeout); raises if it cannot.
Builder = Callable[[str, float], tuple[Call, Close]]


@dataclass
class _Client:
    name: str
    label: str
    build: Builder | None
    note: str = ""
    runs: list[_RunStats] = field(default_factory=list)
    failure: str = ""


@dataclass
class _RunStats:
    calls: int
    ok: int
    seconds: float
    latencies: list[float]
    errors: dict[str, int]
    open_after_calls: int | None
    baseline: int | None = None
    open_after_loop: int | None = None


async def _noop_close() -> None:
    return None


def _ours_builder(module: str, attr: str, method: str, llama: bool) -> tuple[Builder | None, str]:
    cls = getattr(importlib.import_module(module), attr)

    def build(base_url: str, timeout: float) -> tuple[Call, Close]:
        model = cls(
            model=BENCH_MODEL,
            api_key=BENCH_API_KEY,
            base_url=base_url,
            timeout=timeout,
            max_retries=0,
        )
        if llama:
            from llama_index.core.llms import ChatMessage

            messages = [ChatMessage(role="user", content="Hi")]
            return (lambda: getattr(model, method)(messages)), _noop_close
        return (lambda: getattr(model, method)("Hi")), _noop_close

    return build, ""


def _chat_openai_builder(base_url: str, timeout: float) -> tuple[Call, Close]:
    import openai
    from langchain_openai import ChatOpenAI

    http = httpx.AsyncClient(limits=openai.DEFAULT_CONNECTION_LIMITS, timeout=timeout)
    model = ChatOpenAI(
        model=BENCH_MODEL,
        base_url=base_url,
        api_key=BENCH_API_KEY,
        default_headers={"Authorization": BENCH_API_KEY},
        max_retries=0,
        timeout=timeout,
        http_async_client=http,
    )
    return (lambda: model.ainvoke("Hi")), http.aclose


def _openai_like_builder(base_url: str, timeout: float) -> tuple[Call, Close]:
    import openai
    from llama_index.core.llms import ChatMessage

    http = httpx.AsyncClient(limits=openai.DEFAULT_CONNECTION_LIMITS, timeout=timeout)
    model = openai_like_class()(
        model=BENCH_MODEL,
        api_base=base_url,
        api_key=BENCH_API_KEY,
        is_chat_model=True,
        default_headers={"Authorization": BENCH_API_KEY},
        max_retries=0,
        timeout=timeout,
        async_http_client=http,
    )
    messages = [ChatMessage(role="user", content="Hi")]
    return (lambda: model.achat(messages)), http.aclose


def _raw_httpx_builder(base_url: str, timeout: float) -> tuple[Call, Close]:
    # Our core's pool limits, no framework, no validation: the ceiling for httpx clients.
    http = httpx.AsyncClient(
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
        timeout=timeout,
    )
    url = f"{base_url}/chat/completions"
    body = {"model": BENCH_MODEL, "messages": [{"role": "user", "content": "Hi"}]}
    headers = {"Authorization": BENCH_API_KEY}

    async def call() -> Any:
        response = await http.post(url, json=body, headers=headers)
        response.raise_for_status()
        return response.json()["choices"][0]["message"]["content"]

    return call, http.aclose


def _clients() -> list[_Client]:
    lc, lc_reason = _ours_builder(
        "langchain_assemblyai_gateway", "ChatAssemblyAIGateway", "ainvoke", llama=False
    )
    li, li_reason = _ours_builder(
        "llama_index_assemblyai_gateway", "AssemblyAIGateway", "achat", llama=True
    )
    return [
        _Client("ours_langchain", "ours: ChatAssemblyAIGateway.ainvoke", lc, lc_reason),
        _Client("chatopenai", "ChatOpenAI.ainvoke", _chat_openai_builder),
        _Client("ours_llamaindex", "ours: AssemblyAIGateway.achat", li, li_reason),
        _Client("openailike", "OpenAILike.achat", _openai_like_builder),
        _Client(
            "raw_httpx", "ceiling: raw httpx.AsyncClient.post (100 connections)", _raw_httpx_builder
        ),
    ]


def _answer_ok(result: Any) -> bool:
    if isinstance(result, str):
        return bool(result)
    message = getattr(result, "message", result)
    content = getattr(message, "content", None)
    return isinstance(content, str) and bool(content)


async def _one_run(
    client: _Client, server: _ServerProcess, n: int, call_timeout: float, budget: float
) -> _RunStats:
    assert client.build is not None
    call, close = client.build(server.base_url, call_timeout)
    try:
        # One untimed call: lazy imports and the first connection are not concurrency.
        if not _answer_ok(await asyncio.wait_for(call(), call_timeout)):
            raise RuntimeError("the first answer had no text")
        latencies: list[float] = []
        errors: dict[str, int] = {}

        async def one() -> None:
            start = time.perf_counter()
            try:
                result = await asyncio.wait_for(call(), call_timeout)
                if not _answer_ok(result):
                    raise ValueError("answer without text")
                latencies.append(time.perf_counter() - start)
            except Exception as exc:  # every failure is counted, none ends the run
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

        started = time.perf_counter()
        tasks = [asyncio.ensure_future(one()) for _ in range(n)]
        _, pending = await asyncio.wait(tasks, timeout=budget)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        seconds = time.perf_counter() - started
        if pending:
            errors["BudgetExceeded"] = len(pending)
        open_now = count_established(server.port)
    finally:
        await close()
    return _RunStats(n, len(latencies), seconds, latencies, errors, open_now)


def _delta(count: int | None, baseline: int | None) -> int | None:
    return None if count is None or baseline is None else count - baseline


def _measure(client: _Client, runs: list[_RunStats]) -> Measurement:
    if not runs:
        return Measurement(
            BENCH, client.name, client.label, "calls/s", None, client.failure or client.note
        )
    throughput = [r.ok / r.seconds if r.seconds > 0 else 0.0 for r in runs]
    latencies = [lat * 1000.0 for r in runs for lat in r.latencies]
    errors: dict[str, int] = {}
    for r in runs:
        for kind, count in r.errors.items():
            errors[kind] = errors.get(kind, 0) + count

    def worst(values: list[int | None]) -> int | None:
        known = [v for v in values if v is not None]
        return max(known) if known else None

    return Measurement(
        BENCH,
        client.name,
        client.label,
        "calls/s",
        median(throughput),
        client.note,
        samples=throughput,
        extra={
            "calls": sum(r.calls for r in runs),
            "p50_ms": percentile(latencies, 50) if latencies else None,
            "p99_ms": percentile(latencies, 99) if latencies else None,
            "errors": sum(errors.values()),
            "error_kinds": ", ".join(f"{k}={v}" for k, v in sorted(errors.items())) or "-",
            "open_after_calls": worst([r.open_after_calls for r in runs]),
            "open_after_loop": worst([r.open_after_loop for r in runs]),
        },
    )


def _run_rounds(
    config: BenchConfig,
    server: _ServerProcess,
    clients: list[_Client],
    deadline: float,
    result: BenchResult,
) -> None:
    last_round = 0.0
    for round_no in range(config.concurrency_rounds):
        # Whole rounds only, so every client gets the same number of runs: a later
        # round starts only if one as long as the last still fits in the budget.
        if round_no > 0 and deadline - time.perf_counter() < 1.2 * last_round:
            result.notes.append(f"ran {round_no} round(s): the next would exceed the budget")
            return
        round_started = time.perf_counter()
        for client in clients:
            if client.build is None or client.failure:
                continue
            remaining = deadline - time.perf_counter()
            if remaining < 2.0:
                result.notes.append(f"stopped in round {round_no + 1}: time budget")
                return
            # Close what earlier runs left for the garbage collector, then count what is
            # still open, so each run's connection counts are its own.
            gc.collect()
            baseline = count_established(server.port)
            try:
                stats = asyncio.run(
                    _one_run(
                        client,
                        server,
                        config.concurrency,
                        config.request_timeout_s,
                        min(remaining, 2 * config.request_timeout_s),
                    )
                )
            except Exception as exc:  # e.g. the first call failed: the client is n/a
                client.failure = failure_note(exc)
                continue
            # Our pools should close with their loop; what is still open now leaked
            # until the garbage collector finds it.
            time.sleep(0.05)
            stats.open_after_calls = _delta(stats.open_after_calls, baseline)
            stats.open_after_loop = _delta(count_established(server.port), baseline)
            client.runs.append(stats)
        last_round = time.perf_counter() - round_started


def run(config: BenchConfig) -> BenchResult:
    """Throughput, p50/p99 latency, errors and leftover connections under concurrency.

    Args:
        config: ``concurrency`` calls per run, ``concurrency_rounds`` interleaved runs per
            client, all within ``concurrency_budget_s``; each call has
            ``request_timeout_s``.
    """
    started = time.perf_counter()
    deadline = started + config.concurrency_budget_s
    result = BenchResult(BENCH)
    server, why = _start_server("emulator")
    if server is None:
        result.notes.append(f"emulator unavailable ({why}); used the stdlib canned server")
        server, why2 = _start_server("stdlib")
        if server is None:
            raise RuntimeError(f"no loopback server could start: {why}; {why2}")
    clients = _clients()
    try:
        _run_rounds(config, server, clients, deadline, result)
    finally:
        server.stop()
    result.measurements = [_measure(c, c.runs) for c in clients]
    values = result.by_name()
    result.targets += [
        ratio_target(
            BENCH, "concurrency: ours (LangChain) errors", values,
            "ours_langchain:errors", [], 0, comparison="equals_zero",
        ),
        ratio_target(
            BENCH, "concurrency: ours / ChatOpenAI throughput", values,
            "ours_langchain", ["chatopenai"], 2.0, comparison="min_ratio",
        ),
        ratio_target(
            BENCH, "concurrency: ours (LlamaIndex) errors", values,
            "ours_llamaindex:errors", [], 0, comparison="equals_zero",
        ),
        ratio_target(
            BENCH, "concurrency: raw httpx ceiling / ChatOpenAI throughput", values,
            "raw_httpx", ["chatopenai"], 2.0, comparison="min_ratio", informational=True,
        ),
        ratio_target(
            BENCH, "concurrency: ours (LlamaIndex) / OpenAILike throughput", values,
            "ours_llamaindex", ["openailike"], 2.0, comparison="min_ratio", informational=True,
        ),
    ]  # fmt: skip
    result.notes.append(
        f"server: {server.kind} in a child process at {server.base_url}; "
        f"{config.concurrency} calls started at once per run (tasks awaited together), up "
        f"to {config.concurrency_rounds} interleaved rounds within "
        f"{config.concurrency_budget_s:g} s; {config.request_timeout_s:g} s timeout per call; "
        "value = median calls/s over runs; p50/p99 over all calls. Open connections: "
        "client-side ESTABLISHED sockets to the server port (/proc/net/tcp) beyond those "
        "open before the run, right after the calls (pool) and after the run's event loop "
        "closed (leaks). Peers: default_headers={'Authorization': key} replaces their "
        "Bearer header; their httpx.AsyncClient has openai.DEFAULT_CONNECTION_LIMITS "
        "(1000 connections) and we close it, so their 'after loop' count is 0 by construction."
    )
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.bench_concurrency --serve {emulator,stdlib}`` (server child)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", choices=["emulator", "stdlib"], required=True)
    parser.add_argument("--api-key", default=BENCH_API_KEY)
    args = parser.parse_args(argv)
    return _serve(args.serve, args.api_key)


if __name__ == "__main__":
    raise SystemExit(main())
