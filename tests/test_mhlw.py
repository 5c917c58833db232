"""load_mhlw on small workbooks written cell by cell here, so each case shows the layout it reads.

The hand-made sheet follows domain.md §5 (R7 = 令和7年度 layout): title row, 7 header rows (交付金名 /
目標 / 指標群 / 指標番号 / 指標名 / 枝番 / 細目) with merged cells, statistics rows, then data rows. Expected
values are written out by hand next to the cells they come from.
"""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest
import xlsxwriter

from grantkit import load_mhlw
from grantkit.errors import InputFileError, ValidationError
from grantkit.labels import with_labels
from grantkit.present.format import readable
from grantkit.testing.synthetic import national_workbook

SUISHIN, SHIEN = "保険者機能強化推進交付金", "介護保険保険者努力支援交付金"
G1 = "目標Ⅰ 持続可能な地域のあるべき姿をかたちにする"
G2 = "目標Ⅱ 公正・公平な給付を行う体制を構築する"
G4 = "目標Ⅳ 高齢者がその状態に応じて可能な限り自立した日常生活を営む"
LEAD = [
    "通し番号",
    "都道府県番号",
    "保険者番号",
    "都道府県名",
    "市町村名",
    "人口",
    "第1号被保険者数",
    "規模区分",
    "過疎地域",
    "前年度得点",
    "前年度順位",
]

# Score columns: (grant, goal, group, item, name, branch, sub) with merged spans written where they start.
# 推進: 目標Ⅰ (ⅰ) 1 ア (配点 4), 1 イ① (2), 1 イ② (2); 目標Ⅳ 1 (10); 支援: 目標Ⅱ (ⅱ) 3 (6); 目標Ⅳ 1 (10).
HEADER = {  # column offset after the leading columns → cells of the 7 header rows (None = empty / merged)
    0: [SUISHIN, G1, "（ⅰ）体制・取組指標群", "1", "相談体制", "ア", None],
    1: [None, None, None, None, None, "イ", "①"],
    2: [None, None, None, None, None, None, "②"],
    3: [None, "目標Ⅰ合計", None, None, None, None, None],
    4: [None, G4, "成果指標群", "1", "要介護度の維持", None, None],
    5: [None, "目標Ⅳ合計", None, None, None, None, None],
    6: [None, "推進合計", None, None, None, None, None],
    7: [SHIEN, G2, "（ⅱ）活動指標群", "3", "ケアプラン点検", None, None],
    8: [None, "目標Ⅱ合計", None, None, None, None, None],
    9: [None, G4, "成果指標群", "1", "要介護度の維持", None, None],
    10: [None, "目標Ⅳ合計", None, None, None, None, None],
    11: [None, "支援合計", None, None, None, None, None],
    12: ["推進・支援合計", None, None, None, None, None, None],
    13: ["順位", None, None, None, None, None, None],
}
MAXIMA = [4, 2, 2, 8, 10, 10, 18, 6, 6, 10, 10, 16, 34]  # 推進 8+10, 支援 6+10, both 18+16 (目標Ⅳ in each)
# Leaves: ア, イ①, イ②, Ⅳ1 (推進), Ⅱ3, Ⅳ1 (支援); subtotals follow the leaves they sum.
ENTITIES = [
    # leading: serial, pref, code, pref name, name, pop, first insured, size, 過疎, 前年度得点, 前年度順位
    ([1, 1, 11002, "北海道", "甲町", 12000, 4000, "人口1万人以上5万人未満", "非過疎", 999, 1], [4, 2, 0, 10, 6, 10]),
    ([2, 1, 11010, "北海道", "乙村", 3000, 1200, "人口1万人未満", "全部過疎", 998, 2], [0, 2, 2, 5, 0, 5]),
    (
        [3, 35, 352012, "山口県", "甲町", 52000, 15000, "人口5万人以上10万人未満", "一部過疎", 997, 3],
        [4, 0, 2, 0, 6, 0],
    ),
]


def totals(leaves: list[float]) -> list[float]:
    """The subtotal cells of one row, by hand: 目標Ⅰ = ア+イ①+イ②, 推進 = 目標Ⅰ+目標Ⅳ, 支援 = 目標Ⅱ+目標Ⅳ."""
    a, b1, b2, iv, ii, iv2 = leaves
    g1, g2 = a + b1 + b2, ii
    return [a, b1, b2, g1, iv, iv, g1 + iv, ii, g2, iv2, iv2, g2 + iv2, g1 + iv + g2 + iv2]


