"""The push-style SSE line and event decoders (the WHATWG event-stream rules).

Pure and self-contained: they are fed text in any split (no response, no I/O) and give
:class:`ServerSentEvent` values. The shape follows httpx-sse's decoders, whose public
API reads a response instead, so they are written here rather than depended on.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EventDecoder", "LineDecoder", "ServerSentEvent"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One server-sent event.

    Attributes:
        event: Its ``event:`` name; ``"message"`` when it named none (as the spec says).
        data: Its ``data:`` lines, joined with ``"\\n"``.
        id: The last ``id:`` seen on the stream so far ("" when none).
        retry: Its ``retry:`` reconnection time in milliseconds, when it gave one.

    Example:
        >>> ServerSentEvent(data="{}")
        ServerSentEvent(event='message', data='{}', id='', retry=None)
    """

    event: str = "message"
    data: str = ""
    id: str = ""
    retry: int | None = None


def _split_lines(text: str) -> list[str]:
    """Split on ``\\r\\n``, ``\\r`` or ``\\n`` only (not on every Unicode line break)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if text[-1] in "\r\n":
        lines.pop()
    return lines


class LineDecoder:
    """Turns text fed in any split into complete lines.

    Example:
        >>> decoder = LineDecoder()
        >>> decoder.decode("data: a\\r"), decoder.decode("\\ndata: b"), decoder.flush()
        ([], ['data: a'], ['data: b'])
    """

    def __init__(self) -> None:
        self._buffer: list[str] = []
        self._trailing_cr = False

    def decode(self, text: str) -> list[str]:
        """The lines this text completes."""
        # A trailing "\r" may be the first half of "\r\n": keep it for the next call.
        if self._trailing_cr:
            text = "\r" + text
            self._trailing_cr = False
        if text.endswith("\r"):
            self._trailing_cr = True
            text = text[:-1]
        if not text:
            return []
        ends_with_newline = text[-1] in "\r\n"
        lines = _split_lines(text)
        if len(lines) == 1 and not ends_with_newline:
            self._buffer.append(lines[0])
            return []
        if self._buffer:
            lines[0] = "".join(self._buffer) + lines[0]
            self._buffer = []
        if not ends_with_newline:
            self._buffer = [lines.pop()]
        return lines

    def flush(self) -> list[str]:
        """The unfinished last line, if any."""
        if not self._buffer and not self._trailing_cr:
            return []
        line = "".join(self._buffer)
        self._buffer = []
        self._trailing_cr = False
        return [line]


class EventDecoder:
    """Turns lines into events; an empty line ends an event.

    Example:
        >>> decoder = EventDecoder()
        >>> decoder.decode("event: error"), decoder.decode("data: {}")
        (None, None)
        >>> event = decoder.decode("")
        >>> event.event, event.data
        ('error', '{}')
    """

    def __init__(self) -> None:
        self._event = ""
        self._data: list[str] = []
        self._last_event_id = ""
        self._retry: int | None = None

    def decode(self, line: str) -> ServerSentEvent | None:
        """The event this line completes, if it completes one."""
        if not line:
            if not (self._event or self._data or self._last_event_id or self._retry is not None):
                return None
            event = ServerSentEvent(
                event=self._event or "message",
                data="\n".join(self._data),
                id=self._last_event_id,
                retry=self._retry,
            )
            # The spec keeps the last event id across events.
            self._event, self._data, self._retry = "", [], None
            return event
        if line.startswith(":"):  # a comment
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id" and "\0" not in value:
            self._last_event_id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None
