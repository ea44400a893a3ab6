"""Profile our adapters' hot paths and print where the time goes.

Usage::

    python -m benchmarks.profile                      # LangChain invoke + LlamaIndex chat
    python -m benchmarks.profile --path langchain-stream --calls 20
    python -m benchmarks.profile --imports            # what we import beyond the framework
    python -m benchmarks.profile --cprofile --path burst-core --path burst-raw-httpx --calls 1

Each path runs ``--calls`` times over the same in-memory transport as the overhead
benchmark (no network). pyinstrument is used when installed (``--cprofile`` forces
cProfile); cProfile output is reduced to µs per call, split into self time (the
function's own code) and cumulative time, and listed twice: everything, then only
frames in our packages. Profilers add overhead; compare rows, not totals, with
``make bench``. The ``*-tool-stream`` paths stream one tool call whose arguments arrive in
2,000 pieces; the ``burst-*`` paths make one call a burst of 1,000 concurrent calls on a
fresh client against the concurrency benchmark's stand-in server (no warm-up).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import importlib
import importlib.util
import pstats
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks._common import BENCH_API_KEY, BENCH_MODEL, STREAM_MODEL
from benchmarks._streams import tool_call_events, transport_for
from benchmarks.bench_overhead import make_transport
from benchmarks.bench_streaming import make_stream_transport

__all__ = ["PATHS", "build_path", "main", "profile_rows"]

OURS = ("assemblyai_gateway", "langchain_assemblyai_gateway", "llama_index_assemblyai_gateway")
PATHS = [
    "langchain",
    "llamaindex",
    "langchain-async",
    "llamaindex-async",
    "langchain-stream",
    "llamaindex-stream",
    "langchain-tool-stream",
    "llamaindex-tool-stream",
    "core",
    "core-stream",
    "burst-core",
    "burst-raw-httpx",
]
_DEFAULT_PATHS = ["langchain", "llamaindex"]
_STREAM_CHUNKS = 500
_TOOL_PIECES = 4000
_BURST_CALLS = 1000


def _burst_path(name: str, stack: contextlib.ExitStack) -> Callable[[], object]:
    from benchmarks._clients import builder_for
    from benchmarks.bench_concurrency import start_server

    server = start_server()
    stack.callback(server.stop)
    build = builder_for(name.removeprefix("burst-").replace("-", "_"))
    loop = asyncio.new_event_loop()
    stack.callback(loop.close)

    async def burst() -> None:
        call, close = build(server.base_url, 600.0)  # cProfile slows the pool scan 2-3x
        try:
            await asyncio.gather(*(call() for _ in range(_BURST_CALLS)))
        finally:
            await close()

    return lambda: loop.run_until_complete(burst())


def build_path(name: str, stack: contextlib.ExitStack) -> Callable[[], object]:
    """One call of the named hot path, with its model built once, up front.

    Args:
        name: One of :data:`PATHS`.
        stack: Receives the clients and the event loop to close afterwards.

    Raises:
        RuntimeError: the adapter does not exist yet.
    """
    if name.startswith("burst-"):
        return _burst_path(name, stack)
    stream = name.endswith("-stream")
    transport: httpx.MockTransport = (
        transport_for(tool_call_events(_TOOL_PIECES))
        if name.endswith("-tool-stream")
        else make_stream_transport(_STREAM_CHUNKS)
        if stream
        else make_transport()
    )
    model_id = STREAM_MODEL if stream else BENCH_MODEL
    client = stack.enter_context(httpx.Client(transport=transport))
    aclient = httpx.AsyncClient(transport=transport)
    loop = asyncio.new_event_loop()
    stack.callback(loop.close)
    stack.callback(lambda: loop.run_until_complete(aclient.aclose()))
    if name == "core":
        from assemblyai_gateway import GatewayClient

        core = GatewayClient(api_key=BENCH_API_KEY, http_client=client)
        request = {"model": model_id, "messages": [{"role": "user", "content": "Hi"}]}
        return lambda: core.create(request)
    if name == "core-stream":
        from assemblyai_gateway import GatewayClient

        core = GatewayClient(api_key=BENCH_API_KEY, http_client=client)
        request = {"model": model_id, "messages": [{"role": "user", "content": "Hi"}]}
        return lambda: sum(1 for _ in core.stream(request))
    if name.startswith("langchain"):
        from langchain_assemblyai_gateway import ChatAssemblyAIGateway

        lc = ChatAssemblyAIGateway(
            model=model_id, api_key=BENCH_API_KEY, http_client=client, http_async_client=aclient
        )
        if name == "langchain-async":
            return lambda: loop.run_until_complete(lc.ainvoke("Hi"))
        if stream:
            return lambda: sum(1 for _ in lc.stream("Hi"))
        return lambda: lc.invoke("Hi")
    from llama_index.core.llms import ChatMessage

    from llama_index_assemblyai_gateway import AssemblyAIGateway

    li = AssemblyAIGateway(
        model=model_id, api_key=BENCH_API_KEY, http_client=client, async_http_client=aclient
    )
    messages = [ChatMessage(role="user", content="Hi")]
    if name == "llamaindex-async":
        return lambda: loop.run_until_complete(li.achat(messages))
    if stream:
        return lambda: sum(1 for _ in li.stream_chat(messages))
    return lambda: li.chat(messages)


def _where(key: tuple[str, int, str]) -> str:
    filename, line, func = key
    if filename == "~":
        return func  # a builtin, e.g. {method 'send' of '_socket.socket' objects}
    parts = Path(filename).parts
    # Trim to the package path: .../site-packages/pydantic/main.py -> pydantic/main.py
    for anchor in ("site-packages", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    else:
        parts = parts[-3:]
    return f"{'/'.join(parts)}:{line}:{func}"


def profile_rows(
    call: Callable[[], object], calls: int, warmup: int = 20
) -> list[tuple[str, float, float, float]]:
    """cProfile ``calls`` runs of ``call`` after ``min(warmup, calls)`` untimed ones.

    Returns:
        ``(where, calls per run, self µs per run, cumulative µs per run)`` per function.
    """
    for _ in range(min(warmup, calls)):  # first-call caches are not the hot path
        call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    stats: Any = pstats.Stats(profiler)
    rows = []
    for key, (_, ncalls, tottime, cumtime, _) in stats.stats.items():
        rows.append((_where(key), ncalls / calls, tottime / calls * 1e6, cumtime / calls * 1e6))
    return rows


def _print_rows(title: str, rows: Sequence[tuple[str, float, float, float]], top: int) -> None:
    print(f"\n{title}")
    print(f"{'self µs':>9} {'cum µs':>9} {'calls':>7}  function")
    for where, ncalls, self_us, cum_us in rows[:top]:
        print(f"{self_us:9.1f} {cum_us:9.1f} {ncalls:7.1f}  {where}")


def _report(name: str, call: Callable[[], object], calls: int, top: int) -> None:
    # A burst's point is the fresh client: no warm-up for those.
    rows = profile_rows(call, calls, warmup=0 if name.startswith("burst-") else 20)
    total = sum(r[2] for r in rows)  # every function's own time: the whole profiled run
    print(f"\n=== {name}: {calls} calls, ~{total:.0f} µs per call under cProfile ===")
    _print_rows("top self time (all code)", sorted(rows, key=lambda r: -r[2]), top)
    ours = [r for r in rows if any(f"/{pkg}/" in f"/{r[0]}" for pkg in OURS)]
    _print_rows("our frames by cumulative time", sorted(ours, key=lambda r: -r[3]), top)
    _print_rows("our frames by self time", sorted(ours, key=lambda r: -r[2]), top)


def _pyinstrument(name: str, call: Callable[[], object], calls: int) -> None:
    pyinstrument: Any = importlib.import_module("pyinstrument")
    for _ in range(min(20, calls)):
        call()
    profiler = pyinstrument.Profiler(interval=0.0001)
    profiler.start()
    for _ in range(calls):
        call()
    profiler.stop()
    print(f"\n=== {name}: {calls} calls (pyinstrument; times are totals) ===")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def _importtime(module: str) -> dict[str, tuple[int, int]]:
    """``{module: (self µs, cumulative µs)}`` from ``python -X importtime``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    entries: dict[str, tuple[int, int]] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_text, cum_text, name = line.removeprefix("import time:").split("|", 2)
        entries[name.strip()] = (int(self_text), int(cum_text))
    return entries


