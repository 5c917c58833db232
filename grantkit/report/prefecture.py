"""The prefecture report: the data it reads (``ReportData``), the checks of the selection, the 基準額 table and
the run that writes one folder per entity and years.

The folder (``reports/<団体名>_<基準年度>-<比較年度>/``) holds an HTML report, an Excel workbook of the tables, the
PNG (and SVG) charts, all written from the model of ``build_prefecture_report``, and the report's notebook to
rerun. It is built in a temporary folder and moved into place at the end, so an interrupted run never leaves a
folder that looks complete.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..allocation import allocation_from_average, implied_average
from ..compare import Selection, compare_to_average, compare_years, resolve_selection
from ..eras import era_label, era_label_long
from ..eras import fiscal_year as to_fiscal_year
from ..errors import UnknownSelectionError
from ..examples import template_path
from ..labels import GRANT_NAMES
from ..rates import score_rates
from ..schema import NATIONAL

# The report notebook users rerun and explore in JupyterLab (one copy, tested by nbval), package data.
TEMPLATE = template_path("report.ipynb")


def allocation_summary(
    scores: pd.DataFrame, *, entity: str, budgets: Mapping[int, int], official: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per year: the entity's total, the national average total, the budget, the 基準額 computed from them
    (budget × score / (47 × average), floored to 千円), the official 配分額 when given, and the national
    averages the official amount implies.

    Parameters
    ----------
    scores : DataFrame
        The tidy prefecture score table (the entity and 全国平均 rows of every year to show).
    entity : str
        The prefecture, by name or 団体コード.
    budgets : Mapping[int, int]
        Fiscal year → the prefectures' budget (予算額, 都道府県分) in yen.
    official : DataFrame or None
        A utilisation table with ``allocation_thousand_yen`` (the 配分額 the prefecture received).

    Returns
    -------
    DataFrame
        One row per fiscal year: score, national_average, budget_yen, computed_thousand_yen,
        official_thousand_yen, implied_average_low / _high (the national averages the official amount allows)
        and matches_official. A year without a budget is kept with its amounts missing.

    >>> import grantkit as gk
    >>> a = allocation_summary(gk.example_scores(), entity="山口県", budgets={2018: 10**9, 2019: 10**9})
    >>> a[["fiscal_year", "score", "national_average", "computed_thousand_yen"]].values.tolist()
    [[2018, 470.0, 638.0, 15673], [2019, 611.0, 584.3, 22248]]
    """
    sel = resolve_selection(scores, entity=entity)
    totals = score_rates(scores[scores["grant"].eq(sel.grant) & scores["level"].eq(sel.level)])
    totals = totals[totals["row_kind"] == "total"]
    rows = []
    for year in sel.years:
        mine = totals[(totals["entity_code"] == sel.entity_code) & (totals["fiscal_year"] == year)]["score"]
        nat = totals[(totals["entity"] == NATIONAL) & (totals["fiscal_year"] == year)]["score"]
        score = float(mine.iloc[0])
        average = float(nat.iloc[0]) if len(nat) else float("nan")
        budget = budgets.get(year)
        row = {
            "fiscal_year": year,
            "score": score,
            "national_average": average,
            "budget_yen": budget,
            "computed_thousand_yen": None,
            "official_thousand_yen": None,
            "implied_average_low": None,
            "implied_average_high": None,
        }
        if budget is not None and average == average:
            row["computed_thousand_yen"] = allocation_from_average(score, average, budget) // 1000
        if official is not None and budget is not None:
            match = official[official["fiscal_year"] == year]["allocation_thousand_yen"]
            if len(match) and not pd.isna(match.iloc[0]):
                amount = int(match.iloc[0])
                iv = implied_average(amount * 1000, score, budget)
                row.update(official_thousand_yen=amount, implied_average_low=iv.low, implied_average_high=iv.high)
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in ("budget_yen", "computed_thousand_yen", "official_thousand_yen"):
        out[c] = out[c].astype("Int64")
    out["matches_official"] = (out["computed_thousand_yen"] == out["official_thousand_yen"]).astype("boolean")
    return out


