"""One large sheet parsed on two cores: its rows cut into two blocks, each parsed as a workbook of its own.

calamine parses a sheet without holding Python's lock, but a sheet on one core, and a national workbook's sheet
(≈ 75 MB of XML) is most of a load. ``check_workbook`` inflates every part anyway to look for DTDs; for a large
sheet part it keeps the chunks it inflated (``SheetXml``). ``parsed_rows`` cuts them at a ``<row`` tag near the
middle, writes two workbooks of stored (uncompressed) parts into a temporary folder — every other part as it is, the
sheet part as the XML before its rows, one block of rows and the XML after them — and parses both at once. The
blocks' rows put together are the sheet's rows. The cut is made only where it is unambiguous: the sheet's rows
hold no comment, CDATA section or processing instruction (where ``<row`` could be text), the row at the cut is
numbered (``r="N"``), and the rows come back in order; otherwise ``parsed_rows`` returns None and the caller
parses the sheet whole, as it does on a machine with one core.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

# sheet parts of at least this many bytes of XML are kept by the safety scan and parsed in two blocks
SPLIT_ABOVE = 16 << 20
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_OPEN, _CLOSE, _ROW = b"<sheetData>", b"</sheetData>", b"<row "
_LOOK = 4 << 20  # how far from either end the <sheetData> tags are looked for


@dataclass
class SheetXml:
    """A sheet part's XML as the safety scan inflated it: its chunks, and whether it is plain (no ``<!`` — comment,
    CDATA, DTD — anywhere and no ``<?`` after the XML declaration), so that every ``<row`` in it is a tag."""

    chunks: list[bytes] = field(default_factory=list)
    plain: bool = True
    _tail: bytes = b""

    def add(self, chunk: bytes) -> None:
        """One more chunk, in order."""
        if self.plain and (
            _marks(chunk, b"<!", self._tail) or _marks(chunk, b"<?", self._tail, after=0 if self.chunks else 1)
        ):
            self.plain = False
        self.chunks.append(chunk)
        self._tail = chunk[-1:]

    def cut(self) -> tuple[list[memoryview], list[memoryview], int] | None:
        """The XML as two sheets, each a list of pieces — rows before row N, rows from N — and N; None where a cut
        is not sure.

        >>> xml = SheetXml()
        >>> for chunk in (b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v>', b'</c></row><row r="2">',
        ...               b'<c r="A2"><v>2</v></c></row></sheetData></worksheet>'):
        ...     xml.add(chunk)
        >>> first, second, n = xml.cut()
        >>> n, b"".join(first)[22:61], b"".join(second)[22:61]
        (2, b'<row r="1"><c r="A1"><v>1</v></c></row>', b'<row r="2"><c r="A2"><v>2</v></c></row>')
        """
        size = sum(len(c) for c in self.chunks)
        start = self._window(0, min(size, _LOOK)).find(_OPEN)
        back = max(0, size - _LOOK)
        end = self._window(back, size).rfind(_CLOSE)
        if not self.plain or start < 0 or end < 0 or back + end <= start:
            return None
        body, end = start + len(_OPEN), back + end
        middle = body + (end - body) // 2
        at = self._window(middle, min(end, middle + _LOOK)).find(_ROW)
        if at < 0:
            return None
        at += middle
        tag = self._window(at, min(end, at + 4096))
        number = _ROW_NUMBER.search(tag, 0, max(tag.find(b">"), 0))
        if number is None:
            return None
        head, tail = self._pieces(0, body), self._pieces(end, size)
        return head + self._pieces(body, at) + tail, head + self._pieces(at, end) + tail, int(number.group(1))

    def _pieces(self, start: int, end: int) -> list[memoryview]:
        """Bytes ``start``–``end`` of the XML as views of its chunks (nothing copied)."""
        out = []
        for offset, chunk in zip(accumulate((len(c) for c in self.chunks), initial=0), self.chunks):
            lo, hi = max(start - offset, 0), min(end - offset, len(chunk))
            if lo < hi:
                out.append(memoryview(chunk)[lo:hi])
        return out

    def _window(self, start: int, end: int) -> bytes:
        return b"".join(self._pieces(start, end))


def _marks(chunk: bytes, mark: bytes, tail: bytes, after: int = 0) -> bool:
    """Whether the two-byte ``mark`` is in ``chunk`` past its first ``after`` places, or split from the previous
    chunk's last byte ``tail``."""
    if mark[1:] not in chunk:  # one memchr for the rare second byte ("!", "?"); "<" is everywhere in XML
        return False
    return chunk.find(mark, after) >= 0 or (tail == mark[:1] and chunk[:1] == mark[1:])


