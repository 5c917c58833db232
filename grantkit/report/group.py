"""A group of municipalities side by side: national workbooks and a list of entities in, one folder out.

``grantkit report --level 市町村 --entity A --entity B … --year R8 --data …`` (or ``--entities list.txt``) writes
``reports/団体比較_<年度>_<n>団体/`` with 表.xlsx (one summary sheet, then one sheet per view: ranks, trend,
目標, R6 amounts with the national list of municipalities below 案, items to win back, the rules used) and the
trend chart as PNG, through the same writers as the other reports (``report.write_report_tables``,
``report.save_report_figure``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ..eras import era_label, era_label_long
from ..eras import fiscal_year as to_fiscal_year
from ..errors import GrantkitError
from ..group import (
    amount_table,
    group_amounts,
    group_goals,
    group_summary,
    group_trend,
    recover_items,
)
from ..present.overview_tables import overview_excel

AMOUNT_YEAR = 2024


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
        raise GrantkitError(f"{Path(path).name}: 団体の一覧が空です。1行に1団体（団体名・都道府県名＋団体名・保険者番号）を書いてください")
    return names


def group_tables(data: object, entities: Sequence[str], *, year: int | str) -> dict[str, pd.DataFrame | None]:
    """Every sheet of the group workbook (Japanese sheet names → tables with English columns), summary first.

    ``entities`` are names or codes (``MunicipalData.code`` resolves them in ``year``); the same entity twice
    is an error.
    """
    y = to_fiscal_year(year)
    codes = [data.code(e, y) for e in entities]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise GrantkitError(f"同じ団体が2回指定されています（保険者番号 {'、'.join(twice)}）")
    ranks = group_summary(data, codes, fiscal_year=y)
    goals = group_goals(data, codes, fiscal_year=y)
    amounts = amount_table(data, fiscal_year=AMOUNT_YEAR) if AMOUNT_YEAR in data.years else None
    mine = None if amounts is None else group_amounts(amounts, codes)
    recover = recover_items(data, codes, fiscal_year=y)
    summary = ranks[["entity_code", "entity", "prefecture", "first_insured", "size_class", "depopulated", "total",
                     "national_mean", "diff", "rank", "n", "peer_rank", "peer_n", "prefecture_rank",
                     "prefecture_n"]].copy()
    flagged = goals[goals["flag"] != ""]
    flagged = flagged.assign(text=flagged["grant"] + flagged["parent"] + "（" + flagged["flag"] + "）")
    summary["goal_flags"] = summary["entity_code"].map(flagged.groupby("entity_code")["text"].agg("・".join))
    summary["n_recover"] = summary["entity_code"].map(
        recover[recover["rule"] == recover.attrs["rules"][0]].groupby("entity_code").size()).fillna(0).astype("int64")
    if mine is not None:
        for grant in ("推進", "支援"):
            per = mine[mine["grant"] == grant].set_index("entity_code")
            summary[f"final_share_{grant}"] = summary["entity_code"].map(per["final_share"])
            summary[f"final_yen_per_first_insured_{grant}"] = summary["entity_code"].map(
                per["final_yen_per_first_insured"])
        summary.attrs["percent"] = ["final_share_推進", "final_share_支援"]
    rules = pd.DataFrame({"rule": [*recover.attrs["rules"], goals.attrs["rule"],
                                   "順位: 推進・支援合計の高い順（同点は同順位）。全国・同規模（規模区分×過疎。R6 は過疎だけ）・県内の3通り",
                                   ("消化率: R6 確定額 ÷ 交付見込額（案）。1人当たり: 確定額 ÷ 第1号被保険者数。全国の値は"
                                   "Σ確定額 ÷ Σ第1号被保険者数")]})
    return {"概要": summary, "順位と合計": ranks, "推移": group_trend(data, codes), "目標別": goals,
            "R6交付額": mine, "案を下回った市町村（全国）": None if amounts is None else amounts[amounts["below_plan"]],
            "取り戻す指標": recover, "ルール": rules}


def write_group_report(data: object, entities: Sequence[str], *, year: int | str, out: str | Path = "reports",
                       say: Callable[[str], None] | None = None) -> Path:
    """Write the group folder (built in a temporary folder and moved into place); return it."""
    from .render import atomic_directory, safe_join
    from ..plot.group import group_trend_chart
    from .prefecture import save_report_figure, write_report_tables

    say = say or (lambda msg: print(msg, file=sys.stderr))
    y = to_fiscal_year(year)
    tables = group_tables(data, entities, year=y)
    folder = safe_join(Path(out), f"団体比較_{era_label(y)}_{len(tables['概要'])}団体")
    with atomic_directory(folder) as tmp:
        say("[2/3] 表を書き出し中")
        write_report_tables(str(tmp), {name: overview_excel(t) for name, t in tables.items()})
        say("[3/3] 図を作成中")
        fig, _ = group_trend_chart(tables["推移"], source=data.source_note)
        save_report_figure(fig, str(tmp), "01_合計得点の推移")
    say(f"完了: {folder}")
    return folder


def run_group_report(*, entities: Sequence[str], year: int | str, data: Sequence[str | Path],
                     out: str | Path = "reports", progress: Callable[[str], None] | None = None) -> Path:
    """Load the national workbooks and write the group report; return the folder."""
    from .municipal import load_municipal_data

    say = progress or (lambda msg: print(msg, file=sys.stderr))
    say(f"[1/3] 全国の評価結果を読み込み中: {'、'.join(Path(p).name for p in data)}")
    loaded = load_municipal_data([str(Path(p).resolve()) for p in data])
    y = to_fiscal_year(year)
    if y not in loaded.years:
        raise GrantkitError(f"{era_label_long(y)}の評価結果がありません（ある年度: "
                            f"{'、'.join(era_label_long(v) for v in loaded.years)}）")
    return write_group_report(loaded, entities, year=y, out=out, say=say)
