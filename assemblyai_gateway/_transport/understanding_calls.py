"""The client's speech-understanding calls: ``understand`` and ``validate_understanding``.

A mixin of :class:`~assemblyai_gateway.GatewayClient`: the same key, base URL, pools,
deadlines, size caps and retry policy as chat completions, on ``{base_url}/understanding``
and ``{base_url}/understanding/validate``. These calls do not go through the adaptive
limiter, which learns the chat endpoint's limits.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ..understanding import (
    UnderstandingRequest,
    UnderstandingResponse,
    parse_understanding,
    parse_validation,
    understanding_body,
)
from .posting import OneShotPosts
from .retries import acall_with_retries, call_with_retries

if TYPE_CHECKING:
    from .posting import Parse

__all__ = ["UnderstandingMethods"]

logger = logging.getLogger("assemblyai_gateway")
T = TypeVar("T")


def _encoded(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class UnderstandingMethods(OneShotPosts):
    """Speech understanding on :class:`~assemblyai_gateway.GatewayClient`.

    Examples:
        ```python
        from assemblyai_gateway import GatewayClient

        with GatewayClient() as client:
            answer = client.understand(
                "emulator-meeting",
                {"speaker_identification": {"speaker_type": "name",
                                            "known_values": ["Ana", "Ben", "Cy"]}},
            )
        print(answer.speaker_mapping)          # {'A': 'Ana', 'B': 'Ben', 'C': 'Cy'}
        print(answer.utterances[0]["speaker"])  # 'Ana'
        ```
    """

    if TYPE_CHECKING:  # the client's own
        base_url: str
        max_retries: int

    def _understanding_url(self, validate: bool) -> httpx.URL:
        return httpx.URL(f"{self.base_url}/understanding" + ("/validate" if validate else ""))

    def _call(self, body: Mapping[str, Any], parse: Parse[T], validate: bool) -> T:
        url = self._understanding_url(validate)
        logger.debug("POST %s", url)
        attempt = functools.partial(self._post_once, _encoded(body), parse, url)
        return call_with_retries(attempt, self.max_retries)

    async def _acall(self, body: Mapping[str, Any], parse: Parse[T], validate: bool) -> T:
        url = self._understanding_url(validate)
        logger.debug("POST %s", url)
        attempt = functools.partial(self._apost_once, _encoded(body), parse, url)
        return await acall_with_retries(attempt, self.max_retries)

    def understand(
        self, transcript_id: str, request: UnderstandingRequest | Mapping[str, Any]
    ) -> UnderstandingResponse:
        """Run speech understanding over a transcript (``POST /v1/understanding``).

        Args:
            transcript_id: A completed transcript of this key's account and region.
            request: An :class:`UnderstandingRequest`, or a dict of its features
                (``{"translation": {"target_languages": ["es"]}}``).

        Raises:
            InvalidRequestError: the request is wrong (checked before sending).
            NotFoundError: no such completed transcript for this key.
            APIStatusError: any other refusal (``errors`` lists the fields), after
                the retries 429s and 5xx get.
        """
        body = understanding_body(request, transcript_id)
        return self._call(body, parse_understanding, validate=False)

    async def aunderstand(
        self, transcript_id: str, request: UnderstandingRequest | Mapping[str, Any]
    ) -> UnderstandingResponse:
        """:meth:`understand`, awaited."""
        body = understanding_body(request, transcript_id)
        return await self._acall(body, parse_understanding, validate=False)

    def validate_understanding(
        self,
        request: UnderstandingRequest | Mapping[str, Any],
        transcript_id: str | None = None,
    ) -> None:
        """Check a request with the gateway without running it (it still needs a key).

        Returns ``None`` when the gateway accepts it.

        Raises:
            InvalidRequestError: the request is wrong before it is even sent.
            BadRequestError: the gateway refused it; ``errors`` lists each field.
        """
        body = understanding_body(request, transcript_id)
        self._call(body, parse_validation, validate=True)

    async def avalidate_understanding(
        self,
        request: UnderstandingRequest | Mapping[str, Any],
        transcript_id: str | None = None,
    ) -> None:
        """:meth:`validate_understanding`, awaited."""
        body = understanding_body(request, transcript_id)
        await self._acall(body, parse_validation, validate=True)
