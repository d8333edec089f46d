"""Connector logos: which images hubsms accepts, reading one safely, and which stored file
may be deleted. The checks are pure; ``read_logo`` and ``deletable_logo`` do the small I/O.

A logo is a jpeg, gif or png of at most 1 MiB whose header is complete (its width and height
can be read): a file that only starts like an image is refused when it is given, not when a
server later fails to show it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final, NamedTuple

from hubsms.errors import InvalidValue

if TYPE_CHECKING:
    from hubsms.model import Connector

LOGO_MAX_BYTES: Final = 1024 * 1024
LOGO_EXTENSIONS: Final = ("jpeg", "jpg", "gif", "png")
LOGO_FOLDER: Final = "logos"
ALLOWED: Final = "a jpeg, jpg, gif or png image of at most 1 MiB"
_READ_HINT: Final = "give the path of a jpeg, jpg, gif or png file"

# How a config file names a stored logo: a file directly in logos/, with an image extension.
STORED_LOGO_RE: Final = re.compile(
    LOGO_FOLDER + r"/[^/\\\x00]+\.(?:" + "|".join(LOGO_EXTENSIONS) + ")", re.IGNORECASE
)

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (they hold the size): C0-CF but DHT (C4), JPG (C8) and DAC (CC).
_JPEG_SOF: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers with no length field: TEM, RST0-7, SOI.
_JPEG_STANDALONE: Final = frozenset([0x01, *range(0xD0, 0xD8), 0xD8])
_JPEG_SOS: Final = 0xDA


class Logo(NamedTuple):
    data: bytes
    extension: str


def detect_image_type(data: bytes) -> str | None:
    """The image type by its magic bytes: 'png', 'jpeg', 'gif' or None."""
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) read from the header of a ``kind`` image; None when the header is cut
    short or names an empty image."""
    size = {"png": _png_size, "gif": _gif_size, "jpeg": _jpeg_size}[kind](data)
    return size if size and size[0] > 0 and size[1] > 0 else None


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The first chunk must be IHDR: length (4), type (4), width (4), height (4).
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _gif_size(data: bytes) -> tuple[int, int] | None:
    # The logical screen descriptor follows the 6-byte signature: width, height (little-endian).
    if len(data) < 10:
        return None
    return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the segments after SOI to the first start-of-frame (SOFn): precision (1),
    height (2), width (2). Image data (after SOS) before any SOFn means no size."""
    pos = 2
    while pos + 1 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte before the marker
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        if marker == _JPEG_SOS or pos + 4 > len(data):
            return None
        if marker in _JPEG_SOF:
            if pos + 9 > len(data):
                return None
            return int.from_bytes(data[pos + 7 : pos + 9], "big"), int.from_bytes(data[pos + 5 : pos + 7], "big")
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def validate_logo(filename: str, data: bytes) -> str:
    """A logo's content: jpeg, jpg, gif or png by its bytes, with a complete header, at most
    1 MiB. Returns the extension to store it under."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in LOGO_EXTENSIONS:
        raise InvalidValue("logo", f"logo {filename!r} is not a jpeg, jpg, gif or png file", f"give {ALLOWED}")
    _check_size(filename, len(data))
    kind = detect_image_type(data)
    if kind is None:
        raise InvalidValue(
            "logo", f"logo {filename!r} is not an image (its content is not jpeg, gif or png)", f"give {ALLOWED}"
        )
    expected = "jpeg" if suffix in ("jpg", "jpeg") else suffix
    if kind != expected:
        raise InvalidValue(
            "logo", f"logo {filename!r} is named .{suffix} but holds a {kind} image", f"rename it to .{kind}"
        )
    if image_size(data, kind) is None:
        raise InvalidValue(
            "logo",
            f"logo {filename!r} is not a complete {kind} image (its width and height cannot be read)",
            f"give {ALLOWED}; re-export it from an image editor",
        )
    return suffix


def _check_size(filename: str, size: int) -> None:
    if size > LOGO_MAX_BYTES:
        raise _too_large(filename, size)


def _too_large(filename: str, size: int) -> InvalidValue:
    return InvalidValue("logo", f"logo {filename!r} is {size} bytes", f"give {ALLOWED}")


def read_logo(path: Path) -> Logo:
    """Read and check the logo file at ``path``: a regular file only (``files.read_regular``:
    a FIFO or a device would block or never end). The size error names the file's real size."""
    from hubsms import files

    if "\0" in str(path):  # no file can have it, and os.open would raise ValueError
        raise InvalidValue("logo", f"logo {str(path)!r} holds a NUL character", _READ_HINT)
    try:
        data = files.read_regular(path, LOGO_MAX_BYTES)
    except files.NotRegularFile as exc:
        raise InvalidValue("logo", f"logo {str(path)!r} is not a regular file ({exc.kind})", _READ_HINT) from None
    except files.TooLarge as exc:
        raise _too_large(path.name, exc.size) from None
    except OSError as exc:
        raise InvalidValue("logo", f"cannot read logo {str(path)!r}: {exc.strerror or exc}", _READ_HINT) from None
    return Logo(data, validate_logo(path.name, data))


def free_logo_path(
    name: str, extension: str, connectors: Iterable[Connector], *, own: str | None, placed: Collection[str] = ()
) -> str:
    """Where to store connector ``name``'s new logo: ``logos/<name>.<ext>`` relative to the
    config file, numbered past the logos of the other ``connectors`` (all but the one called
    ``own``, whose file may be overwritten) and the paths already ``placed`` by this change."""
    from hubsms.model import logo_filename

    taken = {c.logo for c in connectors if c.name != own}.union(placed)
    filename = logo_filename(name, extension)
    stem, ext = filename.rsplit(".", 1)
    counter = 2
    while f"{LOGO_FOLDER}/{filename}" in taken:
        filename = f"{stem}-{counter}.{ext}"
        counter += 1
    return f"{LOGO_FOLDER}/{filename}"


def is_stored_logo(relative: str) -> bool:
    """Whether a config file's logo value has the form hubsms stores: ``logos/<file>.<ext>``."""
    return bool(STORED_LOGO_RE.fullmatch(relative))


def deletable_logo(config_path: Path, relative: str) -> Path | None:
    """The file to delete for the stored logo ``relative`` of the config at ``config_path``,
    or None when it must be left alone: only a regular file directly in a real ``logos/``
    folder beside the config file. A symlink (the file or the folder) may point anywhere,
    and hubsms never made one: deleting through it could remove someone else's file."""
    if not is_stored_logo(relative):
        return None
    folder = config_path.parent / LOGO_FOLDER
    target = folder / relative.split("/", 1)[1]
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode) or not stat.S_ISREG(os.lstat(target).st_mode):
            return None
    except OSError:
        return None
    return target
