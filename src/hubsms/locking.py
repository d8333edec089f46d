"""An exclusive lock on a lock file, released when its holder ends, that says who holds it.

POSIX: ``fcntl.flock`` on a hidden lock file, created 0600 whatever the umask. The holder
writes its pid into the file once it holds the lock, and empties it before letting go, so
that a writer that gave up waiting can name the process it waited for.

The lock file is never deleted. Deleting it is what makes lock files unsafe: a writer that
opened the file before it was unlinked would lock the deleted inode, while the next one
creates and locks a new file, and both would write. The kernel releases a flock when its
holder dies, so a lock file left behind holds nothing and needs no cleaning; it is hidden
(``.connectors.toml.lock``) and private. Windows has no flock: there filelock's lock is used,
without a pid.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

POLL_SECONDS = 0.05


class LockTimeout(Exception):
    """The lock was still held after the timeout; ``holder`` is its pid when it is known."""

    def __init__(self, holder: int | None) -> None:
        super().__init__(holder)
        self.holder = holder


@contextlib.contextmanager
def exclusive(lock: Path, timeout: float, on_open_error: Callable[[OSError], Exception]) -> Iterator[None]:
    """Hold the lock on the file ``lock`` (created if needed); LockTimeout after ``timeout``
    seconds. An OSError opening the file becomes ``on_open_error(exc)``."""
    if os.name == "nt":  # pragma: no cover - no fcntl
        with _filelock(lock, timeout):
            yield
        return
    fd = _open(lock, on_open_error)
    try:
        if not _flock(fd, timeout):
            raise LockTimeout(_holder(fd))
        _write_pid(fd, f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            _write_pid(fd, b"")
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def _open(lock: Path, on_open_error: Callable[[OSError], Exception]) -> int:
    # O_NOFOLLOW: a symlink planted as the lock file must not make hubsms create or lock
    # a file elsewhere.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(lock, flags, 0o600)
    except OSError as exc:
        raise on_open_error(exc) from None
    with contextlib.suppress(OSError):  # the umask may have narrowed 0600; another user's file keeps its mode
        os.fchmod(fd, 0o600)
    return fd


def _flock(fd: int, timeout: float) -> bool:
    """Poll for the lock until ``timeout`` (a blocking flock could not time out)."""
    import fcntl

    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(POLL_SECONDS, left))


def _write_pid(fd: int, data: bytes) -> None:
    # Only the holder writes; a failure to say who holds the lock must not fail the change.
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)


def _holder(fd: int) -> int | None:
    """The pid the holder wrote, if that process still runs (it may not have written yet)."""
    try:
        raw = os.pread(fd, 32, 0).strip()
    except OSError:
        return None
    pid = int(raw) if raw.isdigit() else 0
    return pid if pid > 0 and is_running(pid) else None


def is_running(pid: int) -> bool:
    """Whether process ``pid`` exists (on this host, in this pid namespace). True when it
    cannot be told: on Windows ``os.kill(pid, 0)`` would end the process."""
    if os.name == "nt":  # pragma: no cover
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, as another user
        return True
    return True


@contextlib.contextmanager
def _filelock(lock: Path, timeout: float) -> Iterator[None]:  # pragma: no cover - Windows
    from filelock import FileLock, Timeout

    handle = FileLock(str(lock), timeout=timeout)
    try:
        handle.acquire()
    except Timeout:
        raise LockTimeout(None) from None
    try:
        yield
    finally:
        handle.release()