def ranks() -> list[int]:
    grand = [totals(s)[-1] for _, s in ENTITIES]  # 32, 14, 12
    return [1 + sum(g > x for g in grand) for x in grand]


def build(
    path,
    *,
    title="令和7年度 保険者機能強化推進交付金・介護保険保険者努力支援交付金 評価結果（市町村分）",
    header=None,
    lead=None,
    stats=("配点", "平均点"),
    entities=None,
    union=True,
    header_rows=7,
    sheet="全国集計（市町村）",
    extra_sheet=None,
    cell=None,
    mean_shift=0.0,
    maxima=None,
):
    """Write a national sheet; ``cell`` = {(data row k, column offset): value} overrides one data cell,
    ``maxima`` the 配点 row (default MAXIMA)."""
    header = header or HEADER
    lead = lead or LEAD
    entities = entities or ENTITIES
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    ws.write(0, 0, title)
    n_lead = len(lead)
    for j, h in enumerate(lead):
        ws.merge_range(1, j, header_rows, j, h)
    for off, cells in header.items():
        for r, v in enumerate(cells[:header_rows]):
            if v is not None:
                ws.write(1 + r, n_lead + off, v)
    ws.merge_range(1, n_lead, 1, n_lead + 6, SUISHIN)  # 交付金名 spans its columns (top-left keeps the text)
    row = 1 + header_rows
    for s in stats:
        ws.write(row, lead.index("市町村名"), s)
        if s == "配点":
            values = maxima or MAXIMA
        else:  # 平均点 over the three scored rows, by hand from ENTITIES
            values = list(np.mean([totals(sc) for _, sc in entities], axis=0) + mean_shift)
        for k, v in enumerate(values):
            ws.write(row, n_lead + k, v)
        row += 1
    rk = ranks()
    for k, (lead_values, scores) in enumerate(entities):
        for j, v in enumerate(lead_values):
            ws.write(row, j, v)
        for m, v in enumerate(totals(scores) + [rk[k]]):
            ws.write(row, n_lead + m, (cell or {}).get((k, m), v))
        row += 1
    if union:
        for j, v in enumerate([4, 1, 11900, "北海道", "みどり地区介護保険広域連合"]):
            ws.write(row, j, v)
    if extra_sheet:
        wb.add_worksheet(extra_sheet).write(0, 0, "メモ")
    wb.close()
    return path


@pytest.fixture
def book(tmp_path):
    return build(tmp_path / "r7.xlsx")


def test_header_forward_fill_and_codes(book):
    r = load_mhlw(book)
    one = r.scores[r.scores["entity_code"] == "011002"]
    assert one["indicator"].tolist() == ["Ⅰ(ⅰ)1ア", "Ⅰ(ⅰ)1イ①", "Ⅰ(ⅰ)1イ②", "Ⅳ1", "Ⅱ(ⅱ)3", "Ⅳ1"]
    assert one["grant"].tolist() == ["推進"] * 4 + ["支援"] * 2
    assert one["parent"].tolist() == ["目標Ⅰ"] * 3 + ["目標Ⅳ", "目標Ⅱ", "目標Ⅳ"]
    assert one["group"].tolist() == ["体制・取組"] * 3 + ["成果", "活動", "成果"]
    assert one["indicator_name"].tolist() == ["相談体制"] * 3 + ["要介護度の維持", "ケアプラン点検", "要介護度の維持"]
    assert one["score"].tolist() == [4, 2, 0, 10, 6, 10]
    assert one["max_score"].tolist() == [4, 2, 2, 10, 6, 10]
    assert r.layout == 2025 and r.level == "市町村"


def test_codes_keep_leading_zeros_and_this_years_total(book):
    a = load_mhlw(book).attributes.set_index("entity_code")
    assert list(a.index) == ["011002", "011010", "352012"]  # 11002 printed as a number → "011002"
    assert a["prefecture_code"].tolist() == ["01", "01", "35"]
    # trap: 前年度得点 999/998/997 are last year's; this year's 合計 and 順位 are the last columns
    assert a["prev_total"].tolist() == [999, 998, 997]
    # 推進・支援合計 = all six leaves (目標Ⅳ in both grants): 4+2+0+10+6+10, 0+2+2+5+0+5, 4+0+2+0+6+0
    assert a["total"].tolist() == [32, 14, 12]
    assert a["rank"].tolist() == [1, 2, 3]
    assert a["score_推進"].tolist() == [totals(s)[6] for _, s in ENTITIES]
    assert a["first_insured"].tolist() == [4000, 1200, 15000]
    assert a["size_class"].tolist()[0] == "人口1万人以上5万人未満" and a["depopulated"].tolist()[1] == "全部過疎"


