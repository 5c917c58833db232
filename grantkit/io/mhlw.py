"""Reading the MHLW national result workbooks (「全国集計（市町村）」「全国集計（都道府県）」).

The year is read from the title row; the headings of that year come from ``layouts/mhlw.csv`` (one
column per 交付年度). The header block is found by its headings (通し番号 …), not by fixed rows; merged
cells are forward-filled left to right with lower levels reset when a higher level changes; subtotal
columns are recognised by their raw heading (目標Ⅰ合計, 推進合計, 推進・支援合計), and the leading 前年度得点 /
前年度順位 columns are kept apart from this year's 合計 / 順位 (the last columns). Rows without a numeric
total (広域連合・一部事務組合) are excluded and listed with the reason.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..eras import fiscal_year as to_fiscal_year
from ..errors import GrantkitError, InputFileError, Problem, ValidationError
from ..provenance import LoadReport
from ..text import normalize_text
from .files import sha256
from .workbook import read_sheet, sheet_names

LEADING = ["serial_no", "prefecture_code", "insurer_code", "prefecture", "entity", "population", "first_insured",
           "size_class", "depopulated", "prev_total", "prev_rank"]
STATS = {"stat_max": "max_score", "stat_sum": "national_sum", "stat_mean": "mean", "stat_item_mean": "item_mean",
         "stat_mean_rate": "mean_rate", "stat_median": "median", "stat_std": "std", "stat_n": "n_applicable",
         "stat_rate": "applicable_rate"}
GROUPS = {normalize_text(k): v for k, v in
          {"（ⅰ）体制・取組指標群": ("体制・取組", "(ⅰ)"), "（ⅱ）活動指標群": ("活動", "(ⅱ)"), "成果指標群": ("成果", "")}.items()}
_GOAL_CODE = re.compile(r"^(目標[ⅠⅡⅢⅣⅤ]|\(\d+\))")
_TITLE_YEAR = re.compile(r"(令和|平成)(元|\d{1,2})年度")


def layout(year: int) -> dict[str, str]:
    """Headings of one 交付年度 (canonical name → heading as printed, "" where the year lacks it)."""
    text = resources.files("grantkit.io.layouts").joinpath("mhlw.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    if str(year) not in rows[0]:
        years = [c for c in rows[0] if c != "canonical"]
        raise GrantkitError(f"{year}年度の全国集計の様式は未対応です（対応: {', '.join(years)}）。"
                            "io/layouts/mhlw.csv に列を追加してください")
    return {r["canonical"]: r[str(year)] for r in rows}


@dataclass
class MhlwResult:
    """A national workbook read into tidy tables, with the account of what was read."""

    scores: pd.DataFrame
    attributes: pd.DataFrame
    statistics: pd.DataFrame
    amounts: pd.DataFrame | None
    report: LoadReport
    fiscal_year: int
    level: str
    row_set: str = ""
    sha256: str = ""
    checks: list[str] = field(default_factory=list)


def load_mhlw(path: str | Path, *, level: str = "市町村") -> MhlwResult:
    """Read one sheet (``level`` "市町村" or "都道府県") of a national result workbook.

    >>> import tempfile, pathlib
    >>> from grantkit.synthetic import national_workbook
    >>> p = national_workbook(pathlib.Path(tempfile.mkdtemp()) / "r7.xlsx", "R7", n_municipalities=60)
    >>> r = load_mhlw(p)
    >>> r.fiscal_year, r.report.rows_read, r.report.rows_kept, len(r.report.exclusions)
    (2025, 63, 60, 3)
    """
    path = Path(path)
    names = sheet_names(path)
    first = read_sheet(path, names[0])
    year = _title_year(first, path)
    lay = layout(year)
    sheet = lay["sheet_municipal" if level == "市町村" else "sheet_prefecture"]
    if sheet not in names:
        raise InputFileError(path, f"シート「{sheet}」がありません（あるシート: {'、'.join(names)}）")
    rows = first if sheet == names[0] else read_sheet(path, sheet)
    return _parse(rows, path, sheet, year, lay, level)


def _title_year(rows: list[list[object]], path: Path) -> int:
    for row in rows[:3]:
        for v in row:
            m = _TITLE_YEAR.search(normalize_text(v)) if isinstance(v, str) else None
            if m:
                return to_fiscal_year(m.group(0))
    raise InputFileError(path, "表題の行に「令和N年度」が見つかりません（全国集計の様式ではないようです）")


def _text(v: object) -> str:
    return "" if v is None else normalize_text(v)


def _parse(rows, path: Path, sheet: str, year: int, lay: dict[str, str], level: str) -> MhlwResult:
    report = LoadReport(source=path.name, sheet=sheet, sha256=sha256(path))
    want_serial = normalize_text(lay["serial_no"])
    h = next((i for i, r in enumerate(rows[:30]) if any(_text(v) == want_serial for v in r)), None)
    if h is None:
        raise InputFileError(path, f"シート「{sheet}」に見出し「{lay['serial_no']}」が見つかりません")
    head = [[_text(v) for v in r] for r in rows[h:h + 7]]
    lead_keys = [k for k in LEADING if lay[k] and (level == "市町村" or k not in ("insurer_code", "entity", "size_class",
                                                                                 "depopulated"))]
    lead = {}
    for k in lead_keys:
        heading = normalize_text(lay[k])
        if heading not in head[0]:
            raise InputFileError(path, f"シート「{sheet}」に見出し「{lay[k]}」がありません（{year}年度の様式）")
        lead[k] = head[0].index(heading)
    start = max(lead.values()) + 1
    unknown = [c for c in head[0][:start] if c and c not in {normalize_text(lay[k]) for k in lead}]
    if unknown:
        raise InputFileError(path, f"シート「{sheet}」に様式にない見出し「{'」「'.join(unknown)}」があります（{year}年度）")
    cols = _classify(head, start, lay, path, sheet)
    stat_labels = {normalize_text(lay[k]): k for k in STATS}
    label_cols = [lead[k] for k in ("entity", "prefecture", "serial_no") if k in lead]
    stat_rows, first_data = {}, None
    for i in range(h + 7, len(rows)):
        labels = {_text(rows[i][c]) for c in label_cols}
        hit = labels & set(stat_labels)
        if hit:
            stat_rows[stat_labels[hit.pop()]] = i
        elif isinstance(rows[i][lead["serial_no"]], (int, float)):
            first_data = i
            break
    if first_data is None:
        raise InputFileError(path, f"シート「{sheet}」にデータ行（通し番号のある行）が見つかりません")
    body = rows[first_data:]
    body = [r for r in body if any(v is not None for v in r)]
    report.rows_read = len(body)
    total_col = cols["total"]
    kept, excluded = [], []
    for k, r in enumerate(body):
        if isinstance(r[total_col], (int, float)):
            kept.append(r)
        else:
            name = _text(r[lead.get("entity", lead["prefecture"])])
            report.exclusions.append(Problem("合計の得点がない行（広域連合・一部事務組合など。構成市町村が得点を持つ）",
                                             path.name, sheet, first_data + k + 1, lay["total"], name))
    report.rows_kept = len(kept)
    report.check()
    return _tidy(kept, cols, lead, stat_rows, rows, path, sheet, year, lay, level, report)


def _classify(head, start, lay, path, sheet) -> dict:
    """Forward-fill the header block and sort columns into items, subtotals, totals and amounts."""
    n = len(head[0])
    grant_names = {normalize_text(lay[f"grant_{g}"]): g for g in ("推進", "支援")}
    grant_totals = {normalize_text(lay[f"grant_total_{g}"]): g for g in ("推進", "支援")}
    amount_heads = {normalize_text(lay[k]): k for k in ("amount_plan", "amount_final") if lay[k]}
    out: dict = {"items": [], "goal_totals": {}, "grant_totals": {}, "amounts": {}}
    grant = goal = group = item = name = ""
    for j in range(start, n):
        top, g2, g3, g4, g5, g6 = (head[r][j] for r in range(6))
        if top == normalize_text(lay["total"]):
            out["total"] = j
        elif top == normalize_text(lay["rank"]):
            out["rank"] = j
        elif top in amount_heads or (not top and g2 in ("推進", "支援") and out["amounts"]):
            kind = amount_heads.get(top) or out["_amount_kind"]
            out["_amount_kind"] = kind
            out["amounts"][(kind, g2)] = j
        elif top:
            if top not in grant_names:
                raise InputFileError(path, f"シート「{sheet}」の見出し「{top}」は様式にありません（交付金名の行）")
            grant, goal, group, item, name = grant_names[top], "", "", "", ""
            if g2:
                goal, group, item, name = g2, g3, g4, g5
            out["items"].append((j, grant, goal, group, item, name, g6))
        elif g2 in grant_totals:
            out["grant_totals"][grant_totals[g2]] = j
        elif g2.endswith(normalize_text(lay["goal_total_suffix"])) and not g6:
            out["goal_totals"][(grant, g2.removesuffix(normalize_text(lay["goal_total_suffix"])))] = j
        else:
            if g2:
                goal, group, item, name = g2, "", "", ""
            if g3:
                group, item, name = g3, "", ""
            if g4:
                item, name = g4, ""
            if g5:
                name = g5
            if not g6:
                raise InputFileError(path, f"シート「{sheet}」の{j + 1}列目に枝番がありません（得点の列として読めません）")
            out["items"].append((j, grant, goal, group, item, name, g6))
    for key in ("total", "rank"):
        if key not in out:
            raise InputFileError(path, f"シート「{sheet}」に見出し「{lay[key]}」がありません")
    out.pop("_amount_kind", None)
    return out


def _num(rows, cols_idx) -> np.ndarray:
    arr = np.full((len(rows), len(cols_idx)), np.nan)
    for i, r in enumerate(rows):
        for k, j in enumerate(cols_idx):
            v = r[j]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                arr[i, k] = v
    return arr


def _tidy(kept, cols, lead, stat_rows, rows, path, sheet, year, lay, level, report) -> MhlwResult:
    items = cols["items"]
    idx = [j for j, *_ in items]
    scores = _num(kept, idx)
    stats = {STATS[k]: _num([rows[i]], idx)[0] for k, i in stat_rows.items()}
    if "max_score" not in stats:
        raise InputFileError(path, f"シート「{sheet}」に統計行「{lay['stat_max']}」がありません")
    max_score = stats["max_score"]
    meta = pd.DataFrame([{"grant": g, "goal": goal, "group": grp, "item": it, "indicator_name": nm, "branch": br}
                         for _, g, goal, grp, it, nm, br in items])
    meta["parent"] = meta["goal"].map(lambda g: m.group(1) if (m := _GOAL_CODE.match(g)) else g)
    meta["group_code"] = meta["group"].map(lambda s: GROUPS.get(s, ("", ""))[0])
    meta["indicator"] = meta["parent"] + meta["group"].map(lambda s: GROUPS.get(s, ("", ""))[1]) + meta["item"] + meta["branch"]
    problems = []
    bad = np.argwhere(np.isnan(scores))
    for i, k in bad[:50]:
        problems.append(Problem("得点が数値ではありません", path.name, sheet, None, f"{idx[k] + 1}列目"))
    over = np.argwhere(scores > max_score[None, :] + 1e-9)
    for i, k in over[:50]:
        problems.append(Problem(f"得点 {scores[i, k]:g} が配点 {max_score[k]:g} を超えています", path.name, sheet, None,
                                meta["indicator"][k]))
    checks = _check_subtotals(scores, meta, kept, cols, path, sheet, problems, lay)
    if problems:
        raise ValidationError(path.name, problems)
    attrs = _attributes(kept, lead, cols, level)
    n_ent, n_item = scores.shape
    code = np.repeat(attrs["entity_code"].to_numpy(), n_item)
    tidy = pd.DataFrame({
        "fiscal_year": np.full(n_ent * n_item, year, dtype="int64"),
        "level": level,
        "grant": np.tile(meta["grant"].to_numpy(), n_ent),
        "entity_code": code,
        "entity": np.repeat(attrs["entity"].to_numpy(), n_item),
        "indicator": np.tile(meta["indicator"].to_numpy(), n_ent),
        "indicator_name": np.tile(meta["indicator_name"].to_numpy(), n_ent),
        "parent": np.tile(meta["parent"].to_numpy(), n_ent),
        "score": scores.reshape(-1),
        "max_score": np.tile(max_score, n_ent),
        "parent_name": np.tile(meta["goal"].to_numpy(), n_ent),
        "group": np.tile(meta["group_code"].to_numpy(), n_ent),
        "group_name": np.tile(meta["group"].to_numpy(), n_ent),
    })
    statistics = meta[["grant", "parent", "group_code", "indicator", "indicator_name"]].rename(
        columns={"group_code": "group"}).assign(**stats)
    statistics.insert(0, "fiscal_year", year)
    statistics["recomputed_mean"] = scores.mean(axis=0)
    if "mean" in statistics:
        diff = np.nanmax(np.abs(statistics["recomputed_mean"] - statistics["mean"]))
        checks.append(f"平均点の再計算: 得点のある {n_ent} 団体で計算した平均と統計行の平均点の差は最大 {diff:.6f} 点")
    amounts = None
    if cols["amounts"]:
        amounts = attrs[["entity_code", "entity"]].copy()
        for (kind, grant), j in cols["amounts"].items():
            amounts[f"{'plan' if kind == 'amount_plan' else 'final'}_{grant}_thousand_yen"] = _num(kept, [j])[:, 0]
    row_set = (f"合計の得点がある {n_ent} 行（除外 {len(report.exclusions)} 行: 広域連合・一部事務組合など）。"
               "平均・順位・分布はこの行の集合で計算")
    return MhlwResult(tidy, attrs, statistics, amounts, report, year, level, row_set, report.sha256 or "", checks)


def _check_subtotals(scores, meta, kept, cols, path, sheet, problems, lay) -> list[str]:
    """Published subtotals must equal the leaves; 目標Ⅳ of 支援 must equal 目標Ⅳ of 推進 (one block, counted in both)."""
    checks = []
    for (grant, goal), j in cols["goal_totals"].items():
        goal = m.group(1) if (m := _GOAL_CODE.match(goal)) else goal
        mask = ((meta["grant"] == grant) & (meta["parent"] == goal)).to_numpy()
        _compare(scores[:, mask].sum(axis=1), _num(kept, [j])[:, 0], f"{goal}合計（{grant}）", path, sheet, problems)
    for grant, j in cols["grant_totals"].items():
        mask = (meta["grant"] == grant).to_numpy()
        _compare(scores[:, mask].sum(axis=1), _num(kept, [j])[:, 0], lay[f"grant_total_{grant}"], path, sheet, problems)
    _compare(scores.sum(axis=1), _num(kept, [cols["total"]])[:, 0], lay["total"], path, sheet, problems)
    shared = lay["shared_goal"]
    if shared:
        a = scores[:, ((meta["grant"] == "推進") & (meta["parent"] == shared)).to_numpy()]
        b = scores[:, ((meta["grant"] == "支援") & (meta["parent"] == shared)).to_numpy()]
        if a.shape != b.shape or not np.allclose(a, b):
            problems.append(Problem(f"{shared} の得点が推進と支援で一致しません（同じ指標が両方に計上されるはずです）",
                                    path.name, sheet))
        checks.append(f"{shared}: 支援の列は推進の列と同一（明細の合計では1回だけ数え、各交付金の合計にそれぞれ計上）")
    checks.append("公表の小計・合計はすべて明細の合計と一致")
    return checks


def _compare(recomputed, published, label, path, sheet, problems) -> None:
    off = np.flatnonzero(np.abs(recomputed - published) > 0.01)
    for i in off[:20]:
        problems.append(Problem(f"公表の「{label}」{published[i]:g} が明細の合計 {recomputed[i]:g} と一致しません",
                                path.name, sheet, None, label))


def _attributes(kept, lead, cols, level) -> pd.DataFrame:
    def col(key, kind=str):
        if key not in lead:
            return [None] * len(kept)
        vals = [r[lead[key]] for r in kept]
        if kind is str:
            return [None if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else _text(v))
                    for v in vals]
        return [float(v) if isinstance(v, (int, float)) else np.nan for v in vals]

    pref_code = [None if c is None else c.zfill(2) for c in col("prefecture_code")]
    if level == "市町村":
        code = [c.zfill(6) for c in col("insurer_code")]
        name = col("entity")
    else:
        code, name = pref_code, col("prefecture")
    out = pd.DataFrame({"entity_code": code, "entity": name, "prefecture_code": pref_code,
                        "prefecture": col("prefecture"), "population": col("population", float),
                        "first_insured": col("first_insured", float), "size_class": col("size_class"),
                        "depopulated": col("depopulated"), "prev_total": col("prev_total", float),
                        "prev_rank": col("prev_rank", float), "total": _num(kept, [cols["total"]])[:, 0],
                        "rank": _num(kept, [cols["rank"]])[:, 0]})
    for c in ("entity_code", "entity", "prefecture_code", "prefecture", "size_class", "depopulated"):
        out[c] = out[c].astype("str") if out[c].notna().all() else out[c].astype("string")
    return out