@dataclass
class ReportData:
    """Everything one prefecture report reads (made by ``load_report_data``).

    Parameters
    ----------
    scores : DataFrame
        The tidy score table, narrowed to the report's grant and years when ``load_report_data`` is given them.
    utilization, projects, budgets : DataFrame or None
        The optional tables (utilisation and projects narrowed to the entity too); None: no file.
    sources : list of str
        One line per file read (``summary()``).
    history : DataFrame or None
        The score table of every year and grant as read, when narrowed (for the trend over all years).

    >>> ReportData(pd.DataFrame({"fiscal_year": [2019]})).grant_name
    '保険者機能強化推進交付金'
    """

    scores: pd.DataFrame
    utilization: pd.DataFrame | None = None
    projects: pd.DataFrame | None = None
    budgets: pd.DataFrame | None = None
    sources: list[str] = field(default_factory=list)
    score_file: str = ""
    grant: str = "推進"
    budget_file: str = "budgets.csv"
    history: pd.DataFrame | None = None

    @property
    def source_note(self) -> str:
        """The source of the scores as a reader knows it, for the foot of a chart: the ministry's published
        evaluation results of the grant (the prefecture share), of the report's years.

        >>> ReportData(pd.DataFrame({"fiscal_year": [2018, 2019]})).source_note
        '出典: 厚生労働省「保険者機能強化推進交付金（都道府県分）」評価結果（平成30年度・令和元年度）'
        """
        years = "・".join(era_label_long(int(y)) for y in sorted(self.scores["fiscal_year"].unique()))
        return f"出典: 厚生労働省「{self.grant_name}（都道府県分）」評価結果" + (f"（{years}）" if years else "")

    def funding_note(self, entity: str) -> str:
        """The source of the 配分額・事業費 and the project list: the entity's own records of the grant's use.

        >>> ReportData(pd.DataFrame({"fiscal_year": [2019]})).funding_note("山口県")
        '出典: 山口県 保険者機能強化推進交付金の活用状況（配分額・事業実績）'
        """
        return f"出典: {entity} {self.grant_name}の活用状況（配分額・事業実績）"

    @property
    def grant_name(self) -> str:
        """The official name of the report's grant (保険者機能強化推進交付金 for 推進)."""
        return GRANT_NAMES.get(self.grant, self.grant)

    def prefecture_budgets(self, grant: str | None = None) -> dict[int, int]:
        """fiscal year → budget in yen of the prefecture share (the report's grant by default)."""
        rows = self._budget_rows(grant)
        return {int(y): int(b) for y, b in zip(rows["fiscal_year"], rows["budget_yen"])}

    def budget_note(self, grant: str | None = None) -> str:
        """A caveat for the budgets used that budgets.csv marks unverified ("" when all are verified)."""
        rows = self._budget_rows(grant)
        rows = rows[~rows["verified"].astype(bool) & rows["fiscal_year"].isin(self.scores["fiscal_year"])]
        if rows.empty:
            return ""
        years = "、".join(era_label_long(int(y)) for y in rows["fiscal_year"])
        return (
            f"{years}の予算額は未確認の値です（{self.budget_file} の verified が false）。その年度の基準額は"
            "参考値で、公表資料で予算額を確かめてから使ってください。"
        )

    def _budget_rows(self, grant: str | None) -> pd.DataFrame:
        if self.budgets is None:
            return pd.DataFrame({"fiscal_year": [], "budget_yen": [], "verified": []})
        b = self.budgets
        return b[(b["grant"] == (grant or self.grant)) & (b["level"] == "都道府県")]

    def summary(self) -> str:
        """One line per file read, in Japanese."""
        return "\n".join(self.sources)


def load_report_data(
    data: str | Path,
    utilization: str | Path = "",
    projects: str | Path = "",
    budgets: str | Path = "",
    *,
    entity: str | None = None,
    years: list[int | str] | None = None,
    grant: str | None = None,
) -> ReportData:
    """Read the files of a prefecture report, each once.

    Parameters
    ----------
    data : str or Path
        The score table (tidy CSV, or the report-layout xlsx).
    utilization, projects, budgets : str or Path
        The optional CSVs; "" means the file is not available (its section says so).
    entity, years, grant : optional
        With ``entity`` (and ``years``, ``grant``) the tables keep only that entity's grant and years (scores
        keep every entity of them, for the national average).

    Returns
    -------
    ReportData
        The tables; ``history`` keeps the score table as read when narrowed; what was set aside is counted in
        ``summary()`` (rows read = kept + set aside).

    >>> from grantkit.examples import example_path
    >>> d = load_report_data(example_path("yamaguchi_scores.csv"), entity="山口県", years=["H30", "R1"])
    >>> d.grant, sorted(d.scores["fiscal_year"].unique().tolist()), len(d.history) == len(d.scores)
    ('推進', [2018, 2019], True)
    """
    from ..funding import load_budgets, load_projects, load_utilization
    from ..funding import utilization as shares
    from ..io import read_scores

    loaded = read_scores(data)
    out = ReportData(loaded.table, sources=[loaded.report.summary()], score_file=Path(data).name)
    if utilization:
        out.utilization = shares(load_utilization(utilization))
        out.sources.append(f"{Path(utilization).name}: 活用状況 {len(out.utilization)} 行")
    if projects:
        out.projects = load_projects(projects)
        out.sources.append(f"{Path(projects).name}: 事業 {out.projects['project'].nunique()} 件")
    if budgets:
        out.budgets, out.budget_file = load_budgets(budgets), Path(budgets).name
        out.sources.append(f"{Path(budgets).name}: 予算額 {len(out.budgets)} 行")
    if entity is not None:
        _select(out, entity, years, grant or None)
    return out


