"""An exclusive, non-blocking OS lock on an open file, held until it is released or closed.

POSIX: ``flock``, which belongs to the open file, so two runs conflict whether they are
in two processes or in one; the kernel drops it when the process dies, even by
``kill -9``. On Linux, NFS turns it into a byte-range lock that NFS servers share.

Windows: ``msvcrt.locking`` on one byte far past the end of the file, so the lock
never covers data and other programs can still read the results during a run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys

__all__ = ["lock_file", "unlock_file"]

# Where the Windows lock sits: past any real file, well inside what NTFS allows.
_WINDOWS_LOCK_OFFSET = 1 << 40

_HELD_ELSEWHERE = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES}


def lock_file(fd: int) -> bool | None:
    """Lock the open file ``fd`` exclusively, without waiting.

    Returns:
        True when locked; False when another holder has it; None when the file system
        offers no lock (then nothing guards the file).
    """
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        import fcntl
    except ImportError:  # neither POSIX nor Windows (WASI)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in _HELD_ELSEWHERE:
            return False
        return None  # ENOLCK, EOPNOTSUPP...: a file system without locks
    return True


def unlock_file(fd: int) -> None:
    """Release the lock :func:`lock_file` took (closing the file releases it as well)."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    try:
        import fcntl
    except ImportError:
        return
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
