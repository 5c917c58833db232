"""Files from email: XML bombs, external entities, zip bombs, encrypted, truncated, renamed, empty, .xls.

Every hostile file is built here. The only acceptable outcome is a grantkit error naming the file.
"""

from __future__ import annotations

import zipfile

import pytest

from grantkit import GrantkitError, InputFileError, example_path, load_scores
from grantkit.io.workbook import read_sheet

XLSX = example_path("yamaguchi_scores.xlsx")

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
    b"<si><t>&lol9;</t></si></sst>"
)
QUADRATIC = (
    b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + b"x" * 50_000 + b'">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    + b"&a;" * 50_000
    + b"</t></si></sst>"
)
EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t></si></sst>'
)


def _replace_part(tmp_path, part: str, payload: bytes, name="hostile.xlsx"):
    out = tmp_path / name
    with zipfile.ZipFile(XLSX) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, payload if info.filename == part else src.read(info))
    return out


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
@pytest.mark.parametrize("payload", [BILLION_LAUGHS, QUADRATIC, EXTERNAL], ids=["billion-laughs", "quadratic", "xxe"])
@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_xml_entities_are_refused_by_every_engine(tmp_path, engine, payload, part):
    path = _replace_part(tmp_path, part, payload)
    with pytest.raises(InputFileError, match="DTD") as info:
        read_sheet(path, engine=engine)
    assert "hostile.xlsx" in str(info.value)
    with pytest.raises(InputFileError):
        load_scores(path)


def test_openpyxl_itself_uses_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_zip_bomb_with_honest_directory_is_refused(tmp_path, monkeypatch):
    import grantkit.io.workbook as wbmod

    monkeypatch.setattr(wbmod, "MAX_TOTAL_BYTES", 20_000_000)  # keeps the test fast; the rule is the same
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(XLSX) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("xl/media/zeros.bin", "w") as f:  # streamed: never held in memory
            block = b"\0" * (1 << 20)
            for _ in range(40):
                f.write(block)
    assert path.stat().st_size < 200_000
    with pytest.raises(InputFileError, match="圧縮爆弾"):
        read_sheet(path)


def test_zip_bomb_with_lying_directory_is_stopped_while_streaming(tmp_path, monkeypatch):
    import grantkit.io.workbook as wbmod

    monkeypatch.setattr(wbmod, "MAX_TOTAL_BYTES", 5_000_000)
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(XLSX) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        with dst.open("xl/media/zeros.xml", "w") as f:
            for _ in range(8):
                f.write(b"<a>" + b" " * (1 << 20) + b"</a>")
    # Make the central directory claim the big part is tiny (a lying zip).
    data = bytearray(path.read_bytes())
    at = data.rfind(b"xl/media/zeros.xml") - 46  # its central-directory entry (46-byte header before the name)
    assert data[at : at + 4] == b"PK\x01\x02"
    data[at + 24 : at + 28] = (100).to_bytes(4, "little")  # uncompressed size in the central directory
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError):
        read_sheet(path)


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "encrypted.xlsx", "暗号化"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "old.xls", ".xls"),
        (b"", "empty.xlsx", "空のファイル"),
    ],
)
def test_unreadable_containers_are_named(tmp_path, content, name, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=fragment) as info:
        load_scores(path)
    assert name in str(info.value)


def test_truncated_workbook(tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(XLSX.read_bytes()[:3000])
    with pytest.raises(InputFileError, match="途中で切れた|読めません") as info:
        load_scores(path)
    assert "cut.xlsx" in str(info.value)


def test_renamed_files_are_read_by_content(tmp_path):
    as_csv = tmp_path / "really_a_workbook.csv"
    as_csv.write_bytes(XLSX.read_bytes())
    assert len(load_scores(as_csv)) == 48
    as_xlsx = tmp_path / "really_a_csv.xlsx"
    as_xlsx.write_bytes(example_path("yamaguchi_scores.csv").read_bytes())
    assert len(load_scores(as_xlsx)) == 48


def test_not_a_workbook_zip(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(InputFileError, match="Content_Types"):
        load_scores(path)


def _hostile_files(tmp_path):
    """One file (or path) of each kind an email attachment can be that no loader can read, built here."""
    files = {
        "empty.csv": b"",
        "encrypted.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504,
        "cut.xlsx": XLSX.read_bytes()[:3000],
        "utf16.csv": "年度,団体\n".encode("utf-16"),
        "junk.bin": bytes(range(256)) * 8,
    }
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(content)
    archive = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "hello")
    paths["archive.xlsx"] = archive
    paths["hostile.xlsx"] = _replace_part(tmp_path, "xl/sharedStrings.xml", BILLION_LAUGHS)
    paths["folder.csv"] = tmp_path / "folder.csv"
    paths["folder.csv"].mkdir()
    paths["missing.csv"] = tmp_path / "missing.csv"
    return paths


def test_every_refusal_is_a_grantkit_error(tmp_path):
    """Every loader refuses every unreadable file with a grantkit error naming the file: never a raw
    pandas/zip/XML/Unicode exception, never a table."""
    from grantkit import load_budgets, load_mhlw, load_projects, load_utilization

    loaders = {
        "load_scores": load_scores,
        "load_mhlw": load_mhlw,
        "load_utilization": load_utilization,
        "load_projects": load_projects,
        "load_budgets": load_budgets,
    }
    refused = []
    for name, path in _hostile_files(tmp_path).items():
        for loader_name, loader in loaders.items():
            with pytest.raises(GrantkitError) as info:
                loader(path)
            assert name in str(info.value), (loader_name, name, str(info.value))
            refused.append((loader_name, name))
    assert len(refused) == 5 * 9


def test_each_workbook_is_checked_once_before_it_is_parsed(monkeypatch, tmp_path):
    """The zip check runs before calamine and only once per file (it streams every part: 0.2 s on a national
    workbook), for the seed-layout reader and the national reader alike."""
    import grantkit.io.workbook as wbmod
    from grantkit import load_mhlw
    from grantkit.testing.synthetic import national_workbook

    monkeypatch.setenv("GRANTKIT_NO_CACHE", "1")  # parsed here, not taken from the cache of parsed files
    calls = []
    real = wbmod._checked  # check_workbook's scan, which also keeps a large sheet's XML for the two-core parse
    monkeypatch.setattr(wbmod, "_checked", lambda path, keep: (calls.append(path), real(path, keep=keep))[1])
    load_scores(XLSX)
    assert calls == [XLSX]
    national = national_workbook(tmp_path / "r7.xlsx", "R7", "市町村", n_municipalities=20)
    calls.clear()
    load_mhlw(national)  # both sheets of the file after one check
    assert len(calls) == 1
