"""The pydantic-ai recipe calls ``Agent.run_sync``, which leaves an event loop set on the
thread; each synchronous test closes it, as ``asyncio.run`` would."""

from tests.support.event_loops import close_the_loop_run_sync_left

__all__ = ["close_the_loop_run_sync_left"]