# Each of ours against the framework module it cannot avoid importing.
_IMPORT_BASELINES = {
    "langchain_assemblyai_gateway": "langchain_core.language_models.chat_models",
    "llama_index_assemblyai_gateway": "llama_index.core.llms.function_calling",
}


def profile_imports(top: int) -> None:
    """Print what our packages import on top of their framework, by self time."""
    for ours, baseline in _IMPORT_BASELINES.items():
        mine, base = _importtime(ours), _importtime(baseline)
        extra = {name: times for name, times in mine.items() if name not in base}
        extra_ms = sum(t[0] for t in extra.values()) / 1000
        total_ms = sum(t[0] for t in mine.values()) / 1000
        print(
            f"\n=== import {ours}: {total_ms:.0f} ms in all; {extra_ms:.0f} ms in "
            f"{len(extra)} modules that {baseline} does not import (-X importtime inflates) ==="
        )
        print(f"{'self ms':>8} {'cum ms':>8}  module (not imported by the baseline)")
        for name, (self_us, cum_us) in sorted(extra.items(), key=lambda e: -e[1][0])[:top]:
            print(f"{self_us / 1000:8.1f} {cum_us / 1000:8.1f}  {name}")


def main(argv: Sequence[str] | None = None) -> int:
    """Profile the chosen hot paths (default: LangChain invoke and LlamaIndex chat)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    parser.add_argument("--path", action="append", choices=PATHS, help="repeatable")
    parser.add_argument("--calls", type=int, default=300, help="profiled calls per path")
    parser.add_argument("--top", type=int, default=25, help="rows per listing")
    parser.add_argument("--cprofile", action="store_true", help="cProfile even if pyinstrument")
    parser.add_argument("--imports", action="store_true", help="profile import time instead")
    args = parser.parse_args(argv)
    if args.imports:
        profile_imports(args.top)
        return 0
    use_pyinstrument = not args.cprofile and importlib.util.find_spec("pyinstrument") is not None
    status = 0
    for name in args.path or _DEFAULT_PATHS:
        with contextlib.ExitStack() as stack:
            try:
                call = build_path(name, stack)
            except RuntimeError as exc:
                print(f"\n=== {name}: {exc} ===")
                status = 1
                continue
            if use_pyinstrument:
                _pyinstrument(name, call, args.calls)
            else:
                _report(name, call, args.calls, args.top)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
