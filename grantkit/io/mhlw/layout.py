"""The headings of the MHLW national workbooks, kept as data, and matching a printed heading to its meaning.

``layouts/mhlw_headings.csv`` has one row per canonical name: how it is matched (``exact``, ``prefix``, ``regex``,
``template`` for a heading only printed, ``row`` for a header row number), its spellings in ``common`` (``|`` between
spellings, ``{prev}`` = last year's R number) and one column per 交付年度 that is blank where the year prints what
``common`` says, ``-`` where the year lacks it, or the year's own spellings. ``layouts/mhlw_goals.csv`` does the same
for the 目標 and 指標群 headings, matched by the code they start with whatever name follows. Headings are compared after
``heading_key``: NFKC, no spaces, no line breaks.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from ...domain import GRANTS, MUNICIPALITY, PREFECTURE
from ...eras import era_label_long
from ...eras import fiscal_year as to_fiscal_year
from ...errors import GrantkitError
from ...text import normalize_text

HEADINGS_FILE = "grantkit/io/layouts/mhlw_headings.csv"
GOALS_FILE = "grantkit/io/layouts/mhlw_goals.csv"
HEADER_LEVELS = ("grant", "goal", "group", "item", "name", "branch", "sub_branch")
LEADING = (
    "serial_no",
    "prefecture_code",
    "insurer_code",
    "prefecture",
    "entity",
    "population",
    "first_insured",
    "size_class",
    "depopulated",
    "prev_total",
    "prev_rank",
)
MUNICIPAL_ONLY = ("insurer_code", "entity", "size_class", "depopulated")
REQUIRED = {MUNICIPALITY: ("prefecture", "entity", "first_insured"), PREFECTURE: ("prefecture",)}
"""The leading columns some computation needs: the names identify a row, 第1号被保険者数 weights the municipal
allocation. Every other leading column is optional (the prefecture sheet has no 人口)."""
STATS = {
    "stat_max": "max_score",
    "stat_sum": "national_sum",
    "stat_mean": "mean",
    "stat_item_mean": "item_mean",
    "stat_mean_rate": "mean_rate",
    "stat_median": "median",
    "stat_std": "std",
    "stat_n": "n_applicable",
    "stat_n_prefecture": "n_applicable",
    "stat_rate": "applicable_rate",
}
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def heading_key(text: object) -> str:
    """A heading as compared: NFKC (Roman numerals kept), no spaces, no line breaks.

    >>> heading_key("第１号被保険者数\\n（R7.3末）"), heading_key("目標Ⅰ　持続")
    ('第1号被保険者数(R7.3末)', '目標Ⅰ持続')
    """
    return _SPACE.sub("", normalize_text(text))


@dataclass(frozen=True)
class Layout:
    """The headings of one 交付年度: ``spellings`` (canonical → normalised spellings), ``match`` (canonical → kind),
    ``goals``/``groups`` (code → normalised prefixes), ``levels`` (header level → row offset), and ``printed``
    (canonical or code → the first spelling as printed, for messages and synthetic workbooks)."""

    year: int
    spellings: dict[str, tuple[str, ...]]
    match: dict[str, str]
    goals: dict[str, tuple[str, ...]]
    groups: dict[str, tuple[str, ...]]
    levels: dict[str, int]
    printed: dict[str, str]

    @property
    def headings(self) -> dict[str, str]:
        """Canonical name → its first spelling, normalised ("" where the year lacks it)."""
        return {k: (v[0] if v else "") for k, v in self.spellings.items()}

    @property
    def depth(self) -> int:
        """Number of header rows (交付金名 … 枝番)."""
        return max(self.levels.values()) + 1

    def grants(self) -> dict[str, str]:
        """Printed 交付金名 (normalised) → short name ("推進", "支援") for the grants of the year."""
        return {self.spellings[f"grant_{g}"][0]: g for g in GRANTS if self.spellings[f"grant_{g}"]}

    def is_(self, canonical: str, key: str) -> bool:
        """Whether the normalised heading ``key`` means ``canonical`` (by its kind of match)."""
        kind, spellings = self.match[canonical], self.spellings[canonical]
        if kind == "prefix":
            return any(key.startswith(s) for s in spellings)
        if kind == "regex":
            return any(re.fullmatch(s, key) for s in spellings)
        return key in spellings

    def find(self, key: str, candidates: tuple[str, ...] | list[str]) -> str | None:
        """The canonical name among ``candidates`` that ``key`` means: an exact spelling first, then the
        longest matching prefix (「R7評価指標合計得点順位」 is the rank, not the total)."""
        exact = [c for c in candidates if self.spellings[c] and key in self.spellings[c]]
        if exact:
            return exact[0]
        best = [
            (len(s), c) for c in candidates if self.match[c] == "prefix" for s in self.spellings[c] if key.startswith(s)
        ]
        return max(best)[1] if best else None

    def code_of(self, key: str, table: str) -> tuple[str, str] | None:
        """(code, name) of a 目標 (``table="goals"``) or 指標群 heading by the code it starts with.

        >>> layout("R8").code_of("目標Ⅰ介護予防/日常生活支援を推進する", "goals")
        ('目標Ⅰ', '介護予防/日常生活支援を推進する')
        """
        for code, prefixes in getattr(self, table).items():
            for p in prefixes:
                if key.startswith(p):
                    return code, key[len(p) :]
        return None

    def nearest(self, key: str) -> str:
        """The known heading closest to ``key`` (for a message), as printed."""
        known = {s: c for c, ss in self.spellings.items() if self.match[c] in ("exact", "prefix") for s in ss}
        known |= {p: code for t in (self.goals, self.groups) for code, ps in t.items() for p in ps}
        hit = difflib.get_close_matches(key, list(known), n=1, cutoff=0.0)
        return hit[0] if hit else "（なし）"


@cache
def _rows(name: str) -> tuple[dict[str, str], ...]:
    text = resources.files("grantkit.io.layouts").joinpath(name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def supported_years() -> list[int]:
    """The 交付年度 the layout files describe.

    >>> supported_years()[:3], supported_years()[-1]
    ([2018, 2019, 2020], 2026)
    """
    return [int(c) for c in _rows("mhlw_headings.csv")[0] if c.isdigit()]


def _cell(row: dict[str, str], year: int, common: str = "common") -> str:
    """The year's text of a layout row: its own cell, ``common`` when blank, "" when ``-``."""
    own = row[str(year)]
    return "" if own == "-" else (own or row[common])


