"""Connector logos: which images hubsms accepts, reading one safely, where a config keeps
them and which stored file may be deleted. The checks of an image are pure; reading one
(``read_logo``), the real config file's folder (``config_folder``, ``own_folder``,
``logo_home``: a symlink is followed), ``free_logo_path`` and ``deletable_logo`` do small I/O.

Each config file keeps its logos in its own folder, ``logos/<config file name>/`` beside its
real file (a symlinked config's target), the path stored relative to that file's folder: two
config files in one folder never share a logo. A config written before names
``logos/<file>``, directly in the folder they all shared: it keeps working, and such a logo
is deleted only when no other config file beside it names it.

A logo is a jpeg, gif or png of at most 1 MiB whose header is complete (its width and height
can be read): a file that only starts like an image is refused when it is given, not when a
server later fails to show it.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Final, NamedTuple

from hubsms import files
from hubsms.errors import InvalidValue
from hubsms.model import Connector, logo_filename
from hubsms.paths import real_config

LOGO_MAX_BYTES: Final = 1024 * 1024
LOGO_EXTENSIONS: Final = ("jpeg", "jpg", "gif", "png")
LOGO_FOLDER: Final = "logos"
ALLOWED: Final = "a jpeg, jpg, gif or png image of at most 1 MiB"
_READ_HINT: Final = "give the path of a jpeg, jpg, gif or png file"

# How a config file names a stored logo: a file with an image extension in a config's own
# folder, logos/<config file name>/, or (as all config files of a folder did before) directly
# in logos/. No "." or ".." folder, no backslash: the path stays inside logos/ everywhere.
STORED_LOGO_RE: Final = re.compile(
    LOGO_FOLDER + r"/(?:(?!\.\.?/)[^/\\\x00]+/)?[^/\\\x00]+\.(?:" + "|".join(LOGO_EXTENSIONS) + ")", re.IGNORECASE
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
    config_path: Path, name: str, extension: str, connectors: Iterable[Connector], *, placed: Collection[str] = ()
) -> str:
    """Where to store connector ``name``'s new logo: ``logos/<config file name>/<name>.<ext>``
    (``own_folder``), numbered past the logos the config's ``connectors`` name, the paths
    already ``placed`` by this change and every file already there. A new logo never
    overwrites a file: the old one is deleted after the save, so a kill in between leaves an
    orphan (which ``hubsms doctor --fix`` deletes), never a config naming changed bytes."""
    folder = own_folder(config_path)
    base = config_folder(config_path)
    taken = {c.logo for c in connectors}.union(placed)
    filename = logo_filename(name, extension)
    stem, ext = filename.rsplit(".", 1)
    counter = 2
    while f"{folder}/{filename}" in taken or os.path.lexists(base / folder / filename):
        filename = f"{stem}-{counter}.{ext}"
        counter += 1
    return f"{folder}/{filename}"


def config_folder(config_path: Path) -> Path:
    """The folder a config's logo paths are relative to: the real file's (``paths.real_config``),
    so that a symlinked config keeps its logos beside its target, not beside the link."""
    return real_config(config_path).parent


def logo_file(config_path: Path, relative: str) -> Path:
    """The file of the stored logo ``relative`` of the config at ``config_path``."""
    return config_folder(config_path) / relative


def own_folder(config_path: Path) -> str:
    """``logos/<file name>``: the folder of this config's logos, named after its real file
    (``prod.toml`` -> ``logos/prod.toml``), so that config files sharing a folder never
    share a logo. A backslash (which a stored path may not hold) becomes ``_``."""
    return f"{LOGO_FOLDER}/{real_config(config_path).name.replace(chr(92), '_')}"


def drop_own_folder_if_empty(config_path: Path) -> None:
    """Delete this config's own logo folder (``own_folder``) once no file is left in it: after
    its last logo is deleted. ``os.rmdir`` deletes only an empty folder, and no symlink;
    anything else there (a file, a folder) keeps it."""
    with contextlib.suppress(OSError):  # not empty, gone already, or a symlink: left as it is
        os.rmdir(logo_file(config_path, own_folder(config_path)))


def is_stored_logo(relative: str) -> bool:
    """Whether a config file's logo value has a form hubsms stores: ``logos/<folder>/<file>.<ext>``
    (a config's own folder) or ``logos/<file>.<ext>`` (the folder all config files beside it
    shared before)."""
    return bool(STORED_LOGO_RE.fullmatch(relative))


OWN: Final = "own"
SHARED: Final = "shared"
OTHER: Final = "other"


def logo_home(config_path: Path, relative: str) -> str:
    """Whose folder the stored logo ``relative`` is in: ``OWN`` (this config's), ``SHARED``
    (``logos/`` itself, shared by the config files of the folder), or ``OTHER`` (another
    config file's: this one names it only when it was copied or renamed by hand)."""
    folder, _, _file = relative.rpartition("/")
    if folder == LOGO_FOLDER:
        return SHARED
    return OWN if folder == own_folder(config_path) else OTHER


def deletable_logo(config_path: Path, relative: str) -> Path | None:
    """The file to delete for the stored logo ``relative`` of the config at ``config_path``,
    or None when it must be left alone: only a regular file directly in this config's own
    logo folder or in ``logos/`` itself, each a real folder beside the config's real file.
    Never a file of another config's folder; never through a symlink (the file or a folder),
    which may point anywhere: hubsms never made one. Whether another config file names it is
    ``service.transaction.logos_of_other_configs``'s question."""
    if not is_stored_logo(relative) or logo_home(config_path, relative) == OTHER:
        return None
    base = config_folder(config_path)
    target = base / relative
    folders = [base / LOGO_FOLDER] + ([target.parent] if target.parent != base / LOGO_FOLDER else [])
    try:
        if not all(stat.S_ISDIR(os.lstat(folder).st_mode) for folder in folders):
            return None
        if not stat.S_ISREG(os.lstat(target).st_mode):
            return None
    except OSError:
        return None
    return target
