"""The yearly report: the tables it shows, and the papermill run that writes one folder per entity and years.

The folder (``reports/<団体名>_<基準年度>-<比較年度>/``) holds the executed notebook, an HTML report without
code, an Excel workbook of the tables and the PNG (and SVG) charts. It is built in a temporary folder and
moved into place at the end, so an interrupted run never leaves a folder that looks complete.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..allocation import allocation_from_average, implied_average
from ..compare import Selection, compare_to_average, compare_years, resolve_selection
from ..eras import era_label, era_label_long
from ..eras import fiscal_year as to_fiscal_year
from ..errors import GrantkitError, UnknownSelectionError
from ..examples import template_path
from ..labels import GRANT_NAMES
from ..present.format import ENTITY_RATE_DIGITS
from ..rates import score_rates
from ..schema import NATIONAL

# The report notebook users open in JupyterLab is the template itself (one copy, tested by nbval), package data.
TEMPLATE = template_path("report.ipynb")
EXCEL_NAME = "表.xlsx"
# rate columns (fractions) whose names do not end in ``_rate``: shown as % in the workbook
RATE_COLUMNS = ("rate", "rate_base", "rate_target", "national_rate_base", "national_rate_target")


def allocation_summary(
    scores: pd.DataFrame, *, entity: str, budgets: Mapping[int, int], official: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per year: the entity's total, the national average total, the budget, the 基準額 computed from them
    (budget × score / (47 × average), floored to 千円), the official 配分額 when given, and the national
    averages the official amount implies.

    ``budgets`` maps fiscal year → prefecture budget in yen; ``official`` is a utilisation table with
    ``allocation_thousand_yen``. Years without a budget are kept with the amounts missing.
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
    """Everything one report reads: the score table and the optional utilisation, projects and budgets,
    narrowed to the report's entity, grant and years when ``load_report_data`` is given them."""

    scores: pd.DataFrame
    utilization: pd.DataFrame | None = None
    projects: pd.DataFrame | None = None
    budgets: pd.DataFrame | None = None
    sources: list[str] = field(default_factory=list)
    score_file: str = ""
    grant: str = "推進"
    budget_file: str = "budgets.csv"

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
    """Read the files of a report; an empty path means the file is not available (its section says so).

    With ``entity`` (and ``years``, ``grant``) the tables keep only that entity's grant and years (scores keep
    every entity of them, for the national average); what is set aside is counted in ``summary()``.
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
        _narrow(out, entity, years, grant or None)
    return out


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


def save_report_figure(fig: object, output_dir: str, name: str) -> Path | None:
    """Save a figure into the report folder (nothing when ``output_dir`` is empty, e.g. when exploring).

    In a report run, the saved PNG itself is what the notebook shows (the same picture in the HTML as in the
    folder), with the chart's title as its alt text (``figure_title``); the figure is then closed.
    """
    if not output_dir:
        return None
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    from ..plot import save_figure

    path = save_figure(fig, Path(output_dir) / f"{name}.png")
    display(Image(data=path.read_bytes(), format="png", metadata={"alt": figure_title(fig)}))
    plt.close(fig)
    return path


def figure_title(fig: object) -> str:
    """The title a reader sees on a chart (its axes' titles, lines joined), for alt text.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.set_title("山口県の得点率（H30・R1）\\n※注記"); figure_title(fig)
    '山口県の得点率（H30・R1） ※注記'
    """
    titles = [ax.get_title() for ax in getattr(fig, "axes", []) if ax.get_title()]
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        titles.insert(0, suptitle.get_text())
    return " ".join(" ".join(t.split("\n")) for t in titles)


def write_report_tables(
    output_dir: str, tables: Mapping[str, pd.DataFrame | None], *, entity_rate_digits: int = ENTITY_RATE_DIGITS
) -> Path | None:
    """Write the report's tables (those present) as one Excel workbook in the report folder.

    Each cell shows the figure as the HTML does: a table's ``attrs["kinds"]`` (the municipal views with
    ``numbers=True``) names its columns' kinds of figure; the entity's own rates get ``entity_rate_digits``
    (0 in the prefecture report, as printed there; the municipal report prints every rate to 0.1).
    """
    if not output_dir:
        return None
    from .render import write_tables_xlsx

    present = {
        k: _for_excel(v.reset_index() if v.index.name or v.index.nlevels > 1 else v)
        for k, v in tables.items()
        if v is not None
    }
    kinds = {c: k for v in tables.values() if v is not None for c, k in v.attrs.get("kinds", {}).items()}
    return write_tables_xlsx(
        present,
        Path(output_dir) / EXCEL_NAME,
        percent_columns=RATE_COLUMNS,
        kinds=kinds,
        entity_rate_digits=entity_rate_digits,
    )


def _for_excel(table: pd.DataFrame) -> pd.DataFrame:
    """Words for people in the workbook: 行の種類 in Japanese, and the 年度 as the report prints it (H30) next
    to the numeric 交付年度."""
    from ..labels import ROW_KIND_NAMES

    out = table.copy()
    if "row_kind" in out.columns:
        out["row_kind"] = out["row_kind"].map(lambda v: ROW_KIND_NAMES.get(v, v))
    if "fiscal_year" in out.columns and "era" not in out.columns and pd.api.types.is_integer_dtype(out["fiscal_year"]):
        out.insert(out.columns.get_loc("fiscal_year") + 1, "era", out["fiscal_year"].map(era_label))
    return out


def report_folder_name(entity: str, base: int | str, target: int | str) -> str:
    """``山口県_H30-R1``: the folder name of one report (made path-safe by the caller)."""
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

    Takes the score table ``data`` (CSV or xlsx), the entity, the base and target years (2018, "H30", "平成30年度")
    and optional ``utilization``, ``projects`` and ``budgets`` CSVs (a report without them says so in those
    sections); writes ``<out>/<entity>_<base>-<target>`` (with ``_<grant>`` when the table has both grants) and
    returns that folder. Guarantees: the folder is built in a temporary folder and appears complete or not at all;
    an unknown entity or year raises ``UnknownSelectionError`` naming what exists, before anything runs.

    >>> from grantkit.examples import example_path
    >>> run_report(entity="架空県", base="H30", target="R1", data=example_path("yamaguchi_scores.csv"),
    ...            progress=lambda msg: None)
    Traceback (most recent call last):
    grantkit.errors.UnknownSelectionError: 団体「架空県」はデータにありません。（ある団体: 山口県、全国平均）
    """
    from ..io import load_scores

    say = progress or (lambda msg: print(msg, file=sys.stderr))
    data = Path(data).resolve()
    say(f"[1/4] 得点表を読み込み中: {data.name}")
    scores = load_scores(data)
    sel = check_selection(scores, entity=entity, base=base, target=target, grant=grant)
    name = sel.entity
    params = {
        "ENTITY": name,
        "BASE_YEAR": era_label(to_fiscal_year(base)),
        "TARGET_YEAR": era_label(to_fiscal_year(target)),
        "GRANT": grant or "",
        "DATA": str(data),
        "UTILIZATION": _optional(utilization),
        "PROJECTS": _optional(projects),
        "BUDGETS": _optional(budgets),
    }
    both = scores.loc[scores["fiscal_year"].isin(sel.years), "grant"].nunique() > 1  # named only where it tells apart
    title = f"{name} {era_label_long(base)}・{era_label_long(target)} {GRANT_NAMES[sel.grant] + 'の' if both else '交付金の'}評価と活用状況"
    folder = report_folder_name(name, base, target) + (f"_{sel.grant}" if both else "")
    return execute_report(TEMPLATE, params, Path(out), folder, title, say, progress is None)


