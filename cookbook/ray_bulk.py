"""Recipe 7: summarise many transcripts with Ray Data, one adaptive limiter per worker.

Run: ``python -m cookbook.ray_bulk``. It needs Ray, which ``make demo`` leaves out:
``make install`` (the whole development environment) has it, or ``pip install 'ray[data]'``.

Rows of transcript ids go through ``map_batches`` into a pool of Ray actors. Each
actor receives a pickled copy of the chat model; unpickling gives every worker its own
:class:`~assemblyai_gateway.AdaptiveLimiter`, sized to its share of the account's
limits, so the workers together stay under the account's budget while each one still
pauses and slows down on its own 429s. Failed rows keep their error and never stop
the dataset.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from assemblyai_gateway import API_KEY_ENV, BASE_URL_ENV, AdaptiveLimiter
from assemblyai_gateway.emulator import RateLimit
from cookbook._runtime import gateway_session
from langchain_assemblyai_gateway import ChatAssemblyAIGateway

__all__ = ["Summarise", "main", "per_worker_limiter", "summarise_all"]

MODEL = "claude-haiku-4-5-20251001"
PROMPT = "Summarise this call in one sentence:\n\n{{ transcript }}"
WORKERS = 2
# The account's limits (ask AssemblyAI for yours); each worker gets an equal share.
ACCOUNT_REQUESTS_PER_SECOND = 20.0
ACCOUNT_CONCURRENCY = 16
ACCOUNT_TOKENS_PER_MINUTE = 400_000
# Stand-in transcripts the emulator serves when no key is set.
DEMO_TRANSCRIPTS = {
    f"demo-call-{i:02d}": f"Agent: thanks for calling. Customer {i}: my order {1000 + i} is late."
    for i in range(24)
}


def per_worker_limiter(workers: int = WORKERS) -> AdaptiveLimiter:
    """One worker's share of the account: its concurrency, starting rate and token budget."""
    return AdaptiveLimiter(
        max_concurrency=max(1, ACCOUNT_CONCURRENCY // workers),
        initial_concurrency=max(1, ACCOUNT_CONCURRENCY // workers // 2),
        requests_per_second=ACCOUNT_REQUESTS_PER_SECOND / workers,
        tokens_per_minute=ACCOUNT_TOKENS_PER_MINUTE / workers,
    )


class Summarise:
    """A Ray actor: summarises a batch of transcripts with its own copy of the model."""

    def __init__(self, llm: ChatAssemblyAIGateway) -> None:
        self.llm = llm  # unpickled here: its limiter is this worker's own
        limiter = llm.limiter
        self.threads = ThreadPoolExecutor(limiter.max_concurrency if limiter else 4)

    def _one(self, transcript_id: str) -> tuple[str, str]:
        try:
            reply = self.llm.invoke(PROMPT, transcript_id=transcript_id)
        except Exception as error:  # one bad row is recorded, not fatal
            return "", f"{type(error).__name__}: {error}"
        return str(reply.content), ""

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        ids = [str(value) for value in batch["transcript_id"]]
        results = list(self.threads.map(self._one, ids))
        return {
            "transcript_id": ids,
            "summary": [summary for summary, _ in results],
            "error": [error for _, error in results],
            "worker": [os.getpid()] * len(ids),
        }


def summarise_all(transcript_ids: list[str]) -> list[dict[str, Any]]:
    """Run every transcript through ``WORKERS`` actors; one row per transcript."""
    import ray

    llm = ChatAssemblyAIGateway(
        model=MODEL,
        max_tokens=200,
        max_retries=6,
        base_url=os.environ.get(BASE_URL_ENV),
        limiter=per_worker_limiter(),
    )
    # Workers need the key and URL; on a real cluster pass them in runtime_env.
    env = {name: os.environ[name] for name in (API_KEY_ENV, BASE_URL_ENV) if name in os.environ}
    ray.init(
        num_cpus=WORKERS,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        runtime_env={"env_vars": env},
        _node_ip_address="127.0.0.1",
    )
    try:
        rows = ray.data.from_items([{"transcript_id": tid} for tid in transcript_ids])
        summaries = rows.map_batches(
            Summarise,
            fn_constructor_args=(llm,),  # pickled once per actor
            batch_size=4,
            concurrency=WORKERS,
            num_cpus=1,
        )
        return list(summaries.take_all())
    finally:
        ray.shutdown()


NEEDS_RAY = (
    "ray_bulk: this recipe needs Ray, which `make demo` leaves out: run `make install` "
    "(the whole development environment), or `pip install 'ray[data]'`"
)


def main() -> None:
    """Summarise the demo transcripts (or yours, with ``ASSEMBLYAI_TRANSCRIPT_IDS``)."""
    if importlib.util.find_spec("ray") is None:
        print(NEEDS_RAY, file=sys.stderr)
        raise SystemExit(2)
    limit = RateLimit(requests_per_second=ACCOUNT_REQUESTS_PER_SECOND)
    with gateway_session(transcripts=DEMO_TRANSCRIPTS, rate_limit=limit) as session:
        ids = (
            os.environ.get("ASSEMBLYAI_TRANSCRIPT_IDS", "").split(",")
            if session.live
            else sorted(DEMO_TRANSCRIPTS)
        )
        rows = summarise_all([tid for tid in ids if tid])
        for row in sorted(rows, key=lambda r: r["transcript_id"]):
            outcome = row["summary"] if not row["error"] else f"ERROR {row['error']}"
            print(f"{row['transcript_id']} -> {outcome}")
        workers = {row["worker"] for row in rows}
        failed = sum(1 for row in rows if row["error"])
        print(
            f"summarised {len(rows) - failed} of {len(ids)} transcripts on {len(workers)} workers"
        )


if __name__ == "__main__":
    main()
