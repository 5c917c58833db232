"""Utilisation of the grant (配分額 vs 所用見込額 and 実績額), the funded project list, and budgets.

Amounts here are 千円 as the reports print them. A missing 実績額 means "not yet known" (a report written
during the year has none yet), never zero: shares and unused amounts stay missing for it. The three CSV readers
validate every cell and raise one ``ValidationError`` listing all problems, like the score loader; each returns
the checked table with its load report (``read_utilization`` → ``Loaded``), and ``load_*`` the table alone.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd

from .domain import GRANTS, LEVELS, TOTAL
from .eras import EraError, era_label, era_label_long
from .eras import fiscal_year as to_fiscal_year
from .errors import InputFileError, Problem, UnknownSelectionError, ValidationError
from .io.files import file_kind, read_text, sha256
from .provenance import LoadReport
from .schema import Loaded, loaded, parse_number
from .tables import PROJECT_SUMMARY, check_table
from .text import fold_spaces, normalize_text

STATUSES = ("実施", "未実施", "廃止")
MARKS = {"実施": "○", "未実施": "－"}
UNDERUSED_THRESHOLD = 0.8
UTILIZATION_COLUMNS = [
    "fiscal_year",
    "level",
    "grant",
    "entity_code",
    "entity",
    "allocation_thousand_yen",
    "planned_thousand_yen",
    "spent_thousand_yen",
]
# The seven categories of the prefecture share's eligible projects (都道府県分の交付金を活用できる事業), numbered
# as the yearly reports list them; a category without any project is still shown (with 0).
PREFECTURE_PROJECT_CATEGORIES: dict[int, str] = {
    1: "総括的事業",
    2: "現状分析、実情把握、地域課題分析、実績評価支援",
    3: "自立支援・重度化防止等に向けた地域ケア会議、介護予防に関する市町村支援",
    4: "生活支援体制整備の推進",
    5: "リハビリテーション専門職等の活用支援",
    6: "介護給付適正化事業の推進支援",
    7: "その他市町村のニーズに応じた支援",
}
PROJECT_COLUMNS = ["fiscal_year", "entity_code", "entity", "category_no", "category", "project", "status", "end_reason"]
BUDGET_COLUMNS = ["fiscal_year", "grant", "level", "budget_yen", "verified", "source", "note"]
_TRUE, _FALSE = {"true", "1", "yes", "はい", "○", "済"}, {"false", "0", "no", "いいえ", "", "未"}


class UnverifiedBudgetWarning(UserWarning):
    """A budget figure used in a calculation is not confirmed by a printed source."""


class _Reader:
    """Cell-by-cell validation of one CSV; every problem is collected, then raised together."""

    def __init__(self, path: str | Path, columns: list[str], optional: tuple[str, ...] = ()):
        path = Path(path)
        file_kind(path)  # a missing file, a folder or an empty file is named as such
        text, encoding = read_text(path)
        self.report = LoadReport(source=path.name, encoding=encoding, sha256=sha256(path))
        try:
            self.raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
        except pd.errors.EmptyDataError:
            raise InputFileError(path, f"見出しの行がありません（必要な列: {', '.join(columns)}）") from None
        self.raw.columns = [normalize_text(c).lstrip("\ufeff") for c in self.raw.columns]
        self.problems: list[Problem] = []
        missing = [c for c in columns if c not in self.raw.columns and c not in optional]
        for c in missing:
            self.problems.append(
                Problem(f"必須の列「{c}」がありません（必須列: {', '.join(columns)}）", path.name, column=c)
            )
        for c in self.raw.columns:  # a column nobody reads would be lost without a word
            if c not in columns and c not in optional:
                self.problems.append(
                    Problem(
                        f"列「{c}」はこのファイルの列ではありません（使える列: "
                        f"{', '.join([*columns, *(o for o in optional if o not in columns)])}）",
                        path.name,
                        column=c,
                    )
                )
        self.raise_if_any()
        for c in optional:
            if c not in self.raw.columns:
                self.raw[c] = ""
        self.report.rows_read = len(self.raw)

    def problem(self, message: str, i: int, column: str) -> None:
        self.problems.append(Problem(message, self.report.source, None, i + 2, column, self.raw.at[i, column]))

    def texts(self, column: str) -> list[str]:
        return [normalize_text(v) for v in self.raw[column]]

    def written(self, column: str) -> list[str]:
        """Display text as written (full-width （…）, ＮＰＯ kept), only white space folded; matching uses ``texts``."""
        return [fold_spaces(v) for v in self.raw[column]]

    def years(self) -> list[int | None]:
        out: list[int | None] = []
        for i, v in enumerate(self.raw["fiscal_year"]):
            try:
                out.append(to_fiscal_year(v))
            except EraError as exc:
                self.problem(str(exc), i, "fiscal_year")
                out.append(None)
        return out

    def choices(self, column: str, allowed: tuple[str, ...]) -> list[str]:
        values = self.texts(column)
        for i, v in enumerate(values):
            if v not in allowed:
                self.problem(f"'{v}' は使えません（{' / '.join(allowed)}）", i, column)
        return values

    def amounts(self, column: str, *, required: bool) -> list[int | None]:
        out: list[int | None] = []
        for i, v in enumerate(self.raw[column]):
            try:
                x = parse_number(v)
            except ValueError:
                self.problem(f"'{normalize_text(v)}' は数値ではありません", i, column)
                x = None
            else:
                if x is None and required:
                    self.problem("値が空です", i, column)
                elif x is not None and (x < 0 or not x.is_integer()):
                    self.problem(f"{x:g} は 0 以上の整数ではありません", i, column)
                    x = None
                elif x is None:
                    self.report.coerced.append(
                        Problem("空欄を「未確定（欠損）」として読みました", self.report.source, None, i + 2, column, v)
                    )
            out.append(None if x is None else int(x))
        return out

    def codes(self) -> list[str]:
        out = []
        for i, v in enumerate(self.texts("entity_code")):
            width = 2 if len(v) <= 2 else 6
            if not v.isdigit() or len(v) > 6 or 2 < len(v) < 5:
                self.problem(f"'{v}' は団体コード（都道府県 2 桁、市町村 6 桁）ではありません", i, "entity_code")
            out.append(v.zfill(width))
        return out

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationError(self.report.source, sorted(self.problems, key=lambda p: (p.row or 0, p.column or "")))

    def done(self, **tables: pd.DataFrame) -> Loaded:
        self.raise_if_any()
        self.report.rows_kept = sum(len(t) for t in tables.values())
        self.report.check()
        return loaded(self.report, **tables)


def load_utilization(path: str | Path) -> pd.DataFrame:
    """Read 配分額・所用見込額・実績額 (千円) per year; an empty 実績額 is read as unknown, never 0.

    The table of ``read_utilization`` without its load report.

    Parameters
    ----------
    path
        The utilisation CSV (columns ``UTILIZATION_COLUMNS``).

    Returns
    -------
    pandas.DataFrame
        One row per fiscal year, level, grant and entity; amounts as nullable integers in 千円.

    Raises
    ------
    InputFileError
        When the file is missing, empty or not text.
    ValidationError
        Listing every bad cell, unknown or missing column and duplicated key with its row.

    Examples
    --------
    >>> from grantkit import example_path
    >>> u = load_utilization(example_path("utilization_yamaguchi.csv"))
    >>> u.allocation_thousand_yen.tolist(), u.spent_thousand_yen.tolist()
    ([15680, 22248], [10395, <NA>])
    """
    return read_utilization(path).table


def read_utilization(path: str | Path) -> Loaded:
    """Read a utilisation CSV into the ``utilization`` table with its load report.

    Parameters
    ----------
    path : the CSV (columns ``UTILIZATION_COLUMNS``; UTF-8 or CP932).

    Returns
    -------
    ``Loaded``: ``tables["utilization"]`` (one row per year, level, grant and entity; amounts Int64 in 千円, an
    empty 実績額 missing) and ``report`` (each empty amount listed among the coerced cells).

    >>> from grantkit import example_path
    >>> r = read_utilization(example_path("utilization_yamaguchi.csv"))
    >>> list(r.tables), r.report.rows_read, len(r.report.coerced)
    (['utilization'], 2, 1)
    """
    r = _Reader(path, UTILIZATION_COLUMNS)
    table = pd.DataFrame(
        {
            "fiscal_year": r.years(),
            "level": r.choices("level", LEVELS),
            "grant": r.choices("grant", GRANTS),
            "entity_code": r.codes(),
            "entity": r.texts("entity"),
            "allocation_thousand_yen": r.amounts("allocation_thousand_yen", required=True),
            "planned_thousand_yen": r.amounts("planned_thousand_yen", required=False),
            "spent_thousand_yen": r.amounts("spent_thousand_yen", required=False),
        }
    )
    for i in table.index[table.duplicated(["fiscal_year", "level", "grant", "entity_code"], keep="first")]:
        r.problem("同じ年度・区分・交付金・団体の行が重複しています（1年度1行）", i, "fiscal_year")
    r.raise_if_any()
    table = table.astype({"fiscal_year": "int64"} | {c: "Int64" for c in UTILIZATION_COLUMNS[5:]})
    return r.done(utilization=table)


def utilization(frame: pd.DataFrame, threshold: float = UNDERUSED_THRESHOLD) -> pd.DataFrame:
    """Add planned_share, spent_share (of the allocation), unused_thousand_yen and the flag ``underused``.

    ``underused`` is True when the planned or the spent amount is below ``threshold`` × allocation.
    Unknown amounts stay missing and never raise the flag.

    Parameters
    ----------
    frame
        A utilisation table (as from :func:`load_utilization`).
    threshold
        The share of the allocation below which a year is flagged (default 0.8).

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with the four columns added, one row per input row; ``attrs["threshold"]`` is set.

    Examples
    --------
    >>> u = utilization(pd.DataFrame({"fiscal_year": [2018], "allocation_thousand_yen": [15680],
    ...     "planned_thousand_yen": [14875], "spent_thousand_yen": [10395]}))
    >>> u.planned_share.round(3).tolist(), u.spent_share.round(3).tolist(), u.underused.tolist()
    ([0.949], [0.663], [True])
    """
    out = frame.copy()
    alloc = out["allocation_thousand_yen"].astype("Float64")
    out["planned_share"] = (out["planned_thousand_yen"].astype("Float64") / alloc).astype("float64")
    out["spent_share"] = (out["spent_thousand_yen"].astype("Float64") / alloc).astype("float64")
    out["unused_thousand_yen"] = (out["allocation_thousand_yen"] - out["spent_thousand_yen"]).astype("Int64")
    out["underused"] = (out["planned_share"] < threshold) | (out["spent_share"] < threshold)
    out.attrs["threshold"] = threshold
    return out


def load_projects(path: str | Path) -> pd.DataFrame:
    """Read the funded-project list (long: one row per year and project, status 実施・未実施・廃止).

    Parameters
    ----------
    path
        The projects CSV (columns ``PROJECT_COLUMNS``; ``end_reason`` and ``grant`` optional).

    Returns
    -------
    pandas.DataFrame
        One row per fiscal year, entity and project; ``end_reason`` only on 廃止 rows.

    Raises
    ------
    InputFileError
        When the file is missing, empty or not text.
    ValidationError
        Listing every bad cell, unknown or missing column and duplicated key with its row.

    Examples
    --------
    >>> from grantkit import example_path
    >>> p = load_projects(example_path("projects_yamaguchi.csv"))
    >>> p["project"].nunique(), sorted(p["status"].unique())
    (14, ['実施', '廃止', '未実施'])
    """
    return read_projects(path).table


def read_projects(path: str | Path) -> Loaded:
    """Read a funded-project CSV into the ``projects`` table with its load report.

    Parameters
    ----------
    path : the CSV (columns ``PROJECT_COLUMNS``; ``end_reason`` and ``grant`` may be left out).

    Returns
    -------
    ``Loaded``: ``tables["projects"]`` (one row per year, entity and project) and ``report``.

    >>> from grantkit import example_path
    >>> r = read_projects(example_path("projects_yamaguchi.csv"))
    >>> list(r.tables), r.report.rows_read == r.report.rows_kept == len(r.table)
    (['projects'], True)
    """
    r = _Reader(path, PROJECT_COLUMNS, optional=("end_reason", "grant"))
    status = r.choices("status", STATUSES)
    grants = r.choices("grant", ("", *GRANTS))  # optional: which grant funded the project (blank: not said)
    reasons = r.written("end_reason")
    for i, (s, why) in enumerate(zip(status, reasons)):
        if why and s != "廃止":
            r.problem(
                f"廃止理由がありますが、実施状況が「{s}」です（廃止の年度に「廃止」と書いてください）", i, "end_reason"
            )
    numbers = r.amounts("category_no", required=True)
    table = pd.DataFrame(
        {
            "fiscal_year": r.years(),
            "entity_code": r.codes(),
            "entity": r.texts("entity"),
            "category_no": numbers,
            "category": r.written("category"),
            "project": r.written("project"),
            "status": status,
            "end_reason": reasons,
            "grant": grants,
        }
    )
    for i in table.index[table.duplicated(["fiscal_year", "entity_code", "project"], keep="first")]:
        r.problem(f"「{table.at[i, 'project']}」の {table.at[i, 'fiscal_year']} 年度の行が重複しています", i, "project")
    r.raise_if_any()
    return r.done(projects=table.astype({"fiscal_year": "int64", "category_no": "int64"}))


def project_summary(projects: pd.DataFrame) -> pd.DataFrame:
    """Counts per category and year: implemented (実施), started (新規), continued (継続), ended (廃止) with reasons.

    started/continued compare with the previous fiscal year; where that year is not in the table they are
    missing (<NA>), since whether a project is new cannot be known.

    >>> from grantkit import example_path
    >>> s = project_summary(load_projects(example_path("projects_yamaguchi.csv")))
    >>> s[s.fiscal_year == 2019][["category_no", "implemented", "started", "continued", "ended"]].values.tolist()[-1]
    [7, 3, 2, 1, 1]
    """
    p = projects.copy()
    previous = p.assign(fiscal_year=p["fiscal_year"] + 1)[["fiscal_year", "entity_code", "project", "status"]]
    p = p.merge(
        previous.rename(columns={"status": "previous"}), on=["fiscal_year", "entity_code", "project"], how="left"
    )
    known = p["fiscal_year"].sub(1).isin(set(projects["fiscal_year"]))
    done = p["status"] == "実施"
    p = p.assign(
        implemented=done,
        ended=p["status"] == "廃止",
        not_implemented=p["status"] == "未実施",
        started=(done & p["previous"].ne("実施")).where(known),
        continued=(done & p["previous"].eq("実施")).where(known),
        known=known,
    )
    keys = ["fiscal_year", "entity_code", "entity", "category_no", "category"]
    g = p.groupby(keys, sort=False)
    out = g[["implemented", "not_implemented", "ended"]].sum().astype("int64")
    for c in ("started", "continued"):
        out[c] = g[c].sum().astype("Int64").where(g["known"].all(), pd.NA)
    out["end_reasons"] = g.apply(
        lambda d: "、".join(r or "理由不明" for r in d.loc[d["ended"], "end_reason"]), include_groups=False
    )
    out = out.reset_index().sort_values(["entity_code", "fiscal_year", "category_no"], kind="stable")
    cols = keys + ["implemented", "started", "continued", "ended", "not_implemented", "end_reasons"]
    return check_table(out[cols].reset_index(drop=True), PROJECT_SUMMARY)


def project_table(projects: pd.DataFrame) -> pd.DataFrame:
    """The printed report's wide list: category, project, one column per year label with ○, － or the reason for ending.

    >>> from grantkit import example_path
    >>> t = project_table(load_projects(example_path("projects_yamaguchi.csv")))
    >>> t.loc[t.project == "医療介護連携人材養成研修事業", ["H30", "R1"]].values.tolist()
    [['－', '○']]
    """
    p = projects.assign(
        mark=projects["status"]
        .map(MARKS)
        .where(projects["status"] != "廃止", projects["end_reason"].replace("", "廃止"))
    )
    p = p.assign(year=p["fiscal_year"].map(era_label))
    years = [era_label(y) for y in sorted(p["fiscal_year"].unique())]
    wide = (
        p.pivot_table(
            index=["category_no", "category", "project"], columns="year", values="mark", aggfunc="first", sort=False
        )
        .reindex(columns=years)
        .fillna("")
    )
    wide = wide.reset_index().sort_values("category_no", kind="stable").drop(columns="category_no")
    wide.columns.name = None
    return wide.reset_index(drop=True)


def load_budgets(path: str | Path) -> pd.DataFrame:
    """Read budgets.csv: 予算額 (yen, int) per year × grant × level, with ``verified`` and its source.

    Parameters
    ----------
    path
        The budgets CSV (columns ``BUDGET_COLUMNS``; ``source`` and ``note`` optional).

    Returns
    -------
    pandas.DataFrame
        One row per fiscal year, grant and level (合計 allowed for either); ``budget_yen`` int64 yen.

    Raises
    ------
    InputFileError
        When the file is missing, empty or not text.
    ValidationError
        Listing every bad cell, unknown or missing column and duplicated key with its row.

    Examples
    --------
    >>> from grantkit import example_path
    >>> b = load_budgets(example_path("budgets.csv"))
    >>> int(b.loc[(b.fiscal_year == 2019) & (b.level == "都道府県"), "budget_yen"].iloc[0])
    1000000000
    """
    return read_budgets(path).table


def read_budgets(path: str | Path) -> Loaded:
    """Read budgets.csv into the ``budgets`` table with its load report.

    Parameters
    ----------
    path : the CSV (columns ``BUDGET_COLUMNS``; ``source`` and ``note`` may be left out).

    Returns
    -------
    ``Loaded``: ``tables["budgets"]`` (one row per year, grant and level; 予算額 in yen) and ``report``.

    >>> from grantkit import example_path
    >>> r = read_budgets(example_path("budgets.csv"))
    >>> list(r.tables), r.report.rows_kept
    (['budgets'], 20)
    """
    r = _Reader(path, BUDGET_COLUMNS, optional=("source", "note"))
    flags = []
    for i, v in enumerate(r.texts("verified")):
        if v.lower() not in _TRUE | _FALSE:
            r.problem(f"'{v}' は true / false として読めません", i, "verified")
        flags.append(v.lower() in _TRUE)
    table = pd.DataFrame(
        {
            "fiscal_year": r.years(),
            "grant": r.choices("grant", (*GRANTS, TOTAL)),
            "level": r.choices("level", (*LEVELS, TOTAL)),
            "budget_yen": r.amounts("budget_yen", required=True),
            "verified": flags,
            "source": r.written("source"),
            "note": r.written("note"),
        }
    )
    for i in table.index[table.duplicated(["fiscal_year", "grant", "level"], keep="first")]:
        r.problem("同じ年度・交付金・区分の行が重複しています", i, "fiscal_year")
    r.raise_if_any()
    return r.done(budgets=table.astype({"fiscal_year": "int64", "budget_yen": "int64"}))


def budget_for(budgets: pd.DataFrame, fiscal_year: int | str, grant: str, level: str) -> int:
    """The 予算額 in yen for a year, grant and level; unknown → error saying what is known; unverified → warning.

    >>> from grantkit import example_path
    >>> budget_for(load_budgets(example_path("budgets.csv")), "R1", "推進", "都道府県")
    1000000000
    """
    year = to_fiscal_year(fiscal_year)
    rows = budgets[(budgets["fiscal_year"] == year) & (budgets["grant"] == grant) & (budgets["level"] == level)]
    if rows.empty:
        known = budgets[budgets["fiscal_year"] == year]
        listing = "、".join(f"{g}・{lv}" for g, lv in zip(known["grant"], known["level"])) or "なし"
        raise UnknownSelectionError(
            f"{era_label_long(year)}の{grant}（{level}分）の予算額はわかりません（この年度にあるのは: {listing}）。"
            f"予算額を budget= に直接指定するか、budgets.csv に出典とともに追加してください"
        )
    row = rows.iloc[0]
    if not row["verified"]:
        warnings.warn(
            UnverifiedBudgetWarning(
                f"{era_label_long(year)}の{grant}（{level}分）の予算額 {int(row['budget_yen']):,} 円は未確認の値です"
                f"（出典: {row['source'] or '不明'}。{row['note']}）"
            ),
            stacklevel=2,
        )
    return int(row["budget_yen"])
