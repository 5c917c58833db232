"""Opening .xlsx files from email safely, for every reader (the printed report layout, MHLW national workbooks).

Before any engine parses a workbook, ``check_workbook`` reads the zip itself: it must be a whole zip,
its parts may not decompress beyond ``MAX_TOTAL_BYTES`` (counted while streaming — a zip directory can
lie) nor at a ratio above ``MAX_RATIO`` for large parts (zip bombs), and no XML part may declare a
DOCTYPE or ENTITY (billion laughs, quadratic blow-up, external entities). That makes the fast calamine
engine safe as well; openpyxl additionally runs with defusedxml.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import InputFileError
from .files import file_kind
from .row_blocks import SPLIT_ABOVE, SheetXml, cores, parsed_rows, sheet_parts

MAX_TOTAL_BYTES = 1_000_000_000
MAX_RATIO = 200
RATIO_CHECK_ABOVE = 10_000_000
_CHUNK = 1 << 20
_FORBIDDEN = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)  # one C-level search per chunk, any case


def check_workbook(path: str | Path) -> None:
    """Refuse a file that is not a safe .xlsx, with an ``InputFileError`` naming the file and the reason.

    Returns nothing for a safe workbook; refuses encrypted and .xls files, text, XML with a DTD and zip bombs.

    >>> from grantkit import example_path
    >>> check_workbook(example_path("yamaguchi_scores.xlsx"))  # safe: nothing happens
    >>> check_workbook(example_path("budgets.csv"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    grantkit.errors.InputFileError: ...budgets.csv: Excel（.xlsx）ファイルではありません（中身がテキストです）
    """
    _checked(Path(path), keep=False)


def _checked(path: Path, *, keep: bool) -> dict[str, SheetXml]:
    """``check_workbook``; with ``keep``, the XML of the sheet parts of ``SPLIT_ABOVE`` bytes or more, as inflated
    by the scan (for ``row_blocks.parsed_rows``)."""
    kept: dict[str, SheetXml] = {}
    kind = file_kind(path)
    if kind == "ole":
        raise InputFileError(
            path,
            "暗号化された Excel ファイル（パスワード付き）か、古い形式（.xls）です。"
            "Excel で開き、パスワードを外して .xlsx 形式で保存し直してください",
        )
    if kind != "xlsx":
        raise InputFileError(path, "Excel（.xlsx）ファイルではありません（中身がテキストです）")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            declared = sum(i.file_size for i in infos)
            if declared > MAX_TOTAL_BYTES:
                raise InputFileError(
                    path,
                    f"展開後の大きさが {declared:,} バイトと大きすぎます（上限 {MAX_TOTAL_BYTES:,}）。"
                    "圧縮爆弾の可能性があるため読み込みません",
                )
            if "[Content_Types].xml" not in {i.filename for i in infos}:
                raise InputFileError(path, "Excel ブックの構成（[Content_Types].xml）がありません")
            total = 0
            for info in infos:
                if info.file_size > RATIO_CHECK_ABOVE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise InputFileError(path, f"部品 {info.filename} の圧縮率が異常です（圧縮爆弾の可能性）")
                big = keep and info.filename.startswith("xl/worksheets/") and info.file_size >= SPLIT_ABOVE
                total = _scan_part(zf, info, path, total, kept if big else None)
    except zipfile.BadZipFile as exc:
        raise InputFileError(path, f"壊れているか途中で切れた Excel ファイルです（{exc}）") from None
    except (EOFError, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        raise InputFileError(path, f"Excel ファイルとして読めません（{exc}）") from None
    return kept


def _scan_part(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, total: int, kept: dict[str, SheetXml] | None
) -> int:
    is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
    tail = b""
    xml = SheetXml()
    with zf.open(info) as part:
        while chunk := part.read(_CHUNK):
            if kept is not None:
                xml.add(chunk)
            total += len(chunk)
            if total > MAX_TOTAL_BYTES:
                raise InputFileError(
                    path,
                    f"展開後の大きさが上限 {MAX_TOTAL_BYTES:,} バイトを超えました。"
                    "圧縮爆弾の可能性があるため読み込みません",
                )
            if is_xml:
                if _declares_dtd(chunk) or _declares_dtd(tail + chunk[:16]):  # a mark split between chunks
                    raise InputFileError(
                        path,
                        f"部品 {info.filename} に DTD／実体宣言（<!DOCTYPE・<!ENTITY）があります。"
                        "XML 爆弾や外部実体参照の可能性があるため読み込みません",
                    )
                tail = chunk[-16:]
    if kept is not None:
        kept[info.filename] = xml
    return total


def _declares_dtd(chunk: bytes) -> bool:
    """Whether ``chunk`` holds ``<!DOCTYPE`` or ``<!ENTITY`` (any case); a chunk without "!" (the usual sheet part)
    is passed by one memchr instead of a regular-expression search.

    >>> _declares_dtd(b'<?xml version="1.0"?><!doctype x>'), _declares_dtd(b"<c><v>1</v></c>")
    (True, False)
    """
    return b"!" in chunk and _FORBIDDEN.search(chunk) is not None


class Workbook:
    """A workbook checked once by ``check_workbook`` (zip bombs, DTD/ENTITY), then read sheet by sheet.

    >>> import tempfile, pathlib
    >>> from grantkit.report.render import write_tables_xlsx
    >>> import pandas as pd
    >>> p = write_tables_xlsx({"表": pd.DataFrame({"a": ["x"]})}, pathlib.Path(tempfile.mkdtemp()) / "t.xlsx")
    >>> book = Workbook(p)
    >>> book.names, book.rows("表")
    (['表'], [['a'], ['x']])
    """

    def __init__(self, path: str | Path):
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        self._xml = _checked(self.path, keep=cores() >= 2)  # large sheets' XML, parsed in two blocks on two cores
        self._book = CalamineWorkbook.from_path(str(self.path))
        self.names: list[str] = list(self._book.sheet_names)
        self._parts: dict[str, str] | None = None

    def rows(self, sheet: str | None = None, *, engine: str = "calamine", empty: object = None) -> list[list[object]]:
        """Raw cell values of one sheet (the first when ``sheet`` is None), rows of equal length.

        ``engine="calamine"`` (fast, Rust) or ``"openpyxl"`` (defusedxml). An empty cell is ``empty``: None by
        default; ``empty=""`` keeps calamine's own value and saves a pass over every cell of a large sheet.
        """
        name = sheet or self.names[0]
        if name not in self.names:
            raise InputFileError(self.path, f"シート「{name}」がありません（あるシート: {'、'.join(self.names)}）")
        if engine == "calamine":
            rows = self._blocks(name)
            if rows is None:
                rows = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if empty != "":
                rows = [[empty if v == "" else v for v in row] for row in rows]
        elif engine == "openpyxl":
            rows = self._openpyxl_rows(name, empty)
        else:
            raise ValueError(f"engine は calamine または openpyxl です（指定: {engine!r}）")
        width = max((len(r) for r in rows), default=0)
        return [r if len(r) == width else r + [empty] * (width - len(r)) for r in rows]

    def _blocks(self, name: str) -> list[list[object]] | None:
        """A large sheet's rows parsed in two blocks at once (``row_blocks``), or None: parse it whole."""
        if not self._xml:
            return None
        if self._parts is None:
            with zipfile.ZipFile(self.path) as zf:
                self._parts = sheet_parts(zf)
        xml = self._xml.pop(self._parts.get(name, ""), None)  # parsed once: the XML is not kept longer
        return None if xml is None else parsed_rows(self.path, name, self._parts[name], xml)

    def _openpyxl_rows(self, name: str, empty: object) -> list[list[object]]:
        import openpyxl
        import openpyxl.xml

        if not openpyxl.xml.DEFUSEDXML:
            raise InputFileError(self.path, "defusedxml が使えないため openpyxl で安全に読めません")
        wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            return [[empty if v is None else v for v in r] for r in wb[name].iter_rows(values_only=True)]
        finally:
            wb.close()


def sheet_names(path: str | Path) -> list[str]:
    """The sheet names of a workbook, in the workbook's order, after ``check_workbook``.

    >>> from grantkit import example_path
    >>> sheet_names(example_path("yamaguchi_scores.xlsx"))
    ['評価指標']
    """
    return Workbook(path).names


def read_sheet(path: str | Path, sheet: str | None = None, *, engine: str = "calamine") -> list[list[object]]:
    """Raw cell values of one sheet (first sheet when ``sheet`` is None), rows of equal length, None for empty.

    ``engine="calamine"`` (fast, Rust) or ``"openpyxl"`` (defusedxml). Both only run after ``check_workbook``.

    >>> from grantkit import example_path
    >>> rows = read_sheet(example_path("yamaguchi_scores.xlsx"))
    >>> rows[0][0], len({len(r) for r in rows})
    ('保険者機能強化推進交付金に係る評価指標（山口県）', 1)
    """
    return Workbook(path).rows(sheet, engine=engine)
