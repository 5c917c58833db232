"""Allocation formulas (基準額), the three-way cap (交付額), what-if and the value of one more point.

Amounts are yen as Python ints, computed exactly (scores are read as the decimals they print as, and weights
kept as integers over one common denominator, which cancels in budget × weight / Σ weights).
Rounding rule, documented and tested:

* ``basis_yen`` is the exact share floored to the yen.
* ``basis_thousand_yen`` is the official 千円 figure: the exact share **truncated** to 千円
  (山口県 R1: 611 points, average 584.3, 10億円 → 22,248,844 円 → printed 22,248千円). Truncated figures
  sum to at most the budget, short by less than n × 1,000 円; the shortfall is ``attrs["remainder_yen"]``.
* ``rounding="largest_remainder"`` instead gives the leftover 千円 units to the largest remainders, so the
  千円 figures sum to the budget exactly (when the budget is a whole number of 千円).

Prefectures: 基準額 = 予算額 × 評価点数 / Σ 評価点数 (Σ = 47 × 全国平均). Municipalities: 基準額 = 予算額 ×
得点 × 第1号被保険者数 / Σ (得点 × 第1号被保険者数), computed per grant.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd

from .domain import NATIONAL, PREFECTURE, PROMOTION
from .eras import era_label
from .errors import GrantkitError, Problem, UnknownSelectionError, ValidationError
from .rates import alternatives_once, leaves_of, score_rates
from .tables import ALLOCATION, check_table
from .text import normalize_indicator, normalize_text

UNIT = 1000  # 千円
ROUNDINGS = ("truncate", "largest_remainder")


def _exact(x: object) -> Fraction:
    """A number as the exact decimal it prints as (584.3 → 5843/10)."""
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    value = float(x)
    if not math.isfinite(value):
        raise GrantkitError(f"{x!r} は配分の計算に使えません（数値ではありません）")
    return Fraction(repr(value))


def budget_yen(budget: object) -> int:
    """A budget in yen as an ``int``: a whole number ≥ 0 (a negative or fractional budget is a typing error, not a
    figure; ``True`` is not 1 yen). Raises :class:`GrantkitError` naming the value otherwise.

    >>> budget_yen(1_000_000_000), budget_yen(2.5e9)
    (1000000000, 2500000000)
    >>> budget_yen(1_000_000_000.7)
    Traceback (most recent call last):
    grantkit.errors.GrantkitError: 予算額 1000000000.7 は 0 以上の円の整数で指定してください
    """
    try:
        value = _exact(budget)
    except (TypeError, ValueError):
        value = None
    if value is None or isinstance(budget, bool) or value < 0 or value.denominator != 1:
        raise GrantkitError(f"予算額 {budget!r} は 0 以上の円の整数で指定してください")
    return int(value)


def check_budgets(budgets: Mapping[str, object], totals: pd.DataFrame, *, what: str) -> dict[str, int]:
    """The per-grant budgets checked against a score table: not empty, every grant scored in ``totals`` (a table
    with a ``grant`` column), every amount a whole number of yen (:func:`budget_yen`).

    Returns the budgets as ``{grant: yen}``; raises :class:`UnknownSelectionError` naming the grants the table
    holds, and ``what`` (the caller's name) so that the message says where the budgets were given.

    >>> totals = pd.DataFrame({"grant": ["推進", "支援"], "score": [1.0, 2.0]})
    >>> check_budgets({"推進": 3e6}, totals, what="example")
    {'推進': 3000000}
    >>> check_budgets({"推進 ": 1}, totals, what="example")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    grantkit.errors.UnknownSelectionError: example: 交付金「推進 」は得点の表にありません。...推進、支援）
    """
    present = [str(g) for g in dict.fromkeys(totals["grant"].dropna())] if "grant" in totals.columns else []
    listing = "、".join(present) or "なし"
    if not budgets:
        raise UnknownSelectionError(
            f"{what}: 予算額（budgets）が指定されていません。交付金ごとの予算額（円）を "
            f'{{"{PROMOTION}": 予算額, ...}} の形で渡してください（得点の表にある交付金: {listing}）'
        )
    unknown = [str(g) for g in budgets if g not in present]
    if unknown:
        raise UnknownSelectionError(
            f"{what}: 交付金「{'」「'.join(unknown)}」は得点の表にありません。予算額の交付金名を"
            f"確かめてください（得点の表にある交付金: {listing}）"
        )
    return {g: budget_yen(b) for g, b in budgets.items()}


def _positive(x: object, what: str) -> Fraction:
    """A divisor that must be a positive number (全国平均, 団体数)."""
    value = _exact(x)
    if value <= 0:
        raise GrantkitError(f"{what} {x!r} は正の数で指定してください")
    return value


def allocation_from_average(score: float, national_average: float, budget: int, n_entities: int = 47) -> int:
    """基準額 in yen (floored) from one score and the national average: budget × score / (n × average).

    >>> allocation_from_average(611, 584.3, 1_000_000_000)  # 山口県 R1: printed 22,248千円
    22248844
    """
    n, average = _positive(n_entities, "団体数"), _positive(national_average, NATIONAL)
    return math.floor(budget_yen(budget) * _exact(score) / (n * average))


class AverageInterval(NamedTuple):
    """The national averages consistent with an amount: ``low < average <= high``.

    >>> iv = AverageInterval(584.2, 584.4)
    >>> iv.contains(584.3), iv.contains(584.2), str(iv)
    (True, False, '584.200 < 全国平均 ≤ 584.400')
    """

    low: float
    high: float

    def contains(self, average: float) -> bool:
        """Whether ``average`` gives the amount (``low`` excluded, ``high`` included)."""
        return self.low < average <= self.high

    def __str__(self) -> str:
        return f"{self.low:.3f} < 全国平均 ≤ {self.high:.3f}"


def implied_average(amount: int, score: float, budget: int, n_entities: int = 47, unit: int = UNIT) -> AverageInterval:
    """The national averages that give ``amount`` (yen, printed truncated to ``unit``) from ``score``.

    Solves amount ≤ budget × score / (n × avg) < amount + unit for avg: 470 points and 15,680千円 of a
    1,000,000千円 budget imply an average in (637.7144, 637.7551], not the printed 638.

    Parameters
    ----------
    amount
        The printed 基準額 in yen (a multiple of ``unit``).
    score
        The entity's total score.
    budget
        The budget in yen.
    n_entities
        The number of entities sharing it (47 prefectures).
    unit
        The printed unit in yen (1,000: 千円).

    Returns
    -------
    AverageInterval
        ``low < average <= high``: every national average that gives ``amount``.

    Examples
    --------
    >>> iv = implied_average(15_680_000, 470, 1_000_000_000)
    >>> print(iv)
    637.714 < 全国平均 ≤ 637.755
    >>> iv.contains(638), iv.contains(169 + 456 + 12.75)
    (False, True)
    """
    if _exact(score) <= 0:
        raise GrantkitError(
            f"得点が {score} のときの基準額は全国平均によらず 0 円なので、配分額から全国平均は決まりません"
        )
    if amount < 0:
        raise GrantkitError(f"配分額が負です（{amount}）")
    top = budget_yen(budget) * _exact(score) / _positive(n_entities, "団体数")
    high = float(top / amount) if amount > 0 else math.inf  # 0 after truncation: any average above the low end
    return AverageInterval(float(top / (amount + unit)), high)


def implied_budget(amounts: Sequence[int], weights: Sequence[float], unit: int = UNIT) -> int | None:
    """The smallest budget (yen) that gives every published amount (in ``unit``, truncated) from the weights
    (score, or score × 第1号被保険者数), or None when no budget gives them all (another formula or adjustment).

    Each amount a_i says a_i·unit ≤ B·w_i/W < (a_i+1)·unit; the budget lies in the intersection. The sum of the
    amounts alone is too small by the truncation of every entity (up to n × unit).

    >>> implied_budget([600, 300, 100], [6, 3, 1])  # 1,000,000 to 1,001,666 give these; the least is returned
    1000000
    >>> implied_budget([600, 300], [1, 1]) is None  # equal weights, unequal amounts: not this formula
    True
    >>> implied_budget([600, None, 100], [6, 3, 1])  # an amount not published still takes its share
    1000000
    """
    weights = [_exact(w) for w in weights]
    given = [
        (a, w) for a, w in zip(amounts, weights, strict=True) if not pd.isna(a)
    ]  # an unknown amount bounds nothing
    if any(a > 0 and w <= 0 for a, w in given):
        return None  # money without weight: not this formula
    pairs = [(int(a), w) for a, w in given if w > 0]
    if not pairs:
        return None
    total = sum(weights, Fraction(0))  # every entity's weight divides the budget, known amount or not
    low = max(Fraction(a * unit) * total / w for a, w in pairs)
    high = min(Fraction((a + 1) * unit) * total / w for a, w in pairs)
    budget = math.ceil(low)
    return budget if budget < high else None


def _round(weights: list[int], total: int, budget: int, rounding: str, unit: int) -> tuple[list[int], list[int]]:
    """(yen floored, 千円 per the rule) of the exact shares budget × w / total; see the module docstring."""
    if rounding not in ROUNDINGS:
        raise GrantkitError(f"rounding は {' または '.join(ROUNDINGS)} です（指定: {rounding!r}）")
    parts, per_unit = [budget * w for w in weights], total * unit
    yen = [p // total for p in parts]
    units = [p // per_unit for p in parts]
    if rounding == "largest_remainder":
        # share / unit − units = (p mod per_unit) / per_unit; × per_unit² keeps that order whatever unit's sign.
        rest = [p % per_unit * per_unit for p in parts]
        for i in sorted(range(len(parts)), key=rest.__getitem__, reverse=True)[: max(budget // unit - sum(units), 0)]:
            units[i] += 1  # the sort is stable: equal remainders in table order
    return yen, units


def _scaled(x: np.ndarray) -> tuple[list[int], int] | None:
    """Ints m and a scale 10**k with m / 10**k exactly what ``_exact`` reads, or None if numpy cannot tell.

    A float that m / 10**k (|m| < 10**15) rounds to prints as that decimal: doubles tell apart all
    decimals of up to 15 digits, and ``repr`` prints the shortest."""
    if x.dtype.kind in "iu":
        return x.tolist(), 1
    if x.dtype.kind == "f" and (np.abs(x) < 1e15).all():
        x = x.astype("float64")
        for k in range(7):
            m = np.rint(x * 10.0**k)
            if (np.abs(m) < 1e15).all() and (m / 10.0**k == x).all():
                return m.astype("int64").tolist(), 10**k
    return None


def _weights(*columns: pd.Series) -> tuple[list[int], int]:
    """Row products of ``columns`` as read by ``_exact``, as ints over one common denominator."""
    scaled = [_scaled(c.to_numpy()) for c in columns]
    if all(s is not None for s in scaled):
        return list(map(math.prod, zip(*(m for m, _ in scaled)))), math.prod(d for _, d in scaled)
    exact = [math.prod(map(_exact, row)) for row in zip(*columns)]  # any other type; errors as _exact's
    den = math.lcm(*(f.denominator for f in exact))
    return [f.numerator * (den // f.denominator) for f in exact], den


def _entity_scores(scores: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """entity_code, entity, score per entity from a Series, a per-entity frame or a tidy score table."""
    if isinstance(scores, pd.Series):
        keys = scores.index.astype(str)
        return pd.DataFrame({"entity_code": keys, "entity": keys, "score": scores.to_numpy(dtype="float64")})
    if "indicator" not in scores.columns:
        out = scores[[c for c in ("entity_code", "entity", "score") if c in scores.columns]].copy()
        if "entity_code" not in out.columns:
            out.insert(0, "entity_code", out["entity"].astype(str))
        return out.reset_index(drop=True)
    part = scores[scores["entity"] != NATIONAL]
    for key in ("fiscal_year", "level", "grant"):
        values = part[key].unique().tolist()
        if len(values) > 1:
            raise UnknownSelectionError(
                f"配分は1つの年度・区分・交付金ごとに計算します。{key} が複数あります"
                f"（{'、'.join(str(v) for v in values)}）。絞り込んでから渡してください"
            )
    totals = part if "row_kind" in part.columns else score_rates(part)
    totals = totals[totals["row_kind"] == "total"]
    return totals[["entity_code", "entity", "score"]].reset_index(drop=True)


def _allocate(frame: pd.DataFrame, weights: list[int], budget: int, rounding: str, unit: int) -> pd.DataFrame:
    """``frame`` with basis_yen and basis_thousand_yen: budget × weight / Σ weights, rounded per the rule."""
    negative = [str(frame["entity"].iloc[i]) for i, w in enumerate(weights) if w < 0]
    if negative:
        raise GrantkitError(
            f"配分の重み（得点。市町村は得点×第1号被保険者数）が負の団体があります: "
            f"{'、'.join(negative[:10])}。得点と人数を確認してください"
        )
    total = sum(weights)
    if total <= 0:
        raise GrantkitError("配分の重み（得点）の合計が 0 です。配分を計算できません")
    yen, units = _round(weights, total, budget_yen(budget), rounding, unit)
    out = frame.assign(basis_yen=np.array(yen, dtype="int64"), basis_thousand_yen=np.array(units, dtype="int64"))
    allocated = sum(units) * unit
    out.attrs.update(
        budget_yen=int(budget), allocated_yen=allocated, remainder_yen=int(budget) - allocated, rounding=rounding
    )
    return check_table(out, ALLOCATION)


def _need_several(frame: pd.DataFrame) -> None:
    if len(frame) < 2:
        raise UnknownSelectionError(
            "配分の計算には同じ区分の全団体の得点が必要です（1団体だけの表です）。"
            "全国平均から計算するときは allocation_from_average を使ってください"
        )


def prefecture_allocation(
    scores: pd.DataFrame | pd.Series, budget: int, *, rounding: str = "truncate", unit: int = UNIT
) -> pd.DataFrame:
    """基準額 per prefecture = budget × score / Σ scores
    (columns entity_code, entity, score, basis_yen, basis_thousand_yen).

    Parameters
    ----------
    scores
        A tidy score table of one year and grant (totals are summed from the leaves; 全国平均 is left out),
        a frame with entity and score, or a Series of totals indexed by entity.
    budget
        The 都道府県分 budget in yen.
    rounding
        ``"truncate"`` (the official figures: each share truncated to ``unit``) or ``"largest_remainder"``
        (the leftover units go to the largest remainders, so the shares sum to the budget).
    unit
        The printed unit in yen (1,000: 千円).

    Returns
    -------
    pandas.DataFrame
        One row per entity; ``basis_yen`` is the exact share floored to the yen (Σ ≤ ``budget``);
        ``basis_thousand_yen`` is it in ``unit`` (truncated, or summing to budget // unit with largest_remainder);
        ``attrs["remainder_yen"]`` is what truncation left.

    Raises
    ------
    GrantkitError
        For an unknown ``rounding``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = prefecture_allocation(pd.Series({"A県": 600, "B県": 300, "C県": 100}), 1_000_000_999)
    >>> a.basis_thousand_yen.tolist(), a.attrs["remainder_yen"]
    ([600000, 300000, 100000], 999)
    """
    frame = _entity_scores(scores)
    _need_several(frame)
    return _allocate(frame, _weights(frame["score"])[0], budget, rounding, unit)


def _keyed(values: pd.Series | pd.DataFrame, column: str) -> pd.Series:
    """A Series keyed by entity_code (str) from a Series or from a frame with entity_code and ``column``."""
    if isinstance(values, pd.DataFrame):
        values = values.set_index("entity_code")[column] if "entity_code" in values.columns else values[column]
    values = values.copy()
    values.index = values.index.astype(str)
    return values


def municipal_allocation(
    scores: pd.DataFrame | pd.Series,
    first_insured: pd.Series | pd.DataFrame,
    budget: int,
    eligible: pd.Series | Collection[str] | None = None,
    adjustment: pd.Series | pd.DataFrame | None = None,
    *,
    rounding: str = "truncate",
    unit: int = UNIT,
) -> pd.DataFrame:
    """基準額 per municipality = budget × score·n·adjustment / Σ (score·n·adjustment) over eligible entities.

    ``first_insured`` (第1号被保険者数) and ``adjustment`` (factor, default 1) are keyed by entity_code
    (a Series, or a frame with an ``entity_code`` column). ``eligible`` (bool Series or the eligible codes)
    excludes the others: they get 0 and are listed in ``attrs["excluded"]``.

    >>> import pandas as pd
    >>> s = pd.Series({"A": 50, "B": 100})
    >>> a = municipal_allocation(s, pd.Series({"A": 2000, "B": 1000}), 3_000_000)
    >>> a.basis_yen.tolist()  # weights 50×2000 = 100,000 and 100×1000 = 100,000: half each
    [1500000, 1500000]
    """
    frame = _entity_scores(scores)
    _need_several(frame)
    codes = frame["entity_code"].astype(str)
    n = _keyed(first_insured, "first_insured").reindex(codes)
    if n.isna().any():
        raise UnknownSelectionError(
            f"第1号被保険者数がない団体があります: {'、'.join(frame.loc[n.isna().to_numpy(), 'entity'])}"
        )
    adj = (
        pd.Series(1.0, index=codes)
        if adjustment is None
        else _keyed(adjustment, "adjustment").reindex(codes).fillna(1.0)
    )
    if eligible is None:
        ok = pd.Series(True, index=codes)
    elif isinstance(eligible, pd.Series):
        ok = _keyed(eligible, "eligible").reindex(codes).fillna(False).astype(bool)
    else:
        ok = pd.Series(codes.isin([str(c) for c in eligible]).to_numpy(), index=codes)
    frame = frame.assign(
        first_insured=n.to_numpy().astype("int64"), adjustment=adj.to_numpy(dtype="float64"), eligible=ok.to_numpy()
    )
    ok = frame["eligible"]  # the excluded weigh 0 whatever their score
    weights, den = _weights(frame["score"].where(ok, 0), frame["first_insured"], frame["adjustment"].where(ok, 1.0))
    out = _allocate(frame.assign(weight=[w / den for w in weights]), weights, budget, rounding, unit)
    out.attrs["excluded"] = frame.loc[~frame["eligible"], "entity"].tolist()
    return out


def grant_amount(basis: object, actual_expense: object = None, net_cost: object = None) -> object:
    """交付額 = min(基準額, 対象経費の実支出額, 総事業費 − 寄附金その他の収入額), elementwise; None/NaN = not given.

    >>> grant_amount(22_248_000, 11_080_000, 12_000_000), grant_amount(15_680_000, None, 15_680_000)
    (11080000, 15680000)
    >>> grant_amount(pd.Series([5, 0, 7]), pd.Series([3, 4, None]), 6).tolist()
    [3.0, 0.0, 6.0]
    """
    parts = [basis, actual_expense, net_cost]
    if not any(isinstance(p, (pd.Series, np.ndarray, list)) for p in parts):
        given = [p for p in parts if p is not None and not pd.isna(p)]
        for p in given:
            if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
                raise GrantkitError(f"交付額の計算には金額（数値）を渡してください（{p!r} は数値ではありません）")
        if any(p < 0 for p in given):
            raise GrantkitError(f"交付額の計算に負の金額があります（{', '.join(map(str, given))}）")
        return min(given) if given else math.nan
    index = next((p.index for p in parts if isinstance(p, pd.Series)), None)
    size = next(len(p) for p in parts if isinstance(p, (pd.Series, np.ndarray, list)))
    columns = [_column(p, size) for p in parts]
    negative = np.flatnonzero(np.any([c < 0 for c in columns], axis=0))
    if len(negative):
        where = [str(index[i]) if index is not None else str(i) for i in negative[:10]]
        raise GrantkitError(f"交付額の計算に負の金額があります（{'、'.join(where)}）")
    result = np.fmin(np.fmin(columns[0], columns[1]), columns[2])
    integral = all(p is None or np.issubdtype(np.asarray(p).dtype, np.integer) for p in parts)
    if integral and not np.isnan(result).any():
        result = result.astype("int64")
    return pd.Series(result, index=index, name="grant_amount") if index is not None else result


def _column(part: object, size: int) -> np.ndarray:
    """One argument of ``grant_amount`` as a float array of ``size`` (None → all missing)."""
    if part is None:
        return np.full(size, np.nan)
    if isinstance(part, pd.Series):
        part = part.to_numpy(dtype="float64", na_value=np.nan)
    return np.broadcast_to(np.asarray(part, dtype="float64"), (size,))


def marginal_value(score: float, others_total: float, budget: int) -> float:
    """Yen that one more point brings: budget × (s+1)/(O+s+1) − budget × s/(O+s), own score in the denominator.

    >>> round(marginal_value(611, 47 * 584.3 - 611, 1_000_000_000))  # 山口県 R1: about 35,600 円 a point
    35602
    """
    s, o = _exact(score), _exact(others_total)
    b = Fraction(budget_yen(budget))
    return float(b * (s + 1) / (o + s + 1) - b * s / (o + s))


@dataclass
class WhatIf:
    """A what-if: the indicator changes and the entity's 基準額 before (現状) and after (変更後).

    Attributes
    ----------
    changes : pandas.DataFrame
        One row per indicator of the entity: score_before, score_after and gain.
    allocation : pandas.DataFrame
        Two rows, 現状 and 変更後: total score and 基準額 (basis_yen, basis_thousand_yen).
    method : str
        How the other entities' total was taken, in Japanese.

    Examples
    --------
    >>> from grantkit import example_scores, what_if
    >>> w = what_if(example_scores(), "山口県", {"Ⅱ(1)": "max"}, 1_000_000_000, fiscal_year="R1")
    >>> w.difference_yen == int(w.allocation.basis_yen.diff().iloc[1]) > 0
    True
    """

    changes: pd.DataFrame
    allocation: pd.DataFrame
    method: str

    @property
    def difference_yen(self) -> int:
        """基準額 after − before, yen."""
        return int(self.allocation["basis_yen"].iloc[1] - self.allocation["basis_yen"].iloc[0])


def what_if(
    scores: pd.DataFrame,
    entity: str,
    changes: dict[str, float | str],
    budget: int,
    *,
    fiscal_year: int | str | None = None,
    grant: str | None = None,
    level: str | None = None,
    n_entities: int = 47,
    first_insured: pd.Series | pd.DataFrame | None = None,
) -> WhatIf:
    """The entity's 基準額 if given indicators reached given scores (a number, or "max" for full marks).

    Other entities keep their scores. With every entity in the table their totals are used (weighted by
    ``first_insured`` for municipalities); otherwise, for prefectures, the others' total is n × 全国平均 − own
    score (a table of a few prefectures is not the whole denominator).

    Parameters
    ----------
    scores
        A tidy score table holding the entity (and 全国平均, or every entity of its level).
    entity
        Name or code of the entity.
    changes
        Indicator → new score, or "max" / "MAX" / "満点" for full marks.
    budget
        The budget of the entity's level and grant, in yen.
    fiscal_year, grant, level
        Needed only when the table holds more than one.
    n_entities
        The number of entities sharing the budget (47 prefectures).
    first_insured
        第1号被保険者数 per entity_code, for municipalities.

    Returns
    -------
    WhatIf
        ``changes`` (indicator, before, after), ``allocation`` (two rows: 現状 and 変更後, with score and
        基準額) and ``method``; ``difference_yen`` is after − before.

    Raises
    ------
    UnknownSelectionError
        When the entity or an indicator is not in the data, or the year is ambiguous.
    ValidationError
        Listing every new score that is not a number in [0, 配点].

    Examples
    --------
    >>> from grantkit import example_scores
    >>> w = what_if(example_scores(), "山口県", {"Ⅱ(1)": "max"}, 1_000_000_000, fiscal_year="R1")
    >>> w.allocation[["scenario", "score", "basis_thousand_yen"]].values.tolist()
    [['現状', 611.0, 22248], ['変更後', 627.0, 22818]]
    """
    from .compare import resolve_selection

    sel = resolve_selection(
        scores, entity=entity, grant=grant, level=level, years=None if fiscal_year is None else [fiscal_year]
    )
    if len(sel.years) > 1:
        raise UnknownSelectionError(
            f"年度が複数あります。fiscal_year= で選んでください（{'、'.join(era_label(y) for y in sel.years)}）"
        )
    year = sel.years[0]
    leaves = leaves_of(scores)
    part = leaves[leaves["fiscal_year"].eq(year) & leaves["level"].eq(sel.level) & leaves["grant"].eq(sel.grant)]
    own = part[part["entity_code"] == sel.entity_code]
    table = _changed(own, changes)
    others = alternatives_once(part[part["entity_code"].ne(sel.entity_code) & part["entity"].ne(NATIONAL)])
    factor = 1
    complete = others["entity_code"].nunique() + 1 >= n_entities or sel.level != PREFECTURE
    has_national = part["entity"].eq(NATIONAL).any()
    if not complete and not has_national:
        raise UnknownSelectionError(
            f"他の団体の得点が {others['entity_code'].nunique()} 団体分しかなく、全国平均の行もありません。"
            f"全 {n_entities} 団体の表か全国平均の行が必要です"
        )
    if complete and others["entity_code"].nunique() >= 1:
        totals = others.groupby("entity_code")["score"].sum()
        if first_insured is None:
            others_total, method = sum((_exact(round(v, 10)) for v in totals), Fraction(0)), "全団体の得点"
        else:
            n = _keyed(first_insured, "first_insured")
            factor = int(n[sel.entity_code])
            others_total = sum((_exact(round(v, 10)) * int(n[c]) for c, v in totals.items()), Fraction(0))
            method = "全団体の得点×第1号被保険者数"
    else:
        national = alternatives_once(part[part["entity"] == NATIONAL])["score"]
        if national.empty or first_insured is not None:
            raise UnknownSelectionError("他団体の得点も全国平均もありません。全団体の表か全国平均の行が必要です")
        others_total = n_entities * _exact(round(national.sum(), 10)) - _exact(round(_total(table, "score_before"), 10))
        method = f"全国平均×{n_entities}団体"
    rows = []
    for label, column in (("現状", "score_before"), ("変更後", "score_after")):
        weight = _exact(round(_total(table, column), 10)) * factor
        share = Fraction(budget_yen(budget)) * weight / (others_total + weight)
        rows.append(
            {
                "scenario": label,
                "score": round(_total(table, column), 10),
                "basis_yen": math.floor(share),
                "basis_thousand_yen": math.floor(share / UNIT),
            }
        )
    return WhatIf(table, pd.DataFrame(rows), method)


FULL_MARKS = ("max", "満点")


def _total(table: pd.DataFrame, column: str) -> float:
    """The entity's total of ``column``: an alternative (択一) counts once, as its higher branch."""
    alt = table["alternative"] if "alternative" in table.columns else pd.Series("", index=table.index)
    plain = float(table.loc[alt == "", column].sum())
    return plain + float(table[alt != ""].groupby(alt[alt != ""])[column].max().sum())


def _changed(own: pd.DataFrame, changes: dict[str, float | str]) -> pd.DataFrame:
    """The entity's leaves with score_before and score_after; unknown indicators and bad scores are errors."""
    keep = [c for c in ("indicator", "indicator_name", "max_score", "score", "alternative") if c in own.columns]
    table = own[keep].rename(columns={"score": "score_before"})
    table = table.assign(score_after=table["score_before"]).reset_index(drop=True)
    problems = []
    for code, value in changes.items():
        hit = table.index[table["indicator"] == normalize_indicator(code)]
        if hit.empty:
            raise UnknownSelectionError(f"指標「{code}」はありません（ある指標: {'、'.join(table['indicator'])}）")
        mx = table.at[hit[0], "max_score"]
        full = isinstance(value, str) and normalize_text(value).lower() in FULL_MARKS
        try:
            new = mx if full else float(value)
        except (TypeError, ValueError):
            problems.append(
                Problem(f'{value!r} は得点として読めません（数値か、満点なら "max"）', column=code, value=value)
            )
            continue
        if not 0 <= new <= mx:
            problems.append(Problem(f"{value} は 0 から配点 {mx:g} の範囲にありません", column=code, value=value))
        table.loc[hit, "score_after"] = new
    if problems:
        raise ValidationError("what_if の変更", problems)
    return table.assign(gain=table["score_after"] - table["score_before"])
