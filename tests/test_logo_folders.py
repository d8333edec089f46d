"""Each config file keeps its logos in its own folder, ``logos/<config file name>/`` beside its
real file: config files sharing a folder never overwrite or delete each other's logos, a
symlinked config keeps them beside its target, and a config written before (``logos/<file>``,
the folder they all shared) keeps working."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import GIF, JPEG, PNG, SID, SID2, TOKEN2, add, read_bytes

from hubsms import store


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "configs"
    path.mkdir()
    return path


def image(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def on(config: Path) -> dict[str, str]:
    return {"HUBSMS_CONFIG": str(config)}


def run(cli: Any, config: Path, *args: str, **options: Any) -> Any:
    result = cli(*args, env=on(config), **options)
    assert result.exit_code == 0, result.output
    return result


def logo_of(cli: Any, config: Path, name: str) -> str:
    return json.loads(run(cli, config, "connector", "show", name, "--json").stdout)["logo"]


def logo_bytes(cli: Any, config: Path, name: str) -> bytes | None:
    return read_bytes(config.parent / logo_of(cli, config, name))


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def two(cli: Any, folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """a.toml and b.toml in one folder, each with a connector "Brand" of its own logo."""
    a, b = folder / "a.toml", folder / "b.toml"
    assert add(cli, "Brand", "--logo", str(image(tmp_path, "a.png", PNG)), env=on(a)).exit_code == 0
    assert add(cli, "Brand", "--logo", str(image(tmp_path, "b.gif", GIF)), account_sid=SID2, tok=TOKEN2,
               env=on(b)).exit_code == 0
    return a, b


def test_two_configs_in_one_folder_keep_their_own_logo_of_the_same_connector_name(cli, two):
    a, b = two
    assert logo_of(cli, a, "Brand") == "logos/a.toml/brand.png"
    assert logo_of(cli, b, "Brand") == "logos/b.toml/brand.gif"
    assert logo_bytes(cli, a, "Brand") == PNG and logo_bytes(cli, b, "Brand") == GIF


def test_two_configs_with_logos_of_one_type_never_overwrite_each_other(cli, folder, tmp_path):
    a, b = folder / "a.toml", folder / "b.toml"
    for config, data in ((a, PNG), (b, PNG + b"b")):
        assert add(cli, "Brand", "--logo", str(image(tmp_path, "x.png", data)), env=on(config)).exit_code == 0
    assert (logo_bytes(cli, a, "Brand"), logo_bytes(cli, b, "Brand")) == (PNG, PNG + b"b")


def test_removing_in_one_config_leaves_the_others_logo(cli, two, folder):
    a, b = two
    run(cli, a, "connector", "remove", "Brand", "--yes")
    assert logo_bytes(cli, b, "Brand") == GIF
    assert files_under(folder / "logos") == {"b.toml/brand.gif": GIF}


def test_a_configs_own_logo_folder_goes_with_its_last_logo_and_nothing_else(cli, two, folder, tmp_path):
    a, b = two
    run(cli, a, "connector", "remove", "Brand", "--yes")
    assert sorted(p.name for p in (folder / "logos").iterdir()) == ["b.toml"]  # no empty a.toml/ left
    keep = folder / "logos" / "b.toml" / "notes.txt"  # someone's file: not a logo, never deleted
    keep.write_text("mine")
    run(cli, b, "connector", "edit", "Brand", "--no-logo")
    assert files_under(folder / "logos") == {"b.toml/notes.txt": b"mine"}
    keep.unlink()
    assert add(cli, "Brand 2", "--logo", str(image(tmp_path, "c.png", PNG)), env=on(b)).exit_code == 0
    (folder / "logos" / "b.toml" / "brand-2.png").unlink()  # the config names a logo that is gone
    run(cli, b, "connector", "edit", "Brand 2", "--no-logo")
    assert not (folder / "logos" / "b.toml").exists()


def test_doctor_fix_deletes_the_own_folder_it_leaves_empty(cli, folder):
    a = folder / "a.toml"
    assert add(cli, "Plain", env=on(a)).exit_code == 0
    (folder / "logos" / "a.toml").mkdir(parents=True)
    (folder / "logos" / "a.toml" / "left-over.png").write_bytes(PNG)
    assert cli("doctor", "--fix", env=on(a)).exit_code == 0
    assert list((folder / "logos").iterdir()) == []


def test_editing_the_logo_in_one_config_leaves_the_others(cli, two, folder, tmp_path):
    a, b = two
    run(cli, a, "connector", "edit", "Brand", "--logo", str(image(tmp_path, "new.jpg", JPEG)))
    assert logo_bytes(cli, a, "Brand") == JPEG and logo_bytes(cli, b, "Brand") == GIF
    run(cli, a, "connector", "edit", "Brand", "--no-logo")
    assert files_under(folder / "logos") == {"b.toml/brand.gif": GIF}


def test_a_new_logo_of_the_same_name_is_a_new_file_and_the_old_one_goes_after_the_save(cli, folder, tmp_path):
    """The file the saved config names is never rewritten: a kill before the save leaves the
    old logo named and intact."""
    a = folder / "a.toml"
    assert add(cli, "Brand", "--logo", str(image(tmp_path, "x.png", PNG)), env=on(a)).exit_code == 0
    run(cli, a, "connector", "edit", "Brand", "--logo", str(image(tmp_path, "y.png", PNG + b"2")))
    assert logo_of(cli, a, "Brand") == "logos/a.toml/brand-2.png"
    assert files_under(folder / "logos") == {"a.toml/brand-2.png": PNG + b"2"}


def test_doctor_fix_in_one_config_never_deletes_the_others_logos(cli, two, folder):
    a, b = two
    orphan_of_b = folder / "logos" / "b.toml" / "left-over.png"
    orphan_of_b.write_bytes(PNG)
    orphan_of_a = folder / "logos" / "a.toml" / "left-over.png"
    orphan_of_a.write_bytes(PNG)
    result = cli("doctor", "--fix", "--json", env=on(a))
    assert result.exit_code == 0, result.output
    fixed = [f["item"] for f in json.loads(result.stdout)["findings"] if f["status"] == "fixed"]
    assert fixed == ["logos/a.toml/left-over.png"]
    assert not orphan_of_a.exists() and orphan_of_b.read_bytes() == PNG
    assert logo_bytes(cli, b, "Brand") == GIF and logo_bytes(cli, a, "Brand") == PNG


def test_apply_in_two_configs_keeps_two_logos(cli, folder, tmp_path, monkeypatch):
    monkeypatch.setenv("TOKEN_A", TOKEN2)
    for name, data in (("a", PNG), ("b", PNG + b"b")):
        image(tmp_path, f"{name}.png", data)
        desired = tmp_path / f"{name}-desired.toml"
        desired.write_text(f'schema_version = 1\n[connectors.Brand]\naccount_sid = "{SID}"\nfrom = "+15005550006"\n'
                           f'auth_token_env = "TOKEN_A"\nlogo = "{name}.png"\n', encoding="utf-8")
        run(cli, folder / f"{name}.toml", "apply", str(desired), "--keep-env-refs")
    assert (logo_bytes(cli, folder / "a.toml", "Brand"), logo_bytes(cli, folder / "b.toml", "Brand")) == (PNG, PNG + b"b")
    assert sorted(files_under(folder / "logos")) == ["a.toml/brand.png", "b.toml/brand.png"]


# --- a symlinked config -----------------------------------------------------------------------


def test_a_symlinked_config_keeps_its_logos_beside_the_real_file(cli, tmp_path):
    real, links = tmp_path / "real", tmp_path / "links"
    real.mkdir()
    links.mkdir()
    (links / "hubsms.toml").symlink_to(real / "prod.toml")
    link = links / "hubsms.toml"
    assert add(cli, "Brand", "--logo", str(image(tmp_path, "x.png", PNG)), env=on(link)).exit_code == 0
    assert logo_of(cli, link, "Brand") == "logos/prod.toml/brand.png"
    assert files_under(real / "logos") == {"prod.toml/brand.png": PNG}
    assert not (links / "logos").exists()
    doctor = cli("doctor", "--json", env=on(link))
    assert doctor.exit_code == 0, doctor.output  # the logo is found beside the real file
    run(cli, link, "connector", "edit", "Brand", "--logo", str(image(tmp_path, "y.gif", GIF)))
    assert files_under(real / "logos") == {"prod.toml/brand.gif": GIF}
    run(cli, link, "connector", "remove", "Brand", "--yes")
    assert files_under(real / "logos") == {} and not (links / "logos").exists()


def test_add_exist_ok_through_a_link_compares_the_logo_beside_the_real_file(cli, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "hubsms.toml"
    link.symlink_to(real / "prod.toml")
    logo = image(tmp_path, "x.png", PNG)
    assert add(cli, "Brand", "--logo", str(logo), env=on(link)).exit_code == 0
    again = add(cli, "Brand", "--logo", str(logo), "--exist-ok", env=on(link))
    assert again.exit_code == 0 and "already exists, unchanged" in again.stderr, again.output


# --- a config written before: logos/<file>, shared by the folder --------------------------------


def legacy(folder: Path, name: str, logo: str, account_sid: str = SID) -> Path:
    """A config file as hubsms wrote it before, its logo directly in logos/."""
    config = folder / name
    config.write_text(f'schema_version = 1\n\n[connectors."Brand"]\nlogo = "{logo}"\naccount_sid = "{account_sid}"\n'
                      'from = "+15005550006"\nactive = true\n', encoding="utf-8")
    (folder / "logos").mkdir(exist_ok=True)
    return config


def test_a_legacy_logo_still_loads_shows_and_is_removed(cli, folder, keyring_token):
    a = legacy(folder, "a.toml", "logos/brand.png")
    (folder / "logos" / "brand.png").write_bytes(PNG)
    assert logo_of(cli, a, "Brand") == "logos/brand.png" and logo_bytes(cli, a, "Brand") == PNG
    assert cli("doctor", env=on(a)).exit_code == 0
    run(cli, a, "connector", "remove", "Brand", "--yes")
    assert not (folder / "logos" / "brand.png").exists()


def test_a_legacy_logo_another_config_names_is_kept_on_remove_and_edit(cli, folder, tmp_path, keyring_token):
    a = legacy(folder, "a.toml", "logos/brand.png")
    legacy(folder, "b.toml", "logos/brand.png")
    (folder / "logos" / "brand.png").write_bytes(PNG)
    run(cli, a, "connector", "edit", "Brand", "--logo", str(image(tmp_path, "y.gif", GIF)))
    assert logo_of(cli, a, "Brand") == "logos/a.toml/brand.gif"
    assert (folder / "logos" / "brand.png").read_bytes() == PNG  # b.toml names it
    run(cli, a, "connector", "remove", "Brand", "--yes")
    assert files_under(folder / "logos") == {"brand.png": PNG}
    assert logo_bytes(cli, folder / "b.toml", "Brand") == PNG


def test_a_legacy_logo_a_config_that_does_not_load_names_is_kept_and_doctor_fix_keeps_it(cli, folder, keyring_token):
    a = legacy(folder, "a.toml", "logos/brand.png")
    b = legacy(folder, "b.toml", "logos/brand.png")
    b.write_text(b.read_text(encoding="utf-8") + "actve = \n", encoding="utf-8")  # a hand edit half done
    (folder / "logos" / "brand.png").write_bytes(PNG)
    run(cli, a, "connector", "edit", "Brand", "--no-logo")
    assert (folder / "logos" / "brand.png").read_bytes() == PNG  # b.toml names it
    doctor = cli("doctor", "--fix", env=on(a))
    assert (folder / "logos" / "brand.png").read_bytes() == PNG, doctor.output
    assert "used by b.toml in the same folder" in doctor.output
    b.write_text(b.read_text(encoding="utf-8").replace("actve = \n", "actve = true\n"), encoding="utf-8")
    assert cli("doctor", "--fix", env=on(a)).exit_code == 0  # parses, still not a config: names its logo
    assert (folder / "logos" / "brand.png").read_bytes() == PNG


def test_an_export_beside_the_config_keeps_no_logo_alive(cli, two, folder, tmp_path):
    a, _ = two
    (folder / "backup.toml").write_text(run(cli, a, "export").stdout, encoding="utf-8")
    old = folder / logo_of(cli, a, "Brand")
    run(cli, a, "connector", "edit", "Brand", "--logo", str(image(tmp_path, "y.png", PNG + b"2")))
    assert not old.exists()  # the export holds the image itself


def test_a_legacy_logo_edited_moves_into_the_own_folder(cli, folder, tmp_path, keyring_token):
    a = legacy(folder, "a.toml", "logos/brand.png")
    (folder / "logos" / "brand.png").write_bytes(PNG)
    run(cli, a, "connector", "edit", "Brand", "--logo", str(image(tmp_path, "y.png", PNG + b"2")))
    assert files_under(folder / "logos") == {"a.toml/brand.png": PNG + b"2"}


@pytest.fixture
def keyring_token(cli: Any, tmp_path: Path) -> None:
    """The token of SID in the keyring, stored through a config of its own."""
    assert add(cli, "Keeper", env=on(tmp_path / "keeper.toml")).exit_code == 0


# --- a config copied or renamed by hand ---------------------------------------------------------


def test_a_copied_config_reads_the_originals_logo_and_never_deletes_it(cli, two, folder, tmp_path):
    a, _ = two
    copy = folder / "copy.toml"
    shutil.copyfile(a, copy)
    assert logo_of(cli, copy, "Brand") == "logos/a.toml/brand.png" and logo_bytes(cli, copy, "Brand") == PNG
    doctor = cli("doctor", "--fix", "--json", env=on(copy))
    warnings = [f for f in json.loads(doctor.stdout)["findings"] if f["kind"] == "logo" and f["status"] == "warning"]
    assert [w["item"] for w in warnings] == ["logos/a.toml/brand.png"]
    assert "another config file" in warnings[0]["detail"] and "--logo logos/a.toml/brand.png" in warnings[0]["detail"]
    run(cli, copy, "connector", "remove", "Brand", "--yes")
    assert logo_bytes(cli, a, "Brand") == PNG


def test_the_original_never_deletes_a_logo_its_copy_names(cli, two, folder, tmp_path):
    a, _ = two
    shutil.copyfile(a, folder / "copy.toml")
    run(cli, a, "connector", "edit", "Brand", "--logo", str(image(tmp_path, "y.png", PNG + b"2")))
    assert logo_bytes(cli, folder / "copy.toml", "Brand") == PNG
    assert logo_bytes(cli, a, "Brand") == PNG + b"2"


def test_edit_with_the_same_logo_copies_it_into_the_own_folder(cli, two, folder):
    a, _ = two
    renamed = folder / "renamed.toml"
    shutil.copyfile(a, renamed)
    run(cli, renamed, "connector", "edit", "Brand", "--logo", str(folder / "logos" / "a.toml" / "brand.png"))
    assert logo_of(cli, renamed, "Brand") == "logos/renamed.toml/brand.png"
    assert logo_bytes(cli, renamed, "Brand") == PNG and logo_bytes(cli, a, "Brand") == PNG


def test_a_logo_path_that_leaves_the_logos_folder_is_still_refused(cli, folder):
    config = legacy(folder, "a.toml", "logos/../../victim.png")
    result = cli("connector", "show", "Brand", env=on(config))
    assert result.exit_code == 3 and "logos/a.toml/<file>.png" in result.stderr


def test_stale_temp_files_of_the_own_logo_folder_are_found(cli, two, folder):
    a, _ = two
    import subprocess

    child = subprocess.Popen(["true"])
    child.wait()
    mine = folder / "logos" / "a.toml" / f".brand.png.{child.pid}.x1.tmp"
    theirs = folder / "logos" / "b.toml" / f".brand.gif.{child.pid}.x1.tmp"
    for temp in (mine, theirs):
        temp.write_bytes(b"half")
    assert store.stale_temp_files(a) == [mine]
    assert cli("doctor", "--fix", env=on(a)).exit_code == 0
    assert not mine.exists() and theirs.exists()