def _select(data: ReportData, entity: str, years: list[int | str] | None, grant: str | None) -> None:
    """Keep the score table as read in ``history`` and narrow ``data`` to the entity, grant and years."""
    data.history = data.scores
    _narrow(data, entity, years, grant or None)


def _narrow(data: ReportData, entity: str, years: list[int | str] | None, grant: str | None) -> None:
    """Keep the report's grant and years (and, in the utilisation and projects, its entity); say what was set aside."""
    sel = resolve_selection(data.scores, entity=entity, grant=grant, years=years)
    data.grant = sel.grant
    years_text = "・".join(era_label_long(y) for y in sel.years)
    s, u, p = data.scores, data.utilization, data.projects
    kept = {
        "scores": (
            "得点表",
            f"{sel.level}・{sel.grant}・{years_text}",
            s["fiscal_year"].isin(sel.years) & s["grant"].eq(sel.grant) & s["level"].eq(sel.level),
        )
    }
    if u is not None:
        kept["utilization"] = (
            "活用状況",
            f"{sel.entity}・{sel.grant}・{years_text}",
            u["fiscal_year"].isin(sel.years)
            & u["entity_code"].eq(sel.entity_code)
            & u["grant"].eq(sel.grant)
            & u["level"].eq(sel.level),
        )
    if p is not None:
        kept["projects"] = (
            "事業一覧",
            f"{sel.entity}・{years_text}（交付金の列があれば{sel.grant}）",
            p["fiscal_year"].isin(sel.years)
            & p["entity_code"].eq(sel.entity_code)
            & (p["grant"].eq(sel.grant) | p["grant"].eq("")),
        )
    for attribute, (name, scope, keep) in kept.items():
        if (~keep).any():
            data.sources.append(
                f"{name}: {scope}以外の {int((~keep).sum())} 行はこの報告書では使っていません"
                "（ファイルには残っています）"
            )
        setattr(data, attribute, getattr(data, attribute)[keep].reset_index(drop=True))


def report_folder_name(entity: str, base: int | str, target: int | str) -> str:
    """The folder name of one prefecture report (made path-safe by the caller).

    Parameters
    ----------
    entity : str
        The entity's name as the report shows it.
    base, target : int or str
        The two 交付年度 compared (2018, "H30", "平成30年度").

    Returns
    -------
    str
        「<名前>_<基準年度>-<比較年度>」 in short era labels.

    >>> report_folder_name("山口県", "平成30年度", 2019)
    '山口県_H30-R1'
    """
    return f"{entity}_{era_label(to_fiscal_year(base))}-{era_label(to_fiscal_year(target))}"


def check_selection(
    scores: pd.DataFrame, *, entity: str, base: int | str, target: int | str, grant: str | None = None
) -> Selection:
    """Raise ``UnknownSelectionError`` (listing what exists) unless entity, grant and two different years are
    in the table, the base year first, and no score the report sums is missing; return the selection."""
    if to_fiscal_year(base) == to_fiscal_year(target):
        raise UnknownSelectionError(
            f"基準年度と比較年度が同じです（{era_label_long(base)}）。別の2か年を指定してください"
        )
    if to_fiscal_year(base) > to_fiscal_year(target):  # the report reads 「基準年度から比較年度にかけて」
        held = sorted(int(y) for y in scores["fiscal_year"].dropna().unique())
        b, t = to_fiscal_year(target), to_fiscal_year(base)
        if b not in held or t not in held:  # suggest only years the data has
            b, t = (held[-2], held[-1]) if len(held) > 1 else (None, None)
        hint = (
            f"--base {era_label(b)} --target {era_label(t)} のように前の年度を基準年度にしてください"
            if b is not None
            else "2か年のデータが必要です"
        )
        raise UnknownSelectionError(
            f"基準年度（{era_label_long(base)}）が比較年度（{era_label_long(target)}）より後です。"
            f"{hint}（データにある年度: {'、'.join(era_label(y) for y in held) or 'なし'}）"
        )
    sel = resolve_selection(scores, entity=entity, years=[base, target], grant=grant)
    if sel.level != "都道府県":
        raise UnknownSelectionError(
            f"「{sel.entity}」は{sel.level}です。この報告書は都道府県分（得点表の2か年比較）です。"
            "市町村の報告書は全国の評価結果から --level 市町村 で作ります"
        )
    block = scores[
        scores["fiscal_year"].isin(sel.years) & scores["grant"].eq(sel.grant) & scores["level"].eq(sel.level)
    ]
    national = block[block["entity"] == NATIONAL]
    lacking = [y for y in sel.years if not national["fiscal_year"].eq(y).any()]
    if lacking:
        raise UnknownSelectionError(
            f"{'・'.join(era_label_long(y) for y in lacking)}の{NATIONAL}の行がありません（団体名「"
            f"{NATIONAL}」、コード 00）。全国平均との比較と基準額に必要です"
        )
    used = pd.concat([block[block["entity_code"] == sel.entity_code], national])
    for column, what in (("score", "得点"), ("max_score", "配点")):
        missing = used[used[column].isna()]
        if len(missing):
            cells = "、".join(
                f"{era_label(int(y))} {e} {i}"
                for y, e, i in zip(missing["fiscal_year"], missing["entity"], missing["indicator"])
            )
            raise UnknownSelectionError(
                f"{what}が空欄・「－」の指標があります（{cells}）。合計・得点率・基準額が計算"
                f"できないため報告書を作れません{'。0点なら 0 と入力してください' if column == 'score' else ''}"
            )
    compare_years(scores, base, target, entity=sel.entity, grant=sel.grant)
    compare_to_average(scores, entity=sel.entity, fiscal_year=target, grant=sel.grant)
    return sel


