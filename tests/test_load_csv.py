"""The documented CSV format: encodings, era spellings, lost leading zeros, and every bad-input case."""

from __future__ import annotations

import pytest

from grantkit import InputFileError, ValidationError, load_scores, read_scores

HEADER = "fiscal_year,level,grant,entity_code,entity,indicator,indicator_name,parent,score,max_score"


def write(tmp_path, rows, *, encoding="utf-8", header=HEADER, name="scores.csv"):
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


GOOD = [
    "H30,都道府県,推進,35,山口県,Ⅰ,地域課題の把握,,150,180",
    "令和元年度,都道府県,推進,35,山口県,Ⅰ,地域課題の把握,,94,106",
    "Ｒ１,都道府県,推進,00,全国平均,Ⅰ,地域課題の把握,,99.3,106",
]


@pytest.mark.parametrize(("encoding", "label"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-bom"), ("cp932", "cp932")])
def test_encodings_are_read_and_reported(tmp_path, encoding, label):
    loaded = read_scores(write(tmp_path, GOOD, encoding=encoding))
    assert loaded.report.encoding == label
    assert loaded.table["entity"].tolist() == ["山口県", "山口県", "全国平均"]
    assert loaded.table["fiscal_year"].tolist() == [2018, 2019, 2019]


def test_text_is_normalised_at_the_boundary(tmp_path):
    rows = ['平成３０年度,都道府県,推進,３５,山口県　,Ⅱ（２）①,地域ケア会議,Ⅱ,"1,234","2,000"']
    t = load_scores(write(tmp_path, rows))
    row = t.iloc[0]
    assert (row.fiscal_year, row.entity_code, row.entity, row.indicator, row.score, row.max_score) == (
        2018,
        "35",
        "山口県",
        "Ⅱ(2)①",
        1234.0,
        2000.0,
    )


def test_lost_leading_zeros_are_restored(tmp_path):
    rows = ["R7,市町村,推進,12345,架空町,Ⅰ,x,,10,20", "R7,都道府県,推進,1,北海道,Ⅰ,x,,10,20"]
    t = load_scores(write(tmp_path, rows))
    assert t["entity_code"].tolist() == ["012345", "01"]


@pytest.mark.parametrize("mark", ["－", "-", ""])
def test_dash_is_missing_counted_and_reported(tmp_path, mark):
    loaded = read_scores(write(tmp_path, [f"R1,都道府県,推進,35,山口県,Ⅰ,x,,{mark},106"]))
    assert loaded.table["score"].isna().all()
    assert [(p.row, p.column) for p in loaded.report.coerced] == [(2, "score")]
    assert loaded.report.rows_kept == loaded.report.rows_read == 1


def _problems(tmp_path, rows, header=HEADER):
    with pytest.raises(ValidationError) as info:
        load_scores(write(tmp_path, rows, header=header))
    return info.value


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("R1,都道府県,推進,35,山口県,Ⅰ,x,,999,80", "score", "配点 80 を超えています"),
        ("R1,都道府県,推進,35,山口県,Ⅰ,x,,-5,80", "score", "負の得点"),
        ('R1,都道府県,推進,35,山口県,Ⅰ,x,,"1,2,3",80', "score", "'1,2,3' は数値ではありません"),
        ("R1,都道府県,推進,35,山口県,Ⅰ,x,,abc,80", "score", "'abc' は数値ではありません"),
        ("R1,都道府県,推進,35,山口県,Ⅰ,x,,5,ten", "max_score", "'ten' は数値ではありません"),
        ("X9,都道府県,推進,35,山口県,Ⅰ,x,,5,10", "fiscal_year", "'X9' は年度として読めません"),
        ("R1,県,推進,35,山口県,Ⅰ,x,,5,10", "level", "'県' は区分として使えません"),
        ("R1,都道府県,保険者努力支援,35,山口県,Ⅰ,x,,5,10", "grant", "'保険者努力支援' は交付金として使えません"),
        ("R1,都道府県,推進,123,山口県,Ⅰ,x,,5,10", "entity_code", "2 桁の数字コードではありません"),
        ("R1,都道府県,推進,35,山口県,Ⅰ,x,,0,0", "max_score", "配点は正の数"),
    ],
)
def test_each_bad_value_names_row_and_column(tmp_path, row, column, fragment):
    err = _problems(tmp_path, [GOOD[0], row])
    assert len(err.problems) == 1
    p = err.problems[0]
    assert (p.row, p.column, p.file) == (3, column, "scores.csv")
    assert fragment in p.message
    assert f"3行目 列「{column}」" in str(err)


def test_duplicate_key_names_both_lines(tmp_path):
    err = _problems(tmp_path, [GOOD[0], GOOD[1], "平成30年度,都道府県,推進,35,山口県,Ⅰ,x,,1,180"])
    assert [p.row for p in err.problems] == [4]
    assert "2行目と重複しています" in err.problems[0].message


def test_all_problems_are_reported_together(tmp_path):
    rows = [
        "R1,都道府県,推進,35,山口県,Ⅰ,x,,999,80",
        "R1,県,推進,35,山口県,Ⅱ(1),x,Ⅱ,1,80",
        "R1,都道府県,推進,35,山口県,Ⅲ,x,,abc,80",
    ]
    err = _problems(tmp_path, rows)
    assert [(p.row, p.column) for p in err.problems] == [(2, "score"), (3, "level"), (4, "score")]
    assert str(err).startswith("scores.csv に 3 件の問題があります")