def test_union_rows_are_listed_not_dropped(book):
    r = load_mhlw(book)
    assert (r.report.rows_read, r.report.rows_kept) == (4, 3)
    (ex,) = r.report.exclusions
    # title row 1, header rows 2–8, statistics rows 9–10, data rows 11–13, the 広域連合 on row 14
    assert ex.row == 14 and ex.value == "みどり地区介護保険広域連合" and "広域連合" in ex.message
    assert "3 団体" in r.row_set and "除外 1 行" in r.row_set


def test_exclusions_table_keeps_code_names_and_shows_japanese_headers(book):
    r = load_mhlw(book)
    frame = r.report.exclusions_frame()
    assert frame.columns.tolist() == ["sheet", "row", "column", "value", "reason"]  # data: snake_case
    assert frame.columns.tolist() == r.report.coerced_frame().columns.tolist()
    shown = with_labels(frame)
    assert shown.columns.tolist() == ["シート", "行", "列", "値", "理由"]
    assert shown.iloc[0]["行"] == 14 and shown.iloc[0]["値"] == "みどり地区介護保険広域連合"
    assert readable(frame, drop=()).columns.tolist() == ["シート", "行", "列", "値", "理由"]


def test_first_data_row_found_whatever_the_statistics_rows(tmp_path):
    short = load_mhlw(build(tmp_path / "a.xlsx", stats=("配点",)))
    long = load_mhlw(build(tmp_path / "b.xlsx", stats=("配点", "平均点", "中央値", "標準偏差", "該当率")))
    assert short.scores["score"].tolist() == long.scores["score"].tolist()
    assert long.report.exclusions[0].row == 17


def test_statistics_and_recomputed_mean(book):
    st = load_mhlw(book).statistics
    leaf = st[st["row_kind"] == "leaf"]
    assert leaf["max_score"].tolist() == [4, 2, 2, 10, 6, 10]
    # 平均点 of ア over 甲町 4, 乙村 0, 甲町(山口) 4 = 8/3
    assert leaf["recomputed_mean"].iloc[0] == pytest.approx(8 / 3)
    assert np.allclose(st["mean"], st["recomputed_mean"])
    total = st[(st["row_kind"] == "total") & (st["grant"] == "合計")].iloc[0]
    assert total["max_score"] == 34 and total["recomputed_mean"] == pytest.approx((32 + 14 + 12) / 3)
    assert (st["row_set"].str.contains("3 団体")).all()


def test_shared_goal_counted_once_in_details(book):
    r = load_mhlw(book)
    assert len(r.details()) == len(r.scores) - 3  # the 支援 copy of 目標Ⅳ, one leaf per entity
    assert any("目標Ⅳ" in c for c in r.checks)


def test_subtotal_mismatch_is_an_error_naming_the_heading(tmp_path):
    path = build(tmp_path / "bad.xlsx", cell={(1, 3): 99})  # 乙村 目標Ⅰ合計 printed 99, leaves give 4
    with pytest.raises(ValidationError) as err:
        load_mhlw(path)
    assert "目標Ⅰ合計" in str(err.value) and "99" in str(err.value)
    assert "12行目" in str(err.value) and "（O列）" in str(err.value)  # 乙村's row, the 目標Ⅰ合計 column
    r = load_mhlw(path, strict=False)
    assert any("目標Ⅰ合計" in n and n.startswith("12行目") for n in r.report.notes)


def test_shared_goal_must_match_between_grants(tmp_path):
    path = build(tmp_path / "iv.xlsx", cell={(0, 9): 5, (0, 10): 5, (0, 11): 11, (0, 12): 25})
    with pytest.raises(ValidationError, match="目標Ⅳ") as err:
        load_mhlw(path)
    # 甲町 (row 11): 支援's copy of Ⅳ1 (column U) says 5 where 推進 says 10
    assert "11行目 列「支援 Ⅳ1（U列）」: 目標Ⅳ Ⅳ1 の得点が推進 10、支援 5 と違います" in str(err.value)


