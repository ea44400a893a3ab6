"""How the package's exceptions pickle: whole, whatever their ``__init__`` takes."""

from __future__ import annotations

import copyreg
from typing import Any

__all__ = ["reduce_keeping_attributes"]


def reduce_keeping_attributes(error: BaseException) -> tuple[Any, ...]:
    """``error`` for pickle: rebuilt as ``cls.__new__(cls, *args)``, then given its attributes.

    Pickle's default for an exception, ``cls(*args)``, calls ``__init__`` with the
    positional ``args`` only, which fails for keyword-only arguments
    (``APIStatusError(message, status_code=...)``) and misplaces others
    (``BulkOutputLockedError(path)``). Multiprocessing pools and Ray send errors back
    to the caller this way.

    Example:
        >>> import pickle
        >>> from assemblyai_gateway.errors import RateLimitError
        >>> error = RateLimitError("slow down", status_code=429, request_id="req-1")
        >>> str(pickle.loads(pickle.dumps(error)))
        'Error code: 429 - slow down (request_id=req-1)'
    """
    rebuild = copyreg.__newobj__  # type: ignore[attr-defined]  # not in typeshed's copyreg
    return rebuild, (type(error), *error.args), error.__dict__
