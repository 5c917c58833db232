"""National views from a national workbook: every municipality's grant, prefecture means, totals per grant."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .allocation import grant_amount, municipal_allocation
from .rates import rate


def grant_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """Total score, 配点 and rate per entity and grant (one row each), from the tidy leaves.

    Columns: fiscal_year, grant, entity_code, entity, score, max_score, score_rate.
    """
    keys = ["fiscal_year", "grant", "entity_code", "entity"]
    out = scores.groupby(keys, sort=False)[["score", "max_score"]].sum().reset_index()
    out["score_rate"] = rate(out["score"], out["max_score"])
    return out


def national_allocation(scores: pd.DataFrame, attributes: pd.DataFrame, budgets: Mapping[str, int], *,
                        needs: pd.DataFrame | None = None, eligible: Mapping[str, object] | None = None) -> pd.DataFrame:
    """基準額 of every municipality for each grant with the 第1号被保険者数 weighting, and 円 per 第1号被保険者.

    ``budgets`` maps grant ("推進", "支援") → 市町村分 budget in yen. With ``needs`` (entity_code, grant,
    needs_thousand_yen = 所要見込額) the 確定額 = min(基準額, 所要見込額) is added. ``eligible`` maps a grant to
    the codes (or bool Series) that may receive it (支援 is only paid to insurers that qualify).
    """
    totals = grant_totals(scores)
    first = attributes.set_index("entity_code")["first_insured"]
    parts = []
    for grant, budget in budgets.items():
        t = totals[totals["grant"] == grant]
        alloc = municipal_allocation(t[["entity_code", "entity", "score"]], first, budget,
                                     eligible=None if eligible is None else eligible.get(grant))
        alloc.insert(0, "grant", grant)
        alloc["yen_per_first_insured"] = alloc["basis_yen"] / alloc["first_insured"]
        parts.append(alloc)
    out = pd.concat(parts, ignore_index=True)
    if needs is not None:
        merged = out.merge(needs[["entity_code", "grant", "needs_thousand_yen"]], on=["entity_code", "grant"], how="left")
        merged["confirmed_thousand_yen"] = grant_amount(merged["basis_thousand_yen"], merged["needs_thousand_yen"])
        out = merged
    return out


def prefecture_means(scores: pd.DataFrame, attributes: pd.DataFrame, *, grant: str | None = None) -> pd.DataFrame:
    """Mean total rate of the municipalities of each prefecture (all grants together unless ``grant``).

    Columns: prefecture_code, prefecture, n, mean_rate. The row set is the municipalities with a score.
    """
    part = scores if grant is None else scores[scores["grant"] == grant]
    per = part.groupby("entity_code")[["score", "max_score"]].sum()
    per["rate"] = rate(per["score"], per["max_score"])
    joined = per.join(attributes.set_index("entity_code")[["prefecture_code", "prefecture"]])
    out = joined.groupby(["prefecture_code", "prefecture"])["rate"].agg(n="count", mean_rate="mean").reset_index()
    return out
