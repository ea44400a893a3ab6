"""One POST and its answer, once: the attempt every non-streamed call retries.

Shared by chat completions and speech understanding, sync and async; what differs
is the URL and how a 2xx body is read (``parse``). The retry loop and the limiter wrap
an attempt from outside (see :meth:`GatewayClient.create`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import httpx

from .answers import cause_of, connection_error
from .attempt_limits import MAX_ERROR_BODY_BYTES
from .deadline_io import bounded_by
from .response_reading import aread_capped, read_capped

if TYPE_CHECKING:
    from .attempt_limits import AttemptLimits

__all__ = ["OneShotPosts"]

T = TypeVar("T")
Parse = Callable[[httpx.Response, bytes], T]


class OneShotPosts:
    """``_post_once`` and ``_apost_once``: one attempt at a POST, read within the
    attempt's deadline and size caps, its transport failures typed."""

    if TYPE_CHECKING:  # the client's own
        limits: AttemptLimits

        def _sync_client(self) -> httpx.Client: ...

        async def _async_lease(
            self, *, stream: bool
        ) -> contextlib.AbstractAsyncContextManager[httpx.AsyncClient]: ...

        def _http_request(
            self,
            client: httpx.Client | httpx.AsyncClient,
            body: bytes,
            *,
            stream: bool,
            url: httpx.URL | None = None,
        ) -> httpx.Request: ...

    def _post_once(self, body: bytes, parse: Parse[T], url: httpx.URL) -> T:
        client = self._sync_client()
        deadline = self.limits.start()
        try:
            with bounded_by(deadline):  # waiting for the headers ends by the deadline too
                request = self._http_request(client, body, stream=False, url=url)
                response = client.send(request, stream=True)
            try:
                content = read_capped(
                    response, self._body_cap(response), deadline, truncate=not response.is_success
                )
            finally:
                response.close()
        except httpx.TransportError as exc:
            failure = exc
        else:
            return parse(response, content)
        # Raised outside the handler, so no __context__ chains httpx's text to it.
        raise connection_error(failure, deadline) from cause_of(failure)

    async def _apost_once(self, body: bytes, parse: Parse[T], url: httpx.URL) -> T:
        lease = await self._async_lease(stream=False)
        deadline = self.limits.start()
        try:
            async with lease as client:
                async with asyncio.timeout(deadline.remaining()):
                    response = await client.send(
                        self._http_request(client, body, stream=False, url=url), stream=True
                    )
                try:
                    content = await aread_capped(
                        response,
                        self._body_cap(response),
                        deadline,
                        truncate=not response.is_success,
                    )
                finally:
                    await response.aclose()
        except httpx.TransportError as exc:
            failure = exc
        except TimeoutError:
            raise deadline.error() from None
        else:
            return parse(response, content)
        # Raised outside the handler, so no __context__ chains httpx's text to it.
        raise connection_error(failure, deadline) from cause_of(failure)

    def _body_cap(self, response: httpx.Response) -> int:
        """Error bodies are only quoted, so far less of them is read."""
        return self.limits.max_response_bytes if response.is_success else MAX_ERROR_BODY_BYTES