def execute_report(
    template: Path,
    params: dict[str, object],
    out: Path,
    folder_name: str,
    title: str,
    say: Callable[[str], None],
    bar: bool = True,
) -> Path:
    """Execute a report notebook with papermill into ``out/folder_name`` (built in a temporary folder and
    moved into place), add the HTML page without code; return the folder. ``bar``: papermill's progress
    bar when stderr is a terminal."""
    import papermill

    from .render import atomic_directory, safe_join

    if not template.exists():
        raise GrantkitError(
            f"報告書のひな形 {template.name} が見つかりません。grantkit をリポジトリから "
            "pip install -e . で入れてください"
        )
    if out.exists() and not out.is_dir():
        raise GrantkitError(f"出力先 {out} はファイルです。報告書を書き出すフォルダを --out に指定してください")
    folder = safe_join(out, folder_name)
    with atomic_directory(folder) as tmp:
        # The kernel runs inside the (temporary) report folder and writes to "."; the saved notebook thus
        # keeps OUTPUT_DIR = "." = its own folder, valid after the move and when reopened in JupyterLab.
        params["OUTPUT_DIR"] = "."
        notebook = tmp / "報告書.ipynb"
        say("[2/4] 報告書ノートブックを実行中")
        try:
            with inline_figures():
                papermill.execute_notebook(
                    str(template),
                    str(notebook),
                    parameters=params,
                    kernel_name="python3",
                    cwd=str(tmp),
                    progress_bar=bar and sys.stderr.isatty(),
                    log_output=False,
                    config=kernel_config(),
                )
        except papermill.PapermillExecutionError as exc:
            raise GrantkitError(f"報告書の作成に失敗しました（{exc.ename}: {exc.evalue}）") from None
        say("[3/4] HTML を作成中")
        (tmp / "報告書.html").write_text(report_html(notebook, title), encoding="utf-8")
        say("[4/4] 仕上げ中")
    say(f"完了: {folder}")
    return folder


NOTEBOOK_ONLY = "notebook-only"


