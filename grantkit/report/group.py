"""A group of municipalities side by side: national workbooks and a list of entities in, one folder out.

``grantkit report --level 市町村 --entity A --entity B … --year R8 --data …`` (or ``--entities list.txt``) reads the
workbooks once, builds the report (``build_group_report``) and writes an HTML page, 表.xlsx (one summary sheet,
then one sheet per view: ranks, trend, 目標, R6 amounts with the national list of municipalities below 案, items to
win back, the rules used), the PNG charts and the report's notebook (``templates/group_report.ipynb`` with its parameters) into
``reports/団体比較_<年度>_<names>_<digest>/``. ``group_tables`` assembles the tables.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ..eras import era_label, era_label_long
from ..eras import fiscal_year as to_fiscal_year
from ..errors import GrantkitError
from ..examples import template_path
from ..group import (
    amount_table,
    entity_codes,
    entity_names,
    group_amounts,
    group_goals,
    group_summary,
    group_trend,
    recover_items,
)
from ..municipal import reused_totals

AMOUNT_YEAR = 2024
TEMPLATE = template_path("group_report.ipynb")


def read_entity_list(path: str | Path) -> list[str]:
    """The entities of a list file: one name, 「都道府県名＋団体名」 or 保険者番号 per line; blank lines and lines
    starting with # are skipped; an empty list is an error naming the file."""
    from ..errors import InputFileError
    from ..io.files import read_text

    if not Path(path).is_file():
        raise InputFileError(path, "団体の一覧のファイルが見つかりません")
    text, _ = read_text(Path(path))
    lines = [line.strip() for line in text.splitlines()]
    names = [line for line in lines if line and not line.startswith("#")]
    if not names:
        raise GrantkitError(
            f"{Path(path).name}: 団体の一覧が空です。1行に1団体（団体名・都道府県名＋団体名・保険者番号）を書いてください"
        )
    return names


def check_entities(data: object, entities: Sequence[str], *, year: int | str) -> list[str]:
    """The 保険者番号 of the entities (names or codes) in ``year``; the same entity twice is an error."""
    codes = entity_codes(data, entities, fiscal_year=to_fiscal_year(year))
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise GrantkitError(f"同じ団体が2回指定されています（保険者番号 {'、'.join(twice)}）")
    return codes


def group_tables(data: object, entities: Sequence[str], *, year: int | str) -> dict[str, pd.DataFrame | None]:
    """Every sheet of the group workbook (Japanese sheet names → tables with English columns), summary first.

    Parameters
    ----------
    data : MunicipalData
        From ``load_municipal_data`` (earlier years add the trend).
    entities : sequence of str
        Names or 保険者番号, resolved in ``year`` by ``MunicipalData.code``; the same entity twice is an error.
    year : int or str
        The 交付年度 compared.

    Returns
    -------
    dict of str to DataFrame or None
        Sheet name → table, 「概要」 first; None for a view the data cannot give (e.g. no R6 交付額).

    >>> import grantkit as gk
    >>> d = gk.load_municipal_data([gk.example_path("mhlw_sample_R6.xlsx"), gk.example_path("mhlw_sample_R7.xlsx")])
    >>> tables = group_tables(d, ["つばきの森市", "020011"], year="R7")
    >>> list(tables)[:3], len(tables["概要"])
    (['概要', '順位と合計', '推移'], 2)
    """
    with reused_totals():  # every view asks the same years' totals
        return _group_tables(data, entities, year=year)