def test_missing_marks_are_coerced_and_text_is_an_error(tmp_path):
    r = load_mhlw(build(tmp_path / "dash.xlsx", cell={(2, 1): "－"}))
    assert np.isnan(
        r.scores.loc[(r.scores["entity_code"] == "352012") & (r.scores["indicator"] == "Ⅰ(ⅰ)1イ①"), "score"]
    ).all()
    assert len(r.report.coerced) == 1 and r.report.coerced[0].row == 13
    with pytest.raises(ValidationError, match="数値ではありません"):
        load_mhlw(build(tmp_path / "text.xlsx", cell={(2, 1): "あり"}))


def test_unknown_heading_is_an_error_naming_sheet_and_heading(tmp_path):
    header = dict(HEADER)
    header[7] = ["介護保険保険者努力支援制度", *HEADER[7][1:]]  # the 国保 programme's name, not this grant
    with pytest.raises(InputFileError) as err:
        load_mhlw(build(tmp_path / "x.xlsx", header=header))
    assert "全国集計（市町村）" in str(err.value) and "介護保険保険者努力支援制度" in str(err.value)


def test_missing_leading_heading_is_an_error(tmp_path):
    lead = [h if h != "第1号被保険者数" else "65歳以上人口" for h in LEAD]
    with pytest.raises(InputFileError, match="第1号被保険者数"):
        load_mhlw(build(tmp_path / "lead.xlsx", lead=lead))


def test_unsupported_year_and_header_depth(tmp_path):
    with pytest.raises(InputFileError, match="令和9年度.*未対応"):
        load_mhlw(build(tmp_path / "r9.xlsx", title="令和9年度 評価結果（市町村分）"))
    with pytest.raises(InputFileError, match="見出しが 6 行"):
        load_mhlw(build(tmp_path / "six.xlsx", header_rows=6))


def test_missing_sheet_lists_the_sheets(tmp_path):
    path = build(tmp_path / "s.xlsx", sheet="Sheet1")
    with pytest.raises(InputFileError, match="Sheet1"):
        load_mhlw(path)
    with pytest.raises(InputFileError, match="全国集計（都道府県）"):
        load_mhlw(build(tmp_path / "m.xlsx"), level="都道府県")


def test_shared_goal_printed_once_is_counted_in_both_grants(tmp_path):
    header = {k: v for k, v in HEADER.items() if k not in (9, 10)}
    header = {(k if k < 9 else k - 2): v for k, v in header.items()}
    rows = [(lead, s) for lead, s in ENTITIES]
    path = tmp_path / "once.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("全国集計（市町村）")
    ws.write(0, 0, "令和7年度 評価結果（市町村分）")
    for j, h in enumerate(LEAD):
        ws.write(1, j, h)
    for off, cells in header.items():
        for r, v in enumerate(cells):
            if v is not None:
                ws.write(1 + r, len(LEAD) + off, v)
    ws.write(8, 4, "配点")
    for k, v in enumerate([4, 2, 2, 8, 10, 10, 18, 6, 6, 16, 34]):  # 支援合計 6 + the shared 目標Ⅳ 10
        ws.write(8, len(LEAD) + k, v)
    for i, (lead, s) in enumerate(rows):
        t = totals(s)
        for j, v in enumerate(lead):
            ws.write(9 + i, j, v)
        for k, v in enumerate(t[:9] + t[11:] + [ranks()[i]]):
            ws.write(9 + i, len(LEAD) + k, v)
    wb.close()
    r = load_mhlw(path)
    one = r.scores[r.scores["entity_code"] == "011002"]
    assert one["indicator"].tolist() == ["Ⅰ(ⅰ)1ア", "Ⅰ(ⅰ)1イ①", "Ⅰ(ⅰ)1イ②", "Ⅳ1", "Ⅱ(ⅱ)3", "Ⅳ1"]
    # 推進 = ア 4 + イ① 2 + イ② 0 + 目標Ⅳ 10; 支援 = Ⅱ3 6 + 目標Ⅳ 10 (the same 目標Ⅳ block)
    assert one.groupby("grant")["score"].sum().to_dict() == {"推進": 16.0, "支援": 16.0}
    assert any("推進の列を支援にも計上" in c for c in r.checks)


