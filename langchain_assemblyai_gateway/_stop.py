"""Client-side stop sequences: the gateway has no ``stop`` field, so we cut the text here.

The rule, the same for ``invoke`` and ``stream``: the text ends just before the first
occurrence of any stop sequence, nothing the model produced after that point is kept
(no later text, no later tool calls), and ``finish_reason`` becomes ``"stop"``.

While streaming, text that could be the start of a stop sequence is held back until
the next piece shows whether it is one, so a stop sequence split across chunks is
still caught and never shown.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["StopSequenceFilter", "truncate_at_stop"]


def _clean(stops: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for s in stops or () if s))


def _first_match(text: str, stops: Sequence[str]) -> int | None:
    """Where the earliest stop sequence starts in ``text``, or ``None``."""
    found = [index for index in (text.find(stop) for stop in stops) if index >= 0]
    return min(found) if found else None


def truncate_at_stop(text: str, stops: Sequence[str] | None) -> tuple[str, bool]:
    """``text`` cut before the first stop sequence, and whether one was found."""
    cleaned = _clean(stops)
    cut = _first_match(text, cleaned) if cleaned else None
    if cut is None:
        return text, False
    return text[:cut], True


class StopSequenceFilter:
    """Streams text through, holding back a possible stop-sequence prefix.

    ``matched`` turns true as soon as a stop sequence is certain to be in the text
    (the cut may still move earlier while a longer stop sequence could start before
    it); ``stopped`` turns true once the cut is final and nothing more will be emitted.

    Examples:
        >>> f = StopSequenceFilter(["END"])
        >>> f.feed("Hello E"), f.feed("N"), f.feed("D and more"), f.stopped
        ('Hello ', '', '', True)
    """

    def __init__(self, stops: Sequence[str] | None) -> None:
        self._stops = _clean(stops)
        self._longest = max((len(stop) for stop in self._stops), default=0)
        self._held = ""
        self.matched = False
        self.stopped = False

    def _possible_start(self, text: str) -> int | None:
        """The earliest index from which ``text`` is a proper prefix of a stop sequence."""
        for start in range(max(0, len(text) - self._longest + 1), len(text)):
            tail = text[start:]
            if any(len(stop) > len(tail) and stop.startswith(tail) for stop in self._stops):
                return start
        return None

    def feed(self, text: str) -> str:
        """The part of ``text`` that is safe to emit now ("" once a stop matched)."""
        if self.stopped:
            return ""
        if not self._stops:
            return text
        buffer = self._held + text
        cut = _first_match(buffer, self._stops)
        possible = self._possible_start(buffer)
        if cut is not None and (possible is None or cut <= possible):
            self.matched = self.stopped = True
            self._held = ""
            return buffer[:cut]
        # Either no match yet, or a longer stop sequence may still start before it.
        self.matched = cut is not None
        safe = len(buffer) if possible is None else possible
        self._held = buffer[safe:]
        return buffer[:safe]

    def flush(self) -> str:
        """The held-back text at the end of the stream, cut at a stop sequence in it."""
        held, self._held = self._held, ""
        if self.stopped:
            return ""
        cut = _first_match(held, self._stops) if self._stops else None
        if cut is None:
            return held
        self.matched = self.stopped = True
        return held[:cut]