def _split(text: str, kind: str, year: int) -> tuple[str, ...]:
    if not text:
        return ()
    prev = str(year - 2019)  # 令和 N = year - 2018: last year is R(N-1)
    parts = [text] if kind in ("regex", "template", "row") else text.split("|")
    parts = [p.replace("{prev}", prev) for p in parts]
    return tuple(p if kind in ("regex", "template", "row") else heading_key(p) for p in parts)


@cache
def layout(year: int | str) -> Layout:
    """The layout of one 交付年度 (``"R7"`` or ``2025``); an unsupported year is an error listing the supported ones.

    >>> lay = layout("R8")
    >>> lay.is_("first_insured", heading_key("第１号被保険者数（R7.3末）")), lay.find("R7評価指標合計得点順位", LEADING)
    (True, 'prev_rank')
    """
    y = to_fiscal_year(year)
    if y not in supported_years():
        raise GrantkitError(
            f"{era_label_long(y)}の全国集計の様式は未対応です（対応: "
            f"{'、'.join(era_label_long(v) for v in supported_years())}）。"
            f"{HEADINGS_FILE} と {GOALS_FILE} に列を追加してください"
        )
    spellings, match, printed = {}, {}, {}
    for r in _rows("mhlw_headings.csv"):
        text = _cell(r, y)
        spellings[r["canonical"]] = _split(text, r["match"], y)
        match[r["canonical"]] = r["match"]
        printed[r["canonical"]] = text.split("|")[0].replace("{prev}", str(y - 2019)) if r["match"] != "regex" else text
    goals, groups = {}, {}
    for r in _rows("mhlw_goals.csv"):
        if _cell(r, y, "spellings"):
            (goals if r["kind"] == "goal" else groups)[r["code"]] = _split(r["spellings"], "prefix", y)
            printed[r["code"]] = r["printed"]
    levels = {k: int(spellings[f"header_{k}"][0]) - 1 for k in HEADER_LEVELS if spellings[f"header_{k}"]}
    return Layout(y, spellings, match, goals, groups, levels, printed)


def sheet_names(level: str) -> set[str]:
    """Every sheet name the layout files know for ``level`` (normalised).

    >>> sheet_names("市町村")
    {'全国集計(市町村)'}
    """
    key = "sheet_municipal" if level == MUNICIPALITY else "sheet_prefecture"
    return {
        heading_key(s)
        for r in _rows("mhlw_headings.csv")
        if r["canonical"] == key
        for c in r
        if (c == "common" or c.isdigit()) and r[c] not in ("", "-")
        for s in r[c].split("|")
    }


def printed_sheet_names(level: str) -> list[str]:
    """The sheet names of ``level`` as printed, for a message listing what was looked for.

    >>> printed_sheet_names("都道府県")
    ['全国集計（都道府県）']
    """
    key = "sheet_municipal" if level == MUNICIPALITY else "sheet_prefecture"
    return sorted({r["common"] for r in _rows("mhlw_headings.csv") if r["canonical"] == key})
