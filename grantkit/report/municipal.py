"""The municipal yearly report: national workbooks of one or more years in, one folder out.

``grantkit report --level 市町村 --entity <名前・保険者番号> --year R7 --data <全国の評価結果>...`` reads the workbooks
once (``MunicipalData``), builds the report (``build_municipal_report``) and writes, like the prefecture report, an
HTML page, the tables as Excel, the PNG charts and the report's notebook (``templates/municipal_report.ipynb`` with
its parameters, to rerun and explore) into ``reports/<都道府県名><団体名>_<年度>/`` (the prefecture makes the folder
unique: 北海道ゆうひさき町 and 青森県ゆうひさき町 are two towns, two folders).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..allocation import implied_budget
from ..compare import Selection, equal_mask, resolve_selection, rows_where
from ..eras import era_label, era_label_long
from ..eras import fiscal_year as to_fiscal_year
from ..errors import GrantkitError, Problem, UnknownSelectionError
from ..examples import template_path
from ..prefectures import prefecture_of
from ..provenance import LoadReport
from ..schema import GRANTS
from ..text import normalize_text

TEMPLATE = template_path("municipal_report.ipynb")
LEVEL = "市町村"


@dataclass
class MunicipalData:
    """The municipal rows of one or more national workbooks (one per 交付年度) and the budgets to use.

    Attributes
    ----------
    scores, attributes, statistics : the tidy tables of every year (each with ``fiscal_year``).
    amounts : R6-style 交付見込額（案）/確定額 per municipality, or None.
    budget_rows : the budgets file, or None.
    fictitious : True when any workbook is 架空データ.
    files, sources : the files read and the source line of each.
    load_reports : the loader's account of each workbook by 交付年度 (rows read, kept and excluded, e.g. 広域連合
        rows without score).

    >>> import grantkit as gk
    >>> d = gk.load_municipal_data([gk.example_path("mhlw_sample_R7.xlsx")])
    >>> d.years, d.code("つばきの森市"), d.fictitious
    ([2025], '010010', True)
    """

    scores: pd.DataFrame
    attributes: pd.DataFrame
    statistics: pd.DataFrame
    amounts: pd.DataFrame | None
    budget_rows: pd.DataFrame | None = None
    fictitious: bool = False
    files: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    load_reports: dict[int, LoadReport] = field(default_factory=dict)
    _selections: dict[tuple[str, tuple[int, ...] | None], tuple[pd.DataFrame, Selection]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    _years: tuple[pd.DataFrame, list[int]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def years(self) -> list[int]:
        """The 交付年度 in the data, oldest first (found once while ``scores`` is the same table)."""
        if self._years is None or self._years[0] is not self.scores:
            self._years = (self.scores, sorted(int(y) for y in self.scores["fiscal_year"].unique()))
        return list(self._years[1])

    @property
    def source_note(self) -> str:
        """The source as a reader knows it, for the foot of a chart: the ministry's published 評価結果（市町村分）
        of the years read, with 架空データ said when it is."""
        return self.source_of(*self.years)

    def source_of(self, *years: int | str) -> str:
        """The same note for the charts of some years only (a chart of R7 cites the R7 results)."""
        shown = "・".join(era_label_long(y) for y in sorted(to_fiscal_year(y) for y in years))
        if self.fictitious:  # never attribute the sample's numbers to the ministry
            return f"出典: 架空データ（厚生労働省「{shown}評価結果（市町村分）」と同じ様式の見本）"
        return f"出典: 厚生労働省「{shown}評価結果（市町村分）」"

    def previous_year(self, year: int | str, entity: str | None = None) -> int | None:
        """The year before ``year`` when the data has it (for the change from last year), else None; with
        ``entity``, also None when that year's file has no score for the municipality (a new or merged insurer:
        ``no_previous_reason`` says which)."""
        before = to_fiscal_year(year) - 1
        if before not in self.years:
            return None
        if entity is not None:
            code = self.code(entity)
            if not equal_mask(self.scores_of(before)["entity_code"], code).any():
                return None
        return before

    def no_previous_reason(self, year: int | str, entity: str) -> str:
        """Why the report has no change from last year (a sentence), or "" when it has one."""
        before = to_fiscal_year(year) - 1
        if before not in self.years:
            return (
                f"前年度（{era_label_long(before)}）の全国の評価結果のファイルがありません。そのファイルも読み込むと"
                "（ノートブックでは DATA、コマンドでは --data に加える）比較できます"
            )
        if self.previous_year(year, entity) is None:
            sel = self._select(entity)
            return (
                f"{era_label_long(before)}の全国の評価結果に{sel.entity}（保険者番号 {sel.entity_code}）の得点が"
                "ありません（新設・合併などで前年度の評価を受けていない保険者）"
            )
        return ""

    def excluded_rows(self, entity: str) -> list[Problem]:
        """The rows of the workbooks left out on loading (広域連合・一部事務組合 rows without score …) whose
        団体名 is ``entity``."""
        wanted = normalize_text(entity)
        return [
            p
            for _, r in sorted(self.load_reports.items())
            for p in r.exclusions
            if p.value is not None and normalize_text(str(p.value)) == wanted
        ]

    def _select(self, entity: str, years: list[int] | None = None) -> Selection:
        """``resolve_selection`` on the 推進 rows; an insurer that is in a workbook without score (a 広域連合
        row) is said to be so, with the file and row, instead of 「データにありません」. Found once per name
        and years while ``scores`` is the same table (a report asks for the same municipality many times)."""
        key = (entity, None if years is None else tuple(years))
        known = self._selections.get(key)
        if known is not None and known[0] is self.scores:
            return known[1]
        found = self._resolve(entity, years)
        self._selections[key] = (self.scores, found)
        return found

    def _resolve(self, entity: str, years: list[int] | None) -> Selection:
        scores = (
            self.scores if years is None else rows_where(self.scores, self.scores["fiscal_year"].isin(years).to_numpy())
        )
        try:  # a name is looked up among the municipalities of the years asked (a town of that name may come and go)
            return resolve_selection(
                scores if len(scores) else self.scores, entity=entity, grant=GRANTS[0], years=years
            )
        except UnknownSelectionError:
            excluded = self.excluded_rows(entity)
            names = set(self.scores["entity"].astype(str).map(normalize_text))
            if not excluded or normalize_text(entity) in names:
                raise
            where = "、".join(
                f"{p.file}（シート「{p.sheet}」）の{p.row}行目" if p.sheet else f"{p.file}の{p.row}行目"
                for p in excluded
            )
            raise UnknownSelectionError(
                f"「{entity}」は {where}にありますが、{excluded[0].message}のため、この保険者自身の評価結果（得点）は"
                "ありません。報告書は得点のある市町村ごとに作ります。構成市町村の名前か保険者番号を指定してください"
            ) from None

    def scores_of(self, year: int | str) -> pd.DataFrame:
        """The tidy score rows of one year (all municipalities)."""
        return rows_where(self.scores, (self.scores["fiscal_year"] == to_fiscal_year(year)).to_numpy(dtype=bool))

    def attributes_of(self, year: int | str) -> pd.DataFrame:
        """The attributes of one year (one row per municipality)."""
        at = self.attributes
        return rows_where(at, (at["fiscal_year"] == to_fiscal_year(year)).to_numpy(dtype=bool))

    def amounts_of(self, year: int | str) -> pd.DataFrame | None:
        """Published 交付見込額（案）/確定額 of one year (R6 files), else None."""
        if self.amounts is None:
            return None
        part = self.amounts[self.amounts["fiscal_year"] == to_fiscal_year(year)]
        return part if len(part) else None

    def budgets(self, year: int | str) -> pd.DataFrame:
        """The 市町村分 budget per grant for ``year``: from the budgets file, else implied by the published
        交付見込額（案） (the least budget that reproduces them all; their sum when none does).

        Columns: grant, budget_yen, verified, source. Raises ``budget_gap``'s message when a grant scored that
        year has neither (a report never shows one grant's money and silently not the other's).
        """
        gap = self.budget_gap(year)
        if gap:
            raise UnknownSelectionError(gap)
        return self._known_budgets(to_fiscal_year(year))

    def budget_gap(self, year: int | str, entity: str | None = None) -> str:
        """ "" when every grant scored in ``year`` has a budget; else what is missing and the ``--budgets`` line
        to add (the report is still made; its 基準額 section shows this instead of amounts)."""
        y = to_fiscal_year(year)
        known = set(self._known_budgets(y)["grant"])
        scored = set(self.scores_of(y)["grant"].unique())
        missing = [g for g in GRANTS if g in scored and g not in known] or ([] if known else list(GRANTS))
        if not missing:
            return ""
        who = "<団体名>" if entity is None else self.code(entity, y)
        example = "".join(
            f"\n{era_label(y)},{g},{LEVEL},<予算額（円）>,false,<出典（公表資料の名前）>," for g in missing
        )
        return (
            f"{era_label_long(y)}の市町村分の予算額がわかりません（{'・'.join(missing)}）。基準額を計算するには、"
            f"その年度の予算額を書いた CSV を --budgets に指定してください（ノートブックでは BUDGETS）:\n"
            f"grantkit report --level {LEVEL} --entity {who} --year {era_label(y)} --data <全国の評価結果>… "
            f"--budgets budgets_{era_label(y)}.csv\n"
            f"CSV の中身（level は {LEVEL}、verified は公表資料で確かめた額なら true）:\n"
            f"fiscal_year,grant,level,budget_yen,verified,source,note{example}"
        )

    def _known_budgets(self, y: int) -> pd.DataFrame:
        rows = []
        published = self.amounts_of(y)
        for grant in GRANTS:
            known = (
                None
                if self.budget_rows is None
                else self.budget_rows[
                    (self.budget_rows["fiscal_year"] == y)
                    & (self.budget_rows["grant"] == grant)
                    & (self.budget_rows["level"] == LEVEL)
                ]
            )
            if known is not None and len(known):
                r = known.iloc[0]
                rows.append(
                    {
                        "grant": grant,
                        "budget_yen": int(r["budget_yen"]),
                        "verified": bool(r["verified"]),
                        "source": str(r["source"]),
                    }
                )
            elif published is not None and (published["grant"] == grant).any():
                implied = self._implied_budget(y, grant, published)
                rows.append(
                    {
                        "grant": grant,
                        "budget_yen": implied["budget_yen"],
                        "verified": False,
                        "source": implied["source"],
                    }
                )
        return pd.DataFrame(rows, columns=["grant", "budget_yen", "verified", "source"])

    def _implied_budget(self, year: int, grant: str, published: pd.DataFrame) -> dict[str, object]:
        """budget_yen and source from the published 交付見込額（案）: the least budget that reproduces every
        amount from score × 第1号被保険者数, else (another formula or adjustment) their sum, which is smaller."""
        plan = published.loc[published["grant"] == grant, ["entity_code", "plan_thousand_yen"]]
        at = self.attributes_of(year)
        weights = plan.merge(at[["entity_code", f"score_{grant}", "first_insured"]], on="entity_code", how="left")
        budget = implied_budget(
            weights["plan_thousand_yen"].tolist(),
            (weights[f"score_{grant}"] * weights["first_insured"]).fillna(0).tolist(),
        )
        if budget is not None:
            return {
                "budget_yen": budget,
                "source": f"公表の交付見込額（案）{len(plan):,} 団体分をすべて再現する最小の額として逆算",
            }
        total = int(plan["plan_thousand_yen"].sum()) * 1000
        return {
            "budget_yen": total,
            "source": "公表の交付見込額（案）の合計から逆算（どの予算額でも全団体の額は再現できず、"
            "千円未満切捨て分だけ小さい合計を使用）",
        }

    def code(self, entity: str, year: int | str | None = None) -> str:
        """The 保険者番号 of a municipality given by name, 「都道府県名＋団体名」 or code (ambiguity is an error;
        with ``year``, only that year's municipalities count: another town of that name last year is no ambiguity)."""
        return self._select(entity, None if year is None else [to_fiscal_year(year)]).entity_code

    def name(self, entity: str) -> str:
        """The municipality's name as in the workbook."""
        return self._select(entity).entity

    def prefecture(self, entity: str) -> str:
        """The municipality's prefecture (from the newest workbook that names it, else from the 保険者番号)."""
        code = self.code(entity)
        at = self.attributes[self.attributes["entity_code"] == code]
        if "fiscal_year" in at.columns:
            at = at.sort_values("fiscal_year", kind="stable")
        named = at["prefecture"].dropna() if "prefecture" in at.columns else pd.Series(dtype="str")
        return str(named.iloc[-1]) if len(named) else (prefecture_of(code) or "")

    def describe(self, entity: str) -> str:
        """「〇〇県 ゆうひさき町（保険者番号 020011）」: who the report is about, unambiguous."""
        sel = self._select(entity)
        return f"{self.prefecture(entity)} {sel.entity}（保険者番号 {sel.entity_code}）".strip()

    def folder_name(self, entity: str, year: int | str) -> str:
        """The report folder of a municipality and year: 「青森県ゆうひさき町_R7」. The prefecture keeps towns of
        the same name apart; two municipalities of one name in one prefecture also get their 保険者番号."""
        y = to_fiscal_year(year)
        sel, pref = self._select(entity), self.prefecture(entity)
        year_rows = self.scores_of(y)
        rows = year_rows.loc[equal_mask(year_rows["entity"], sel.entity), ["entity_code", "entity"]].drop_duplicates()
        twins = rows[rows["entity_code"] != sel.entity_code]
        same_pref = [c for c in twins["entity_code"] if prefecture_of(c) == prefecture_of(sel.entity_code)]
        return f"{pref}{sel.entity}{'_' + sel.entity_code if same_pref else ''}_{era_label(y)}"

    def summary(self) -> str:
        """One line per file read, in Japanese."""
        return "\n".join(self.sources)


def load_municipal_data(data: str | Path | Sequence[str | Path], budgets: str | Path = "") -> MunicipalData:
    """Read national result workbooks (one per 交付年度; the municipal sheet) and an optional budgets CSV.

    Parameters
    ----------
    data : path or sequence of paths
        The workbooks, one per 交付年度 (each through the cache of parsed files).
    budgets : path
        A budgets CSV with the 市町村分 予算額 ("" for none).

    Returns
    -------
    MunicipalData
        Every year's tables concatenated, with the files, their source lines and load reports.

    Raises
    ------
    GrantkitError
        No file, or two files of the same 交付年度.

    >>> import grantkit as gk
    >>> d = load_municipal_data([gk.example_path("mhlw_sample_R6.xlsx"), gk.example_path("mhlw_sample_R7.xlsx")])
    >>> d.years, sorted(d.load_reports)
    ([2024, 2025], [2024, 2025])
    """
    from ..funding import load_budgets
    from ..io.mhlw import load_mhlw
    from ..repeats import stack_tables

    paths = [Path(data)] if isinstance(data, (str, Path)) else [Path(p) for p in data]
    if not paths:
        raise GrantkitError("全国の評価結果ファイルを1つ以上指定してください")
    loaded = [load_mhlw(p, level=LEVEL) for p in paths]
    years = [int(r.scores["fiscal_year"].iloc[0]) for r in loaded]
    twice = sorted({y for y in years if years.count(y) > 1})
    if twice:
        raise GrantkitError(f"同じ年度のファイルが複数あります（{'、'.join(era_label_long(y) for y in twice)}）")
    stamp = lambda table, y: None if table is None else table.assign(fiscal_year=y)  # noqa: E731
    amounts = [stamp(r.amounts, y) for r, y in zip(loaded, years) if r.amounts is not None]
    out = MunicipalData(
        scores=stack_tables([r.scores for r in loaded]),  # as pd.concat; the repeated text written from its blocks
        attributes=pd.concat([stamp(r.attributes, y) for r, y in zip(loaded, years)], ignore_index=True),
        statistics=pd.concat([r.statistics for r in loaded], ignore_index=True),
        amounts=pd.concat(amounts, ignore_index=True) if amounts else None,
        fictitious=any(r.fictitious for r in loaded),
        files=[p.name for p in paths],
        sources=[
            f"{r.report.summary()}（{era_label_long(y)}{'、架空データ' if r.fictitious else ''}）。{r.row_set}"
            for r, y in zip(loaded, years)
        ],
        load_reports={y: r.report for r, y in zip(loaded, years)},
    )
    if budgets:
        out.budget_rows = load_budgets(budgets)
        out.sources.append(f"{Path(budgets).name}: 予算額 {len(out.budget_rows)} 行")
    return out


def check_municipal_selection(data: MunicipalData, *, entity: str, year: int | str) -> str:
    """The municipality's name, or ``UnknownSelectionError`` naming what exists (years, or the same-named
    municipalities with their prefecture and 保険者番号). A missing budget is no error: the report says so."""
    y = to_fiscal_year(year)
    if y not in data.years:
        raise UnknownSelectionError(
            f"{era_label_long(y)}の評価結果がありません（ある年度: "
            f"{'、'.join(era_label_long(v) for v in data.years)}）。--data にその年度のファイルを加えてください"
        )
    return data._select(entity, years=[y]).entity


def run_municipal_report(
    *,
    entity: str,
    year: int | str,
    data: Sequence[str | Path],
    out: str | Path = "reports",
    budgets: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the municipal report (HTML, Excel, PNG and its notebook) of one municipality and 交付年度.

    Parameters
    ----------
    entity : str
        The municipality: name, 「都道府県名＋団体名」 or 保険者番号.
    year : int or str
        The 交付年度 (2025, "R7", "令和7年度").
    data : sequence of str or Path
        The national result workbooks, one per year (the previous year's adds the change from last year).
    out : str or Path
        The folder the report folder is written into.
    budgets : str or Path, optional
        The 市町村分 budgets CSV.
    progress : callable, optional
        Receives the progress lines (default: printed on stderr).

    Returns
    -------
    Path
        ``<out>/<都道府県名><団体名>_<年度>`` (e.g. 青森県ゆうひさき町_R7; see ``MunicipalData.folder_name``).
        Guarantees: each workbook is read once; the folder is written atomically; an unknown or ambiguous
        municipality or year raises ``UnknownSelectionError`` naming what exists, before anything is written; a
        missing budget is said on ``progress`` and in the report, not an error.

    >>> from grantkit.examples import example_path
    >>> run_municipal_report(entity="架空町", year="R7", data=[example_path("mhlw_sample_R7.xlsx")],
    ...                      progress=lambda msg: None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    grantkit.errors.UnknownSelectionError: 団体「架空町」はデータにありません。...
    """
    from .execution import build_and_write
    from .municipal_sections import build_municipal_report
    from .render import report_folder

    say = progress or (lambda msg: print(msg, file=sys.stderr))
    paths = [str(Path(p).resolve()) for p in data]
    say(f"[1/4] 全国の評価結果を読み込み中: {'、'.join(Path(p).name for p in paths)}")
    loaded = load_municipal_data(paths, budgets or "")
    check_municipal_selection(loaded, entity=entity, year=year)
    code = loaded.code(entity, year)  # from here on the 保険者番号: a name may be another town's in another year
    gap = loaded.budget_gap(year, code)
    if gap:
        say(f"注意: {gap.splitlines()[0].split('。')[0]}。報告書の「基準額」の節に、加える --budgets の内容を書きます")
    params: Mapping[str, object] = {
        "ENTITY": code,
        "YEAR": era_label(to_fiscal_year(year)),
        "DATA": paths,
        "BUDGETS": "" if budgets is None else str(Path(budgets).resolve()),
        "OUTPUT_DIR": ".",
    }
    folder = report_folder(out, loaded.folder_name(code, year))
    return build_and_write(
        lambda: build_municipal_report(loaded, entity=code, year=year), folder, TEMPLATE, params, say
    )