def _group_tables(data: object, entities: Sequence[str], *, year: int | str) -> dict[str, pd.DataFrame | None]:
    y = to_fiscal_year(year)
    codes = check_entities(data, entities, year=y)
    ranks = group_summary(data, codes, fiscal_year=y)
    goals = group_goals(data, codes, fiscal_year=y)
    amounts = amount_table(data, fiscal_year=AMOUNT_YEAR) if AMOUNT_YEAR in data.years else None
    mine = None if amounts is None else group_amounts(amounts, codes)
    recover = recover_items(data, codes, fiscal_year=y)
    summary = ranks[
        [
            "entity_code",
            "entity",
            "prefecture",
            "first_insured",
            "size_class",
            "depopulated",
            "total",
            "national_mean",
            "diff",
            "rank",
            "n",
            "peer_rank",
            "peer_n",
            "prefecture_rank",
            "prefecture_n",
        ]
    ].copy()
    flagged = goals[goals["flag"] != ""]
    flagged = flagged.assign(text=flagged["grant"] + flagged["parent"] + "（" + flagged["flag"] + "）")
    summary["goal_flags"] = summary["entity_code"].map(flagged.groupby("entity_code")["text"].agg("・".join))
    summary["n_recover"] = (
        summary["entity_code"]
        .map(recover[recover["rule"] == recover.attrs["rules"][0]].groupby("entity_code").size())
        .fillna(0)
        .astype("int64")
    )
    if mine is not None:
        for grant in ("推進", "支援"):
            per = mine[mine["grant"] == grant].set_index("entity_code")
            summary[f"final_share_{grant}"] = summary["entity_code"].map(per["final_share"])
            summary[f"final_yen_per_first_insured_{grant}"] = summary["entity_code"].map(
                per["final_yen_per_first_insured"]
            )
        summary.attrs["percent"] = ["final_share_推進", "final_share_支援"]
    rules = pd.DataFrame(
        {
            "rule": [
                *recover.attrs["rules"],
                goals.attrs["rule"],
                "順位: 推進・支援合計の高い順（同点は同順位）。全国・同規模（規模区分×過疎。R6 は過疎だけ）・県内の3通り",
                (
                    "消化率: R6 確定額 ÷ 交付見込額（案）。1人当たり: 確定額 ÷ 第1号被保険者数。全国の値は"
                    "Σ確定額 ÷ Σ第1号被保険者数"
                ),
            ]
        }
    )
    return {
        "概要": summary,
        "順位と合計": ranks,
        "推移": group_trend(data, codes),
        "目標別": goals,
        "R6交付額": mine,
        "案を下回った市町村（全国）": None if amounts is None else amounts[amounts["below_plan"]],
        "取り戻す指標": recover,
        "ルール": rules,
    }


def group_folder_name(codes: Sequence[str], names: Sequence[str], *, year: int | str) -> str:
    """The group's folder name: 年度, the first two names, how many, and a digest of the sorted 保険者番号, so
    that two different groups never share a folder and the same group in any order always gets the same one.

    >>> group_folder_name(["010001", "010002", "010003"], ["甲市", "乙町", "丙村"], year="R7")
    '団体比較_R7_甲市・乙町ほか1団体_a36ca6cb'
    >>> group_folder_name(["010003", "010002", "010001"], ["丙村", "乙町", "甲市"], year="R7")[-8:]
    'a36ca6cb'
    """
    rest = f"ほか{len(codes) - 2}団体" if len(codes) > 2 else ""
    digest = hashlib.sha256(",".join(sorted(set(codes))).encode()).hexdigest()[:8]
    return f"団体比較_{era_label(to_fiscal_year(year))}_{'・'.join(names[:2])}{rest}_{digest}"


def run_group_report(
    *,
    entities: Sequence[str],
    year: int | str,
    data: Sequence[str | Path],
    out: str | Path = "reports",
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the report comparing several municipalities in one 交付年度 (HTML, Excel, PNG and its notebook).

    Parameters
    ----------
    entities : sequence of str
        The municipalities (names, 「都道府県名＋団体名」 or 保険者番号), each once.
    year : int or str
        The 交付年度.
    data : sequence of str or Path
        The national result workbooks, one per 交付年度.
    out : str or Path
        The folder the report folder is written into.
    progress : callable, optional
        Receives the progress lines (default: printed on stderr).

    Returns
    -------
    Path
        The report folder (``group_folder_name``), written atomically; each workbook is read once.

    >>> from grantkit.examples import example_path
    >>> run_group_report(entities=["つばきの森市", "架空町"], year="R7", data=[example_path("mhlw_sample_R7.xlsx")],
    ...                  progress=lambda msg: None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    grantkit.errors.UnknownSelectionError: ...
    """
    from .execution import build_and_write
    from .group_sections import build_group_report
    from .municipal import load_municipal_data
    from .render import report_folder

    say = progress or (lambda msg: print(msg, file=sys.stderr))
    paths = [str(Path(p).resolve()) for p in data]
    say(f"[1/4] 全国の評価結果を読み込み中: {'、'.join(Path(p).name for p in paths)}")
    loaded = load_municipal_data(paths)
    y = to_fiscal_year(year)
    if y not in loaded.years:
        raise GrantkitError(
            f"{era_label_long(y)}の評価結果がありません（ある年度: "
            f"{'、'.join(era_label_long(v) for v in loaded.years)}）"
        )
    codes = check_entities(loaded, entities, year=y)
    names, _ = entity_names(loaded, codes, fiscal_year=y)
    params = {"ENTITIES": list(entities), "YEAR": era_label(y), "DATA": paths, "OUTPUT_DIR": "."}
    folder = report_folder(out, group_folder_name(codes, names, year=y))
    return build_and_write(lambda: build_group_report(loaded, entities, year=y), folder, TEMPLATE, params, say)