def run_report(
    *,
    entity: str,
    base: int | str,
    target: int | str,
    data: str | Path,
    out: str | Path = "reports",
    utilization: str | Path | None = None,
    projects: str | Path | None = None,
    budgets: str | Path | None = None,
    grant: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the prefecture report (HTML, Excel, PNG) of one entity, grant and pair of years.

    Parameters
    ----------
    entity : str
        The prefecture (name or code).
    base, target : int or str
        The two 交付年度 (2018, "H30", "平成30年度"), base first.
    data : str or Path
        The score table (CSV or xlsx).
    out : str or Path
        The folder the report folder is written into.
    utilization, projects, budgets : str or Path, optional
        The optional CSVs (a report without them says so in those sections).
    grant : str, optional
        推進 or 支援, needed only when the table has both grants in those years.
    progress : callable, optional
        Receives the progress lines (default: printed on stderr).

    Returns
    -------
    Path
        ``<out>/<entity>_<base>-<target>`` (with ``_<grant>`` when the table has both grants), holding the HTML
        page, 表.xlsx and the charts written from ``build_prefecture_report``, and 報告書.ipynb (the template with
        these parameters, to rerun and explore in JupyterLab). Guarantees: each file is read once; the folder is
        built in a temporary folder and appears complete or not at all; an unknown entity or year raises
        ``UnknownSelectionError`` naming what exists, before anything is written.

    >>> from grantkit.examples import example_path
    >>> run_report(entity="架空県", base="H30", target="R1", data=example_path("yamaguchi_scores.csv"),
    ...            progress=lambda msg: None)
    Traceback (most recent call last):
    grantkit.errors.UnknownSelectionError: 団体「架空県」はデータにありません。（ある団体: 山口県、全国平均）
    """
    from .execution import build_and_write
    from .prefecture_sections import build_prefecture_report
    from .render import report_folder

    say = progress or (lambda msg: print(msg, file=sys.stderr))
    data = Path(data).resolve()
    say(f"[1/4] 得点表を読み込み中: {data.name}")
    loaded = load_report_data(data, _optional(utilization), _optional(projects), _optional(budgets))
    sel = check_selection(loaded.scores, entity=entity, base=base, target=target, grant=grant)
    _select(loaded, sel.entity, [base, target], grant)
    params = {
        "ENTITY": sel.entity,
        "BASE_YEAR": era_label(to_fiscal_year(base)),
        "TARGET_YEAR": era_label(to_fiscal_year(target)),
        "GRANT": grant or "",
        "DATA": str(data),
        "UTILIZATION": _optional(utilization),
        "PROJECTS": _optional(projects),
        "BUDGETS": _optional(budgets),
        "OUTPUT_DIR": ".",
    }
    both = loaded.history.loc[loaded.history["fiscal_year"].isin(sel.years), "grant"].nunique() > 1
    folder = report_folder(out, report_folder_name(sel.entity, base, target) + (f"_{sel.grant}" if both else ""))
    return build_and_write(
        lambda: build_prefecture_report(loaded, entity=sel.entity, base=base, target=target),
        folder,
        TEMPLATE,
        params,
        say,
    )


def _optional(path: str | Path | None) -> str:
    return "" if path is None else str(Path(path).resolve())