def test_missing_and_unknown_columns(tmp_path):
    header = HEADER.replace(",max_score", "").replace("entity,", "entity,得点,")
    err = _problems(tmp_path, ["R1,都道府県,推進,35,山口県,9,Ⅰ,x,,5"], header=header)
    messages = " ".join(p.message for p in err.problems)
    assert "必須の列「max_score」がありません" in messages
    assert "列「得点」は得点表の列ではありません" in messages


def test_ragged_row_is_named(tmp_path):
    err = _problems(tmp_path, [GOOD[0], "R1,都道府県,推進,35"])
    assert [p.row for p in err.problems] == [3]


def test_line_numbers_follow_quoted_newlines(tmp_path):
    rows = ['R1,都道府県,推進,35,山口県,Ⅰ,"二行の\n指標名",,5,10', "R1,都道府県,推進,35,山口県,Ⅲ,x,,abc,10"]
    err = _problems(tmp_path, rows)
    assert err.problems[0].row == 4


def test_undecodable_file_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes((HEADER + "\n").encode() + b"R1,\x81\x20,x\n")
    with pytest.raises(InputFileError, match="2行目"):
        load_scores(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty.csv"):
        load_scores(path)


# Rules across rows: totals are never computed from rows that do not belong together.
NATIONAL_R1 = ["R1,都道府県,推進,00,全国平均,Ⅱ(1),a,Ⅱ,5,10", "R1,都道府県,推進,00,全国平均,Ⅱ(2),b,Ⅱ,6,10"]
OWN_R1 = ["R1,都道府県,推進,35,山口県,Ⅱ(1),a,Ⅱ,7,10", "R1,都道府県,推進,35,山口県,Ⅱ(2),b,Ⅱ,8,10"]


@pytest.mark.parametrize(
    "extra", ["R1,都道府県,推進,35,山口県,合計,合計,,15,20", "R1,都道府県,推進,35,山口県,Ⅱ,小計,,15,20"]
)
def test_a_subtotal_or_total_row_is_refused_not_added_twice(tmp_path, extra):
    err = _problems(tmp_path, [*OWN_R1, *NATIONAL_R1, extra])
    assert [(p.row, p.column) for p in err.problems] == [(6, "indicator")]
    assert "小計・合計の行です" in err.problems[0].message


def test_one_code_with_two_names_in_a_year_is_refused(tmp_path):
    err = _problems(tmp_path, [OWN_R1[0], OWN_R1[1].replace("山口県", "山口"), *NATIONAL_R1])
    assert [(p.row, p.column) for p in err.problems] == [(3, "entity")]
    assert "2行目では「山口県」、この行では「山口」" in err.problems[0].message


def test_one_name_with_two_codes_in_a_year_is_refused(tmp_path):
    err = _problems(tmp_path, [OWN_R1[0], OWN_R1[1].replace(",35,", ",36,"), *NATIONAL_R1])
    assert [(p.row, p.column) for p in err.problems] == [(3, "entity_code")]


def test_indicator_missing_for_one_entity_is_refused(tmp_path):
    err = _problems(tmp_path, [*OWN_R1, NATIONAL_R1[0]])  # 全国平均 lacks Ⅱ(2): totals 5/10 vs 15/20
    assert len(err.problems) == 1
    assert "全国平均 に指標 Ⅱ(2) の行がありません" in err.problems[0].message


def test_different_max_for_the_same_indicator_is_refused(tmp_path):
    third = [r.replace(",35,山口県,", ",34,広島県,") for r in OWN_R1]
    err = _problems(tmp_path, [OWN_R1[0].replace(",10", ",12"), OWN_R1[1], *NATIONAL_R1, *third])
    assert [(p.row, p.column) for p in err.problems] == [(2, "max_score")]
    assert "他の団体の配点 10 と違います" in err.problems[0].message
    tie = _problems(tmp_path, [OWN_R1[0].replace(",10", ",12"), OWN_R1[1], *NATIONAL_R1])
    assert [p.row for p in tie.problems] == [2, 4]  # two entities, two values: neither is named right
    assert all("どれが正しいか決められません" in p.message for p in tie.problems)


@pytest.mark.parametrize(("sep", "name"), [("\t", "タブ"), (";", "セミコロン")])
def test_other_separators_are_named_not_listed_as_eleven_missing_columns(tmp_path, sep, name):
    err = _problems(tmp_path, [r.replace(",", sep) for r in GOOD], header=HEADER.replace(",", sep))
    assert len(err.problems) == 1 and f"{name}区切りのようです" in err.problems[0].message


def test_japanese_headings_get_the_column_name_to_use(tmp_path):
    header = HEADER.replace("max_score", "配点").replace("score", "得点")
    err = _problems(tmp_path, GOOD, header=header)
    hints = [p.message for p in err.problems if p.column in ("得点", "配点")]
    assert any("列名を score にしてください" in m for m in hints) and any("列名を max_score に" in m for m in hints)


@pytest.mark.parametrize("code", ["Ⅱ小計", "計", "総合計"])
def test_rows_whose_code_says_total_are_refused(tmp_path, code):
    err = _problems(tmp_path, [*OWN_R1, *NATIONAL_R1, f"R1,都道府県,推進,35,山口県,{code},小計,,15,20"])
    assert [(p.row, p.column) for p in err.problems] == [(6, "indicator")]


def test_a_bad_cell_is_not_also_reported_as_a_missing_indicator(tmp_path):
    err = _problems(tmp_path, [*OWN_R1, NATIONAL_R1[0], NATIONAL_R1[1].replace(",6,10", ",…,10")])
    assert [(p.row, p.column) for p in err.problems] == [
        (5, "score")
    ]  # not also 「全国平均 に指標 Ⅱ(2) の行がありません」
