"""The Ray Data recipe runs on a local Ray against the emulator.

It runs as ``python -m cookbook.ray_bulk`` in a subprocess, exactly as a user would:
Ray starts its own processes, which this test process must not share.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assemblyai_gateway._transport.setting_sources import API_KEY_ENV, BASE_URL_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ray") is None, reason="needs ray (the 'ray' dev group)"
)


@pytest.mark.slow
def test_ray_recipe_summarises_every_transcript_through_per_worker_limiters() -> None:
    env = {k: v for k, v in os.environ.items() if k not in (API_KEY_ENV, BASE_URL_ENV)}
    result = subprocess.run(
        [sys.executable, "-m", "cookbook.ray_bulk"],
        cwd=REPO_ROOT,
        env={**env, "RAY_USAGE_STATS_ENABLED": "0"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("No ASSEMBLYAI_API_KEY set: using the embedded local emulator")
    rows = [line for line in lines if line.startswith("demo-call-")]
    assert len(rows) == 24
    assert "demo-call-07 -> Emulated answer to:" in rows[7]
    assert "Customer 7:" in rows[7]  # the gateway filled {{ transcript }}
    done = re.fullmatch(r"summarised 24 of 24 transcripts on ([12]) workers", lines[-1])
    assert done is not None, lines[-1]


def test_each_worker_limiter_takes_an_equal_share_of_the_account() -> None:
    from cookbook.ray_bulk import (
        ACCOUNT_CONCURRENCY,
        ACCOUNT_REQUESTS_PER_SECOND,
        ACCOUNT_TOKENS_PER_MINUTE,
        per_worker_limiter,
    )

    limiter = per_worker_limiter(workers=4)
    assert limiter.max_concurrency == ACCOUNT_CONCURRENCY // 4
    assert limiter.tokens_per_minute == ACCOUNT_TOKENS_PER_MINUTE / 4
    assert limiter.stats().rate == ACCOUNT_REQUESTS_PER_SECOND / 4
