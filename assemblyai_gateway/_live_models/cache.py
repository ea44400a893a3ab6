"""The model list on disk: one small JSON file per base URL, in the user's cache folder.

* A file holds the list as it was parsed (never the gateway's raw answer, never a
  request header), the base URL it came from and when it was fetched; a list whose text
  would hold the API key is not written at all.
* It is written atomically: a temporary file in the same folder (readable by the user
  only), then ``os.replace``, so a reader sees the old file or the new one, whole.
* A file that cannot be read, is not such a list, names another base URL, is larger
  than a list can be, or was written "in the future" is ignored; the next read
  replaces it.
* Nothing here raises: a read-only home or a full disk only means no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..model_list import ModelList

__all__ = ["CachedList", "cache_file", "read_cache", "write_cache"]

logger = logging.getLogger("assemblyai_gateway")

_FORMAT = 1
_MAX_FILE_BYTES = 16 * 1024 * 1024
# A file fetched this much "later" than now means the clock moved back: not trusted.
_CLOCK_SLACK_SECONDS = 300.0


@dataclass(frozen=True)
class CachedList:
    """A list read from disk, and when the gateway sent it (Unix seconds)."""

    listing: ModelList
    fetched_at: float


def cache_file(folder: Path, base_url: str) -> Path:
    """The file that holds ``base_url``'s list in ``folder`` (named by a hash of the URL)."""
    digest = hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:32]
    return folder / f"model-list-{digest}.json"


def read_cache(folder: Path, base_url: str, now: float) -> CachedList | None:
    """``base_url``'s list from ``folder``, whatever its age; ``None`` when there is no
    usable one."""
    path = cache_file(folder, base_url)
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            return None
        payload = json.loads(path.read_bytes())
        fetched_at = payload["fetched_at"]
        if (
            payload.get("format") != _FORMAT
            or payload.get("base_url") != base_url
            or isinstance(fetched_at, bool)
            or not isinstance(fetched_at, (int, float))
            or not math.isfinite(fetched_at)
            or fetched_at > now + _CLOCK_SLACK_SECONDS
        ):
            return None
        return CachedList(ModelList.model_validate(payload["list"]), float(fetched_at))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, RecursionError) as exc:
        # A corrupt or foreign file is ignored (pydantic's ValidationError is a ValueError).
        logger.debug("ignored the model-list cache %s: %s", path, type(exc).__name__)
        return None


def write_cache(
    folder: Path, base_url: str, listing: ModelList, fetched_at: float, *, secret: str | None
) -> bool:
    """Keep ``listing`` in ``folder``; whether it was written.

    Args:
        secret: Text that must never reach the disk (the API key): a list holding it is
            not written.
    """
    text = json.dumps(
        {
            "format": _FORMAT,
            "base_url": base_url,
            "fetched_at": fetched_at,
            "list": listing.model_dump(mode="json", by_alias=True),
        },
        ensure_ascii=False,
    )
    if secret and secret in text:
        logger.debug("the model list holds the API key's text: not written to disk")
        return False
    temporary: str | None = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".model-list-", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, cache_file(folder, base_url))
        temporary = None
    except OSError as exc:
        logger.debug("could not write the model-list cache in %s: %s", folder, exc)
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return True
