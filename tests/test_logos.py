"""Logos: complete image headers, reading only regular files, and what may be deleted."""

from __future__ import annotations

import os
import threading

import pytest
from helpers import GIF, JPEG, PNG, add, assert_user_error, read_bytes

from hubsms import logos
from hubsms.errors import ExitCode, InvalidValue

# A JPEG whose frame header comes after an APP1 segment and fill bytes.
JPEG_EXIF = b"\xff\xd8" + b"\xff\xe1\x00\x06Exif" + b"\xff\xff\xc2\x00\x0b\x08\x00\x20\x00\x40\x01\x01\x11\x00"


@pytest.mark.parametrize(
    ("data", "kind", "size"),
    [(PNG, "png", (1, 1)), (GIF, "gif", (1, 1)), (JPEG, "jpeg", (1, 1)), (JPEG_EXIF, "jpeg", (64, 32))],
)
def test_the_size_is_read_from_the_header(data, kind, size):
    assert logos.detect_image_type(data) == kind
    assert logos.image_size(data, kind) == size


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("a.png", b"\x89PNG\r\n\x1a\n"),  # the signature only
        ("a.png", PNG[:20]),
        ("a.png", PNG[:12] + b"IDAT" + PNG[16:]),  # IHDR must come first
        ("a.gif", b"GIF89a\x01\x00"),
        ("a.gif", b"GIF89a" + bytes(20)),  # 0 x 0
        ("a.jpg", b"\xff\xd8\xff"),
        ("a.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(9)),  # no frame header
        ("a.jpg", b"\xff\xd8\xff\xda\x00\x08" + bytes(6) + JPEG[20:]),  # image data before the frame header
        ("a.jpg", JPEG[:-6]),
    ],
)
def test_an_incomplete_header_is_refused(filename, data):
    with pytest.raises(InvalidValue, match="not a complete"):
        logos.validate_logo(filename, data)


def test_add_refuses_a_png_that_is_only_its_signature(cli, config_path, tmp_path):
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert_user_error(add(cli, "A", "--logo", str(tmp_path / "a.png")), 2, "not a complete png image")
    assert read_bytes(config_path) is None


def test_a_regular_file_is_read(tmp_path):
    (tmp_path / "Brand.JPG").write_bytes(JPEG)
    assert logos.read_logo(tmp_path / "Brand.JPG") == logos.Logo(JPEG, "jpg")


def test_a_fifo_is_refused_at_once_without_being_read(tmp_path):
    fifo = tmp_path / "logo.png"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    reader = threading.Thread(target=lambda: outcome.append(pytest.raises(InvalidValue, logos.read_logo, fifo).value))
    reader.start()
    reader.join(10)
    if reader.is_alive():  # unblock the reader so that the test run can end, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO as a logo blocked")
    assert "not a regular file (a named pipe)" in outcome[0].message
    assert outcome[0].exit_code == ExitCode.USAGE


@pytest.mark.parametrize(("name", "kind"), [("folder.png", "a folder"), ("/dev/zero", "a character device")])
def test_other_non_regular_files_are_refused(tmp_path, name, kind):
    path = tmp_path / name
    if not name.startswith("/"):
        path.mkdir()
    with pytest.raises(InvalidValue, match=kind):
        logos.read_logo(path)


def test_the_size_error_gives_the_real_size(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(PNG + bytes(10 * 1024 * 1024 - len(PNG)))
    with pytest.raises(InvalidValue) as info:
        logos.read_logo(big)
    assert "is 10485760 bytes" in info.value.message


def test_a_missing_file_is_a_usage_error_naming_it(tmp_path):
    with pytest.raises(InvalidValue, match="cannot read logo .*absent.png"):
        logos.read_logo(tmp_path / "absent.png")


@pytest.fixture
def config(tmp_path):
    (tmp_path / "logos").mkdir()
    (tmp_path / "logos" / "a.png").write_bytes(PNG)
    return tmp_path / "connectors.toml"


def test_a_stored_logo_file_may_be_deleted(config):
    assert logos.deletable_logo(config, "logos/a.png") == config.parent / "logos" / "a.png"


@pytest.mark.parametrize("relative", ["logos/absent.png", "../a.png", "logos/../logos/a.png", "/tmp/a.png", "logos/sub/a.png", "a.png"])
def test_anything_else_may_not(config, relative):
    assert logos.deletable_logo(config, relative) is None


def test_a_symlink_in_logos_is_never_followed_to_a_deletion(config, tmp_path):
    victim = tmp_path / "victim.png"
    victim.write_bytes(PNG)
    (config.parent / "logos" / "b.png").symlink_to(victim)
    assert logos.deletable_logo(config, "logos/b.png") is None


def test_a_symlinked_logos_folder_is_never_deleted_from(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.png").write_bytes(PNG)
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "logos").symlink_to(elsewhere)
    assert logos.deletable_logo(tmp_path / "conf" / "connectors.toml", "logos/a.png") is None
