"""Reading a file a person named (a config, a desired-state file, a logo): a regular file
only, and never more than a limit. A FIFO would block, a device never end, a folder is no
file: each is refused by its kind, before anything is read."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

_KINDS: Final = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(Exception):
    """The path names something other than a regular file; ``kind`` says what, in words."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class TooLarge(Exception):
    """The file holds more than the limit: ``size`` bytes (its size, or what was read)."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def check_regular(info: os.stat_result, limit: int) -> None:
    """NotRegularFile unless ``info`` is a regular file's, TooLarge when it has more than ``limit`` bytes."""
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(next((name for test, name in _KINDS if test(info.st_mode)), "not a file"))
    if info.st_size > limit:
        raise TooLarge(info.st_size)


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (a symlink is followed), at most ``limit``.
    It is opened without waiting for a writer (a FIFO put there is refused, not waited on)
    and checked on the open file; one that grew past ``limit`` since is TooLarge too. Any
    other failure is the OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        check_regular(os.fstat(fd), limit)
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise TooLarge(len(data))
    return data
