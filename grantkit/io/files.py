"""Opening user files safely: what kind of file it really is, and its text encoding."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputFileError

ENCODINGS = ("utf-8-sig", "cp932")


def file_kind(path: Path) -> str:
    """The real kind of a file by its first bytes: "xlsx", "xls", "ole" (encrypted xlsx/xls) or "text".

    The name's extension is not trusted: a .csv that is really a workbook is recognised.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "ファイルが見つかりません")
    if path.is_dir():
        raise InputFileError(path, "フォルダです。ファイルを指定してください")
    with path.open("rb") as f:
        head = f.read(8)
    if not head:
        raise InputFileError(path, "空のファイルです")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    return "text"


def sha256(path: Path) -> str:
    """Hex sha256 of a file, recorded with every load."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_text(path: Path) -> tuple[str, str]:
    """Decode a text file as UTF-8 (with or without BOM) or CP932; return (text, encoding used).

    An undecodable file raises ``InputFileError`` naming the line and byte where decoding failed.
    """
    data = Path(path).read_bytes()
    if b"\x00" in data[:4096]:
        raise InputFileError(path, "テキストファイルではありません（NUL バイトを含みます）。UTF-16 の CSV は UTF-8 で保存し直してください")
    errors = []
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            errors.append((enc, exc))
            continue
        return text, ("utf-8-bom" if enc == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else
                      "utf-8" if enc == "utf-8-sig" else enc)
    enc, exc = errors[0]
    line = data[: exc.start].count(b"\n") + 1
    raise InputFileError(
        path,
        f"文字コードを判別できません: {line}行目（{exc.start}バイト目）が UTF-8 としても CP932（Shift_JIS）としても読めません",
    )
