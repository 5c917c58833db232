"""Files on disk: what kind of file an input really is, its text encoding and hash, and atomic writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputFileError

ENCODINGS = ("utf-8-sig", "cp932")


def file_kind(path: Path) -> str:
    """The real kind of a file by its first bytes: "xlsx", "xls", "ole" (encrypted xlsx/xls) or "text".

    The name's extension is not trusted: a .csv that is really a workbook is recognised. A missing file, a
    folder or an empty file raises ``InputFileError`` saying which.

    >>> from grantkit import example_path
    >>> file_kind(example_path("yamaguchi_scores.xlsx")), file_kind(example_path("budgets.csv"))
    ('xlsx', 'text')
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
    """Hex sha256 of a file, recorded with every load (read in 1 MiB blocks).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "abc.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256(p)  # the FIPS 180-2 test vector of "abc"
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    """
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_text(path: Path) -> tuple[str, str]:
    """Decode a text file as UTF-8 (with or without BOM) or CP932; return (text, encoding used).

    An undecodable file raises ``InputFileError`` naming the line and byte where decoding failed.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "sjis.csv"
    >>> _ = p.write_bytes("年度,得点".encode("cp932"))  # Excel's 「CSV」 on Japanese Windows
    >>> read_text(p)
    ('年度,得点', 'cp932')
    """
    data = Path(path).read_bytes()
    if b"\x00" in data[:4096]:
        raise InputFileError(
            path,
            "テキストファイルではありません（NUL バイトを含みます）。UTF-16 の CSV は UTF-8 で保存し直してください",
        )
    errors = []
    for enc in ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            errors.append((enc, exc))
            continue
        return text, (
            "utf-8-bom"
            if enc == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf")
            else "utf-8"
            if enc == "utf-8-sig"
            else enc
        )
    enc, exc = errors[0]
    line = data[: exc.start].count(b"\n") + 1
    raise InputFileError(
        path,
        f"文字コードを判別できません: {line}行目（{exc.start}バイト目）が UTF-8 としても"
        " CP932（Shift_JIS）としても読めません",
    )


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only when the block ends without error.

    The file gets the permissions a new file would get (``0o666`` less the umask); a failed block leaves
    ``path`` as it was and no temporary file behind.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_write(target) as tmp:
    ...     _ = tmp.write_text("ok", encoding="utf-8")
    >>> target.read_text(encoding="utf-8")
    'ok'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def umask() -> int:
    """The process's current file-creation mask (read without changing it).

    >>> 0 <= umask() <= 0o777
    True
    """
    mask = os.umask(0)
    os.umask(mask)
    return mask