def test_printed_means_from_another_row_set_are_reported(tmp_path):
    r = load_mhlw(build(tmp_path / "shift.xlsx", mean_shift=0.5))  # as if computed on other rows
    assert any("別の行の集合" in n for n in r.report.notes)
    assert (r.statistics["mean"] - r.statistics["recomputed_mean"]).round(6).eq(0.5).all()


def test_workbook_is_checked_before_parsing(tmp_path, book):
    """load_mhlw opens through grantkit.io.workbook.check_workbook: an entity declaration is refused."""
    import zipfile

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(bomb, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', 1)
            dst.writestr(info, data)
    with pytest.raises(InputFileError, match="DOCTYPE"):
        load_mhlw(bomb)


def test_a_scored_row_without_its_code_is_a_municipality_and_without_its_name_an_error(tmp_path):
    """A scored row without 保険者番号 is a member town of a 広域連合: kept as 「都道府県コード:市町村名」; two such rows
    of one name in one prefecture would be one entity, and a nameless row could not be reported."""
    no_code = [(lead[:2] + [None] + lead[3:], s) for lead, s in ENTITIES[:2]] + ENTITIES[2:]
    r = load_mhlw(build(tmp_path / "code.xlsx", entities=no_code))
    assert r.attributes["entity_code"].tolist() == ["01:甲町", "01:乙村", "352012"]
    assert r.attributes["insurer_code"].tolist() == ["", "", "352012"]
    assert "うち保険者番号のない市町村（広域連合の構成市町村） 2 団体" in r.row_set
    twice = [(lead[:2] + [None] + lead[3:4] + ["甲町"] + lead[5:], s) for lead, s in ENTITIES[:2]] + ENTITIES[2:]
    with pytest.raises(ValidationError, match="11〜12行目: コード 01:甲町 が重複しています（2 件）"):
        load_mhlw(build(tmp_path / "twice.xlsx", entities=twice))
    no_name = [(ENTITIES[0][0][:4] + [""] + ENTITIES[0][0][5:], ENTITIES[0][1])] + ENTITIES[1:]
    with pytest.raises(ValidationError, match="11行目 列「市町村名（E列）」: 得点のある行に市町村名がありません"):
        load_mhlw(build(tmp_path / "name.xlsx", entities=no_name))


# --- Defects found by exploratory testing on a synthetic R7 municipal sheet (80 municipalities) ---------------
# Hand-made sheet: data rows 11 (甲町), 12 (乙村), 13 (甲町, 山口県); 人口 F, 第1号被保険者数 G, 推進・支援合計 X
# (column offset 12 after the 11 leading columns), the 配点 row is row 9.


def lead_cell(k: int, j: int, value) -> list:
    """ENTITIES with leading cell j of entity k replaced."""
    out = [(list(lead), list(s)) for lead, s in ENTITIES]
    out[k][0][j] = value
    return out


@pytest.mark.parametrize("missing", [None, "－"])
def test_a_scored_row_without_its_total_is_an_error_not_a_union(tmp_path, missing):
    """乙村 (row 12) has leaf scores 0, 2, 2, 5, 0, 5 but its 推進・支援合計 is blank / 「－」: excluding it as a
    広域連合 would silently compute means and ranks over 2 towns instead of 3."""
    with pytest.raises(ValidationError) as err:
        load_mhlw(build(tmp_path / "t.xlsx", cell={(1, 12): missing}))
    (p,) = err.value.problems  # the real 広域連合 on row 14 (no scores at all) is not a problem
    assert (p.sheet, p.row, p.column) == ("全国集計（市町村）", 12, "推進・支援合計（X列）")
    assert "推進・支援合計がありませんが、得点のある列が 12 列あります" in p.message  # 6 leaves + 6 subtotals
    assert "（推進 Ⅰ(ⅰ)1ア（L列）、" in p.message  # its first score cell: ア is 0, a score too
    with pytest.raises(ValidationError):
        load_mhlw(build(tmp_path / "t.xlsx", cell={(1, 12): missing}), strict=False)  # not a subtotal question


def test_only_a_row_with_a_score_is_refused_not_a_union_with_dashes(tmp_path):
    """A 広域連合 row written with 「－」 in every score cell has no score: it stays an exclusion."""
    path = build(tmp_path / "u.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for j in range(12, 12 + 14):
        ws.cell(row=14, column=j, value="－")
    wb.save(path)
    r = load_mhlw(path)
    assert (r.report.rows_read, r.report.rows_kept) == (4, 3)
    assert [(e.row, e.value) for e in r.report.exclusions] == [(14, "みどり地区介護保険広域連合")]


@pytest.mark.parametrize(
    ("j", "value", "message"),
    [
        (6, -5, "第1号被保険者数 -5 は正の整数ではありません"),
        (6, 28567.9, "第1号被保険者数 28567.9 は正の整数ではありません"),  # would be truncated to 28567 later
        (6, 0, "第1号被保険者数 0 は正の整数ではありません"),  # the divisor of the 基準額
        (6, "－1,200", "第1号被保険者数 -1200 は正の整数ではありません"),  # a full-width minus is a minus
        (6, "1,200人", "'1,200人' は数値ではありません"),
        (5, -1, "人口 -1 は0 以上の整数ではありません"),
        (5, 3000.5, "人口 3000.5 は0 以上の整数ではありません"),
        (5, "約3千", "'約3千' は数値ではありません"),
    ],
)
def test_impossible_population_or_first_insured_is_an_error_naming_the_cell(tmp_path, j, value, message):
    with pytest.raises(ValidationError) as err:
        load_mhlw(build(tmp_path / "a.xlsx", entities=lead_cell(1, j, value)))  # 乙村, row 12
    (p,) = err.value.problems
    assert (p.row, p.column, p.value) == (12, ["人口（F列）", "第1号被保険者数（G列）"][j - 5], value)
    assert p.message.startswith(message)


def test_numbers_written_as_text_are_read_and_missing_marks_listed(tmp_path):
    entities = lead_cell(0, 6, "4,000")  # 甲町 第1号被保険者数 with a separator
    entities[1][0][6] = "１２００"  # 乙村: full-width digits
    entities[1][0][5] = "3,000"  # 乙村 人口
    entities[2][0][6] = "－"  # 甲町 (山口県): not published
    r = load_mhlw(build(tmp_path / "text.xlsx", entities=entities))
    a = r.attributes.set_index("entity_code")
    assert a.loc["011002", "first_insured"] == 4000 and a.loc["011010", "first_insured"] == 1200
    assert a.loc["011010", "population"] == 3000
    assert np.isnan(a.loc["352012", "first_insured"])  # stays missing (no 基準額 can be computed) …
    (c,) = r.report.coerced  # … but is listed with its position
    assert (c.row, c.column, c.value) == (13, "第1号被保険者数（G列）", "－")


def test_blank_first_insured_of_a_scored_row_is_listed(tmp_path):
    r = load_mhlw(build(tmp_path / "blank.xlsx", entities=lead_cell(2, 6, None)))
    assert [(c.row, c.column) for c in r.report.coerced] == [(13, "第1号被保険者数（G列）")]
    assert r.attributes["first_insured"].isna().tolist() == [False, False, True]


def test_leaf_maxima_must_add_up_to_the_printed_subtotal_maxima(tmp_path):
    """ア 配点 4 → 5 while 目標Ⅰ合計 still says 8: every rate of ア would shift silently."""
    maxima = [5, *MAXIMA[1:]]
    path = build(tmp_path / "max.xlsx", maxima=maxima)
    with pytest.raises(ValidationError) as err:
        load_mhlw(path)
    # 目標Ⅰ合計 8 ≠ 5+2+2, 推進合計 18 ≠ 9+10, 推進・支援合計 34 ≠ 5+2+2+10+6+10; 支援 untouched
    assert [(p.row, p.column, p.value) for p in err.value.problems] == [
        (9, "目標Ⅰ合計（推進）（O列）", 8),
        (9, "推進合計（R列）", 18),
        (9, "推進・支援合計（X列）", 34),
    ]
    assert "配点の「目標Ⅰ合計（推進）」8 が明細の配点の合計 9 と一致しません" in err.value.problems[0].message
    r = load_mhlw(path, strict=False)  # as for a subtotal that differs: read, with a note per column
    assert [n.split(":")[0] for n in r.report.notes if "配点の「" in n] == [
        "9行目 目標Ⅰ合計（推進）（O列）",
        "9行目 推進合計（R列）",
        "9行目 推進・支援合計（X列）",
    ]
    assert any("3 列が不一致" in c for c in r.checks)


def test_leaf_maxima_check_counts_the_shared_goal_as_the_totals_do(book):
    r = load_mhlw(book)  # MAXIMA: 推進・支援合計 34 = 推進 18 + 支援 16, 目標Ⅳ 10 in each
    assert "配点: 目標の小計 4 列・交付金の合計 2 列・総合計 1 列を明細の配点の合計と照合: すべて一致" in r.checks


@pytest.fixture(scope="module")
def synthetic_r7(tmp_path_factory):
    return national_workbook(tmp_path_factory.mktemp("syn") / "r7.xlsx", "R7", "市町村", n_municipalities=80)


def edited(source, target, edit):
    """Copy of a synthetic workbook with ``edit(ws, columns)`` applied (columns: row-2 heading → letter)."""
    wb = openpyxl.load_workbook(source)
    ws = wb["全国集計（市町村）"]
    edit(ws, {c.value: c.column_letter for c in ws[2] if c.value})
    wb.save(target)
    return target


def test_synthetic_town_without_total_is_refused_and_unions_still_excluded(synthetic_r7, tmp_path):
    r = load_mhlw(synthetic_r7)  # title, 7 header rows, 9 statistics rows: つばきの森市 on row 18
    assert r.attributes["entity"].iloc[0] == "つばきの森市" and r.report.exclusions[0].row == 31
    assert (r.report.rows_kept, len(r.report.exclusions)) == (80, 3)
    path = edited(synthetic_r7, tmp_path / "t.xlsx", lambda ws, col: ws.__setitem__(f"{col['推進・支援合計']}18", "－"))
    with pytest.raises(ValidationError) as err:
        load_mhlw(path)
    (p,) = err.value.problems
    assert (p.row, p.column, p.value) == (18, "推進・支援合計（FL列）", "－")


def test_synthetic_attribute_text_and_bad_numbers(synthetic_r7, tmp_path):
    r = load_mhlw(synthetic_r7)
    first = r.attributes.loc[r.attributes["entity"] == "つばきの森市", ["population", "first_insured"]]
    assert first.values.tolist() == [[70745, 28567]]  # as written in row 18

    def text(ws, col):
        ws[f"{col['第1号被保険者数']}18"] = "２８，５６７"
        ws[f"{col['人口']}18"] = "70,745"
        ws[f"{col['第1号被保険者数']}19"] = "－"

    t = load_mhlw(edited(synthetic_r7, tmp_path / "text.xlsx", text))
    assert t.attributes.loc[0, ["population", "first_insured"]].tolist() == [70745, 28567]
    assert [(c.row, c.column, c.value) for c in t.report.coerced] == [(19, "第1号被保険者数（G列）", "－")]

    def bad(ws, col):
        ws[f"{col['第1号被保険者数']}18"] = -5
        ws[f"{col['第1号被保険者数']}19"] = 7586.5
        ws[f"{col['人口']}20"] = -11419
        ws[f"{col['第1号被保険者数']}21"] = "あり"

    with pytest.raises(ValidationError) as err:
        load_mhlw(edited(synthetic_r7, tmp_path / "bad.xlsx", bad))
    assert [(p.row, p.column) for p in err.value.problems] == [
        (20, "人口（F列）"),
        (18, "第1号被保険者数（G列）"),
        (19, "第1号被保険者数（G列）"),
        (21, "第1号被保険者数（G列）"),
    ]


def test_synthetic_leaf_maximum_changed_from_325_to_4(synthetic_r7, tmp_path):
    path = edited(synthetic_r7, tmp_path / "m.xlsx", lambda ws, col: ws.__setitem__("L9", 4))  # 推進 Ⅰ(ⅰ)1ア
    with pytest.raises(ValidationError) as err:
        load_mhlw(path)
    text = str(err.value)
    assert (
        "9行目 列「目標Ⅰ合計（推進）" in text
        and "配点の「目標Ⅰ合計（推進）」100 が明細の配点の合計 100.75 と一致しません" in text
    )
    assert [p.column.split("（")[0] for p in err.value.problems] == ["目標Ⅰ合計", "推進合計", "推進・支援合計"]


def test_a_file_name_naming_another_year_than_the_title_is_refused(synthetic_r7, tmp_path):
    import shutil

    wrong = shutil.copy(synthetic_r7, tmp_path / "01_（掲載用）令和8年度評価結果（市町村分）.xlsx")
    with pytest.raises(InputFileError, match="表題は令和7年度、ファイル名は令和8年度です"):
        load_mhlw(wrong)
    right = shutil.copy(synthetic_r7, tmp_path / "01_（掲載用）令和7年度評価結果（市町村分）.xlsx")
    assert load_mhlw(right).layout == 2025
