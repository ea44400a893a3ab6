"""The docs' examples may call pydantic-ai's ``Agent.run_sync``, which leaves an event loop
set on the thread; each (synchronous) test closes it, as ``asyncio.run`` would."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

from tests.support.event_loops import close_loop_left_set


@pytest.fixture(autouse=True)
def close_the_loop_run_sync_left(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not inspect.iscoroutinefunction(request.function):
        close_loop_left_set()
