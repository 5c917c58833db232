"""A first look at a national workbook, in Japanese: what was read where and what was checked (``grantkit inspect``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ...eras import era_label_long
from ...errors import GrantkitError, ValidationError
from .layout import HEADINGS_FILE, layout
from .load import MhlwResult, read_mhlw

_KINDS = {
    "group": "指標群の小計",
    "goal": "目標の小計",
    "grant": "交付金の合計",
    "total": "推進・支援合計",
    "rank": "順位",
}


def describe(result: MhlwResult) -> str:
    """The summary ``grantkit inspect`` prints for one loaded workbook.

    >>> import tempfile, pathlib
    >>> from grantkit.testing import national_workbook
    >>> p = national_workbook(pathlib.Path(tempfile.mkdtemp()) / "r7.xlsx", "R7", "市町村", n_municipalities=50)
    >>> print(describe(read_mhlw(p)).splitlines()[1])
    交付年度: 令和7年度（様式: grantkit/io/layouts/mhlw_headings.csv の 2025 列）
    """
    rep, cols = result.report, result.columns
    depth = layout(result.layout).depth
    lines = [
        f"■ {rep.source}",
        f"交付年度: {era_label_long(result.layout)}（様式: {HEADINGS_FILE} の {result.layout} 列）",
        f"シート: {rep.sheet}",
        (
            f"見出しの行: {result.header_row}〜{result.header_row + depth - 1}行目（{depth} 行）、"
            f"最初のデータ行: {result.first_data_row}行目"
        ),
        "左側の列（見出し → 読み方）:",
    ]
    lead = cols[cols["kind"].isin(["lead", "extra"])]
    lines += [f"  {c}列「{h}」→ {a}" for c, h, a in zip(lead["sheet_column"], lead["heading"], lead["read_as"])]
    leaves = cols[cols["kind"] == "leaf"]
    lines.append(f"得点の列（交付金 × 目標 × 指標群: 明細の列数）: 計 {len(leaves)} 列")
    for (grant, goal, group), n in Counter(zip(leaves["grant"], leaves["goal"], leaves["group"])).items():
        lines.append(f"  {grant} {goal} {group or '（指標群なし）'}: {n}")
    lines.append("目標の名前（交付金ごと）:")
    names = dict.fromkeys(zip(leaves["grant"], leaves["goal_name"]))
    lines += [f"  {grant} {name}" for grant, name in names]
    subs = cols[cols["kind"].isin(list(_KINDS))]
    counts = Counter(subs["kind"])
    lines.append("小計・合計の列: " + "、".join(f"{_KINDS[k]} {counts[k]}" for k in _KINDS if counts[k]))
    lines += [
        f"  {c}列 {a}" + (f"（{g}）" if g else "")
        for c, a, g in zip(subs["sheet_column"], subs["read_as"], subs["grant"])
    ]
    lines.append(f"択一（いずれか高い方を数える項目）: {len(result.alternatives) or 'なし'}")
    lines += [f"  {a}" for a in result.alternatives]
    lines.append(f"行: 読込 {rep.rows_read} = 採用 {rep.rows_kept} + 除外 {len(rep.exclusions)}")
    lines += [f"  除外 {n} 行: {reason}" for reason, n in Counter(p.message for p in rep.exclusions).items()]
    if len(rep.coerced):
        lines.append(f"  欠損（空欄・「－」）として読んだセル: {len(rep.coerced)} 個")
    lines.append(f"計算に使う行: {result.row_set}")
    lines.append("確かめたこと:")
    lines += [f"  ✓ {c}" for c in result.checks]
    said = (result.row_set, "択一（いずれか高い方）", "様式にない左側の列")
    lines += [f"  注: {n}" for n in rep.notes if not n.startswith(said) and n not in result.checks]
    extras = cols[cols["kind"] == "extra"]
    if len(extras):
        lines.append(
            "様式にない左側の列は追加の属性（extras）として保持しました: "
            + "、".join(f"「{h}」" for h in extras["heading"])
        )
    return "\n".join(lines)


def inspect_files(paths: list[str | Path]) -> tuple[str, list[str]]:
    """Describe every file; returns (summaries, errors), an error being one file's full message.

    >>> inspect_files(["no-such-file.xlsx"])[1][0].splitlines()[0]
    'no-such-file.xlsx: 読めませんでした'
    """
    out, errors = [], []
    for p in paths:
        try:
            out.append(describe(read_mhlw(p)))
        except (GrantkitError, ValidationError) as exc:
            errors.append(f"{Path(p).name}: 読めませんでした\n{exc}")
    return "\n\n".join(out), errors