def report_html(notebook: Path, title: str) -> str:
    """The executed notebook as one self-contained HTML page without code or prompts, with the report styles
    (``grantkit/report/templates/report.css``: amounts on one line, row headings to the left, prose paragraphs).

    The page opens with ``title`` as its heading (who and which years); cells of the template tagged
    ``notebook-only`` (the notebook's own heading, how to run it in JupyterLab, notes on the bundled data) are
    left out, so the page reads as a report, not as instructions. It loads nothing from the network (no
    MathJax, require.js or other script or style by URL: municipal PCs often have no internet), images are
    embedded with their chart title as alt text, and tables have one header row (index names moved up).
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {title}"))
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True, language_code="ja"
    )
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={NOTEBOOK_ONLY}), enabled=True)
    page, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    alts = [
        out.get("metadata", {}).get("image/png", {}).get("alt", "")
        for cell in nb.cells
        if cell.cell_type == "code" and NOTEBOOK_ONLY not in cell.metadata.get("tags", [])
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    css = template_path("report.css").read_text(encoding="utf-8")
    return offline_page(page.replace("</head>", f"<style>\n{css}</style>\n</head>", 1), alts)


# a table cell holding words (not a figure, 「○」 or 「－」): starts with neither a digit nor a sign
_TEXT_CELL = re.compile(r"^(?![（(]?[+\-±]?\d)(?![○－]$).*[^\W\d_]")


def offline_page(page: str, alts: list[str]) -> str:
    """``page`` without any script, style sheet or font loaded by URL (inline scripts that only configure
    MathJax go too), the n-th image's alt text set to ``alts[n]`` when given, and each table's second
    header row of index names merged into the first.

    >>> page = '<html><head><script src="https://x/require.js"></script></head><body><img src="data:,"></body></html>'
    >>> offline_page(page, ["山口県の得点率"])
    '<html><head></head><body><img alt="山口県の得点率" src="data:,"/></body></html>'
    """
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(page, features="html.parser")
    for comment in soup.find_all(string=lambda t: isinstance(t, Comment) and "mathjax" in t.lower()):
        comment.extract()
    for tag in soup.find_all(["script", "link"]):
        url = tag.get("src") or tag.get("href") or ""
        if (
            "://" in url
            or url.startswith("//")
            or "mathjax" in (tag.get("type") or "").lower()
            or "MathJax" in tag.get_text()
            or (tag.name == "script" and "://" in tag.get_text())
        ):
            tag.decompose()
    for style in soup.find_all("style"):  # comments citing where a colour came from are URLs too
        if style.string and "://" in style.string:
            style.string = re.sub(
                r"/\*.*?\*/", lambda m: "" if "://" in m.group(0) else m.group(0), style.string, flags=re.S
            )
    for td in soup.find_all("td"):  # names and reasons read from the left; figures stay right-aligned
        if _TEXT_CELL.match(td.get_text(strip=True)):
            td["class"] = [*td.get("class", []), "grantkit-text"]
    for img, alt in zip(soup.find_all("img"), alts):
        if alt:
            img["alt"] = alt
    for thead in soup.find_all("thead"):
        rows = thead.find_all("tr", recursive=False)
        if len(rows) != 2:
            continue
        top, names = rows[0].find_all("th"), [th.get_text() for th in rows[1].find_all("th")]
        # the second row holds only the index names, under the first row's empty leading cells
        if (
            len(names) == len(top)
            and not rows[1].find_all("td")
            and all(not name.strip() or not th.get_text(strip=True) for th, name in zip(top, names))
        ):
            for th, name in zip(top, names):
                if name.strip():
                    th.string = name
            rows[1].decompose()
    return str(soup)


def kernel_config() -> object:
    """Settings for the kernels the kit starts itself (report runs, ``tools/execute_notebooks.py``).

    The kernel traffic is CurveZMQ-encrypted when pyzmq supports it, so ipykernel does not warn "Kernel is
    running over TCP without encryption" on every run (and nothing is sent in plain text on localhost).

    >>> kernel_config()["KernelManager"]["transport_encryption"] in ("auto", "disabled")
    True
    """
    import zmq
    from traitlets.config import Config

    return Config({"KernelManager": {"transport_encryption": "auto" if zmq.has("curve") else "disabled"}})


INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@contextmanager
def inline_figures() -> Iterator[None]:
    """Kernels started inside this block draw figures into the notebook, as in JupyterLab.

    ipykernel only chooses its inline backend when ``MPLBACKEND`` is unset; an inherited ``MPLBACKEND=Agg``
    (common on servers and CI) would silently leave every chart out of the notebook and the report.

    >>> with inline_figures():
    ...     os.environ["MPLBACKEND"] == INLINE_BACKEND
    True
    """
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = INLINE_BACKEND
    try:
        yield
    finally:
        if before is None:
            del os.environ["MPLBACKEND"]
        else:
            os.environ["MPLBACKEND"] = before


def _optional(path: str | Path | None) -> str:
    return "" if path is None else str(Path(path).resolve())