def parsed_rows(path: Path, sheet: str, part: str, xml: SheetXml) -> list[list[object]] | None:
    """The rows of ``sheet`` (calamine's values, "" for an empty cell, from cell A1), parsed in two blocks at once,
    or None when the sheet cannot be cut surely (the caller then parses it whole)."""
    from python_calamine import CalamineWorkbook

    blocks = xml.cut()
    if blocks is None:
        return None
    number = blocks[2]
    with zipfile.ZipFile(path) as zf:
        others = {info.filename: zf.read(info) for info in zf.infolist() if info.filename != part}

    def parse(numbered: tuple[int, list[memoryview]]) -> object:
        file = Path(folder) / f"{numbered[0]}.xlsx"
        with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as book:
            for name, data in others.items():
                book.writestr(name, data)
            with book.open(part, "w") as out:
                for piece in numbered[1]:
                    out.write(piece)
        workbook = CalamineWorkbook.from_path(str(file))
        try:
            return workbook.get_sheet_by_name(sheet)
        finally:
            workbook.close()

    try:
        with (
            tempfile.TemporaryDirectory(prefix="grantkit-rows-", ignore_cleanup_errors=True) as folder,
            ThreadPoolExecutor(2) as pool,
        ):
            first, second = pool.map(parse, enumerate(blocks[:2]))
    except Exception:  # noqa: BLE001 - the sheet parsed whole says what is wrong with it, in the usual words
        return None
    del blocks
    top = first.to_python(skip_empty_area=False)
    if second.start is None:
        return top
    (row, column), bottom = second.start, second.to_python(skip_empty_area=True)
    if len(top) > number - 1 or row < number - 1:  # rows out of order: the blocks overlap
        return None
    pad = [""] * column
    return top + [[] for _ in range(row - len(top))] + ([pad + r for r in bottom] if column else bottom)


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the zip part holding it, from the workbook's relationships (empty when they cannot be read).

    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> from grantkit.report.render import write_tables_xlsx
    >>> p = write_tables_xlsx({"表": pd.DataFrame({"a": ["x"]})}, pathlib.Path(tempfile.mkdtemp()) / "t.xlsx")
    >>> sheet_parts(zipfile.ZipFile(p))
    {'表': 'xl/worksheets/sheet1.xml'}
    """
    from defusedxml import ElementTree

    try:
        book = _target("", _relations(zf, "_rels/.rels"), "/officeDocument")
        folder, name = book.rpartition("/")[::2]
        relations = _relations(zf, f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels")
        root = ElementTree.fromstring(zf.read(book))
    except (KeyError, ValueError, ElementTree.ParseError):
        return {}
    ids = {rid: _resolve(folder, target) for rid, (_, target) in relations.items()}
    out = {}
    for sheet in root.iter():
        if sheet.tag.endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            if rid in ids:
                out[sheet.attrib.get("name", "")] = ids[rid]
    return out


def _relations(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    from defusedxml import ElementTree

    root = ElementTree.fromstring(zf.read(part))
    return {
        r.attrib["Id"]: (r.attrib.get("Type", ""), r.attrib.get("Target", ""))
        for r in root.iter()
        if r.tag.endswith("}Relationship") and "Id" in r.attrib
    }


def _target(folder: str, relations: dict[str, tuple[str, str]], kind: str) -> str:
    for rel_type, target in relations.values():
        if rel_type.endswith(kind):
            return _resolve(folder, target)
    raise KeyError(kind)


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a zip part name (absolute, or relative to the part's folder)."""
    import posixpath

    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target)) if folder else posixpath.normpath(target)


__all__ = ["SPLIT_ABOVE", "SheetXml", "cores", "parsed_rows", "sheet_parts"]
