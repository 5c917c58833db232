"""National views from a national workbook: every municipality's grant, and means by prefecture and by peers.

Works on ``load_mhlw(...)``: the tidy ``scores`` and the per-entity ``attributes`` (entity_code, prefecture,
first_insured, size_class, depopulated, score_推進 / score_支援 = published grant totals). The formulas are
those of ``grantkit.allocation`` and ranks those of ``grantkit.compare.rank_among`` (one entity's rank
nationally, in its prefecture or among peers: ``rank_among(scores, entity=..., fiscal_year=...,
attributes=attributes, within="prefecture")``); nothing here re-implements them. Means and shares use the
row set of the table: entities with a score (広域連合 rows without score are not in it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from .allocation import grant_amount, municipal_allocation
from .rates import rate
from .schema import NATIONAL

PEERS = ("size_class", "depopulated")


def grant_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Total score, 配点 and rate per entity and grant (one row each), from the tidy leaves.

    Columns: fiscal_year, level, grant, entity_code, entity, score, max_score, score_rate.

    >>> t = pd.DataFrame({"fiscal_year": 2025, "level": "市町村", "grant": "推進", "entity_code": ["000001"] * 2,
    ...     "entity": "甲町", "indicator": ["1ア", "1イ"], "score": [3.0, 1.0], "max_score": [4.0, 4.0]})
    >>> grant_totals(t)[["score", "max_score", "score_rate"]].values.tolist()
    [[4.0, 8.0, 0.5]]
    """
    keys = [k for k in ("fiscal_year", "level", "grant", "entity_code") if k in scores.columns]
    national = (scores["entity"] == NATIONAL).to_numpy()
    part = scores[~national] if national.any() else scores
    grouped = part.groupby(keys, sort=False, observed=True)
    out = grouped[["score", "max_score"]].sum(min_count=1)
    out.insert(0, "entity", grouped["entity"].first())
    out = out.reset_index()
    out["score_rate"] = rate(out["score"], out["max_score"])
    return out


def national_allocation(totals: pd.DataFrame, attributes: pd.DataFrame, budgets: Mapping[str, int], *,
                        needs: pd.DataFrame | None = None,
                        eligible: Mapping[str, pd.Series | Collection[str]] | None = None,
                        adjustment: Mapping[str, pd.Series] | None = None) -> pd.DataFrame:
    """基準額 of every municipality for each grant (第1号被保険者数 weighting) and 円 per 第1号被保険者.

    ``totals``: one row per entity and grant with entity_code, entity, grant, score (``grant_totals``
    of the tidy table, or ``grant_scores(attributes)``). ``budgets``: grant → 市町村分 budget in yen.
    ``eligible`` / ``adjustment``: per grant, as in ``allocation.municipal_allocation`` (支援 is paid only
    to insurers that qualify). ``needs`` (entity_code, grant, needs_thousand_yen = 所要見込額) adds
    ``confirmed_thousand_yen`` = min(基準額（案）, 所要見込額).

    >>> at = pd.DataFrame({"entity_code": ["000001", "000002"], "first_insured": [2000, 1000]})
    >>> tot = pd.DataFrame({"entity_code": ["000001", "000002"], "entity": ["甲町", "乙村"], "grant": "推進",
    ...     "score": [50.0, 100.0]})
    >>> national_allocation(tot, at, {"推進": 3_000_000})[["entity", "basis_yen", "yen_per_first_insured"]].values.tolist()
    [['甲町', 1500000, 750.0], ['乙村', 1500000, 1500.0]]
    """
    first = attributes.set_index("entity_code")["first_insured"]
    parts = []
    for grant, budget in budgets.items():
        mine = totals[totals["grant"] == grant]
        alloc = municipal_allocation(mine[["entity_code", "entity", "score"]], first, budget,
                                     eligible=None if eligible is None else eligible.get(grant),
                                     adjustment=None if adjustment is None else adjustment.get(grant))
        alloc.insert(0, "grant", grant)
        alloc["yen_per_first_insured"] = alloc["basis_yen"] / alloc["first_insured"]
        parts.append(alloc)
    out = pd.concat(parts, ignore_index=True)
    out.attrs.update(budgets={g: int(b) for g, b in budgets.items()})
    if needs is not None:
        out = out.merge(needs[["entity_code", "grant", "needs_thousand_yen"]], on=["entity_code", "grant"], how="left")
        out["confirmed_thousand_yen"] = grant_amount(out["basis_thousand_yen"], out["needs_thousand_yen"])
    return out


def grant_scores(attributes: pd.DataFrame) -> pd.DataFrame:
    """The published grant totals of ``attributes`` (score_推進, score_支援) as one row per entity and grant.

    >>> at = pd.DataFrame({"entity_code": ["000001"], "entity": ["甲町"], "score_推進": [300.0], "score_支援": [280.0]})
    >>> grant_scores(at)[["grant", "score"]].values.tolist()
    [['推進', 300.0], ['支援', 280.0]]
    """
    grants = [c.removeprefix("score_") for c in attributes.columns if c.startswith("score_")]
    return pd.concat([attributes[["entity_code", "entity"]].assign(grant=g, score=attributes[f"score_{g}"])
                      for g in grants], ignore_index=True)


def group_means(totals: pd.DataFrame, attributes: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Mean total score and rate of the entities per group of ``attributes`` columns, per grant.

    Columns: grant, the ``by`` columns, n, mean_score, mean_rate, median_rate. ``totals`` is
    ``grant_totals(scores)``.
    """
    by = [by] if isinstance(by, str) else list(by)
    joined = totals.merge(attributes[["entity_code", *by]], on="entity_code", how="left")
    g = joined.groupby(["grant", *by], sort=True, observed=True, dropna=False)
    return g.agg(n=("score", "count"), mean_score=("score", "mean"), mean_rate=("score_rate", "mean"),
                 median_rate=("score_rate", "median")).reset_index()


def prefecture_means(totals: pd.DataFrame, attributes: pd.DataFrame) -> pd.DataFrame:
    """Mean rate of the municipalities of each prefecture, per grant (``group_means`` by prefecture).

    Columns: grant, prefecture_code, prefecture, n, mean_score, mean_rate, median_rate.
    """
    return group_means(totals, attributes, ["prefecture_code", "prefecture"])


def peer_means(totals: pd.DataFrame, attributes: pd.DataFrame, by: Sequence[str] = PEERS) -> pd.DataFrame:
    """Mean rate per peer group (default 規模区分 × 過疎地域): fairer comparisons than the national mean."""
    return group_means(totals, attributes, [c for c in by if c in attributes.columns
                                            and attributes[c].notna().any()])


def national_rates(totals: pd.DataFrame, *, grant: str) -> pd.Series:
    """Total rate per entity for one grant, indexed by entity_code: input of the distribution chart.

    >>> tot = pd.DataFrame({"grant": "推進", "entity_code": ["000001"], "score_rate": [0.5]})
    >>> national_rates(tot, grant="推進").to_dict()
    {'000001': 0.5}
    """
    part = totals[totals["grant"] == grant]
    return pd.Series(part["score_rate"].to_numpy(), index=part["entity_code"].astype(str), name="score_rate")
