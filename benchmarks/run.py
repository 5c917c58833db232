"""Benchmarks of the national scale (issue 7): prints a table of case, time, ratio and peak memory.

Run with ``make bench`` (or ``python benchmarks/run.py``). A full-size synthetic municipal workbook
(1,779 rows × about 1,560 columns, 架空データ) is generated once into ``benchmarks/out/`` (gitignored).
Each timed load runs in a fresh Python process so that its peak memory (max RSS) is its own:

* ``load_mhlw (calamine)`` — ``grantkit.load_mhlw`` into the tidy table (target ≤ 3 s, ≤ 1.5 GB);
* ``plain (openpyxl)`` — ``pandas.read_excel(engine="openpyxl")`` on the sheet, then the same tidying;
  the ratio plain / fast is the speed-up (target ≥ 8×);
* ``national_allocation`` — 基準額 of every municipality for both grants (target ≤ 50 ms);
* ``municipal report tables`` — every table of the municipal report for one municipality on the full
  table (目標別, comparisons with the national/prefecture/peer means, ranks, 取組候補, 基準額 with one-point
  and what-if), i.e. the computing part of ``grantkit report --level 市町村`` (target ≤ 3 s);
* ``import grantkit`` (target ≤ 0.6 s).

Like ``make`` and the ``grantkit`` command, the timed cases run with ``NUMPY_MADVISE_HUGEPAGE=0`` unless it is
set otherwise: numpy's default huge-page advice stalls page faults on kernels whose transparent huge pages are
``madvise`` with none free (numpy#31590). The load is also timed with numpy's default so the effect is shown,
next to the kernel's THP settings.

The machine's load average is printed with the table: timings on a shared machine vary with it, so each
load runs ``--repeat`` times (3 by default, each in a fresh process) and the table shows the median with the
range of the runs; the ratio to the plain approach uses the median.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SHEET = "全国集計（市町村）"

LOAD_FAST = """
import json, resource, sys, time
import pandas
from grantkit import load_mhlw
import grantkit.io.mhlw
t = time.perf_counter()
r = load_mhlw(sys.argv[1], level="市町村")
took = time.perf_counter() - t
print(json.dumps({"time": took, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": len(r.scores), "entities": len(r.attributes)}))
"""

LOAD_PLAIN = """
import json, resource, sys, time
from pathlib import Path
import numpy as np
import pandas as pd
import openpyxl
from grantkit.io.mhlw import _read_level
t = time.perf_counter()
frame = pd.read_excel(sys.argv[1], sheet_name=sys.argv[2], header=None, engine="openpyxl")
rows = [[None if isinstance(v, float) and np.isnan(v) else v for v in row] for row in frame.itertuples(index=False)]
r = _read_level(Path(sys.argv[1]), rows, sys.argv[2], "市町村", True)  # the same tidying as load_mhlw
took = time.perf_counter() - t
print(json.dumps({"time": took, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rows": len(r.scores), "entities": len(r.attributes)}))
"""

IMPORT = """
import json, time
t = time.perf_counter()
import grantkit
print(json.dumps({"time": time.perf_counter() - t}))
"""

ALLOCATION = """
import json, sys, time
from grantkit import grant_scores, load_mhlw, national_allocation
r = load_mhlw(sys.argv[1], level="市町村")
totals = grant_scores(r.attributes)
budgets = {"推進": 9_500_000_000, "支援": 19_000_000_000}
times = []
for _ in range(7):
    t = time.perf_counter()
    out = national_allocation(totals, r.attributes, budgets)
    times.append(time.perf_counter() - t)
print(json.dumps({"time": min(times), "rows": len(out)}))
"""

MUNICIPAL = """
import json, sys, time
import grantkit as gk
data = gk.load_municipal_data([sys.argv[1]])
at = data.attributes_of("R7")
entity = data.attributes["entity_code"].iloc[len(data.attributes) // 2]
budgets = {"推進": 9_500_000_000, "支援": 19_000_000_000}
times = []
for _ in range(3):
    t = time.perf_counter()
    gk.goal_table(data.scores, entity=entity, fiscal_year="R7")
    gk.goal_comparison(data.scores, at, entity=entity, fiscal_year="R7")
    gk.peer_table(data.scores, at, entity=entity, fiscal_year="R7")
    zero = gk.zero_items(data.scores, entity=entity, fiscal_year="R7")
    gk.outcome_track(data.scores, entity=entity)
    gk.municipal_grant(data.scores, at, budgets, entity=entity, fiscal_year="R7", zero=zero)
    times.append(time.perf_counter() - t)
print(json.dumps({"time": min(times)}))
"""


def child(code: str, *args: str, hugepage: str | None = None) -> dict:
    """Run ``code`` in a fresh interpreter and return the JSON it prints (``hugepage``: NUMPY_MADVISE_HUGEPAGE)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env["NUMPY_MADVISE_HUGEPAGE"] = hugepage or env.get("NUMPY_MADVISE_HUGEPAGE", "0")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def repeated(code: str, *args: str, times: int, hugepage: str | None = None) -> dict:
    """``child`` run ``times`` times: the median time, the highest peak memory and the range as text."""
    runs = [child(code, *args, hugepage=hugepage) for _ in range(max(times, 1))]
    seconds = sorted(r["time"] for r in runs)
    return {**runs[0], "time": statistics.median(seconds), "rss": max(r["rss"] for r in runs),
            "runs": f"median of {len(runs)}: {seconds[0]:.2f}–{seconds[-1]:.2f} s"}


def workbook(regenerate: bool) -> tuple[Path, float | None]:
    """The full-size synthetic workbook (generated once; time of generation when it was generated now)."""
    path = OUT / "mhlw_full_R7.xlsx"
    if path.exists() and not regenerate:
        return path, None
    sys.path.insert(0, str(ROOT))
    from grantkit.synthetic import FULL_SIZE, national_workbook

    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    national_workbook(path, "R7", "市町村", **FULL_SIZE)
    return path, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regenerate", action="store_true", help="rebuild the full-size workbook")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each load (median shown)")
    parser.add_argument("--skip-plain", action="store_true", help="skip the slow openpyxl baseline")
    args = parser.parse_args()
    load_before = os.getloadavg()
    path, generated = workbook(args.regenerate)
    fast = repeated(LOAD_FAST, str(path), times=args.repeat)
    advised = repeated(LOAD_FAST, str(path), times=args.repeat, hugepage="1")
    plain = None if args.skip_plain else child(LOAD_PLAIN, str(path), SHEET)
    alloc = child(ALLOCATION, str(path))
    municipal = child(MUNICIPAL, str(path))
    imports = min((child(IMPORT) for _ in range(3)), key=lambda r: r["time"])
    load_after = os.getloadavg()

    rows = [("import grantkit", imports["time"], None, None, "≤ 0.6 s")]
    if generated is not None:
        rows.append(("generate full-size workbook (xlsxwriter)", generated, None, None, "—"))
    rows.append((f"load_mhlw (calamine) → tidy table, {fast['runs']}", fast["time"], 1.0, fast["rss"],
                 "≤ 3 s, ≤ 1,536 MB"))
    rows.append((f"load_mhlw, numpy's default huge-page advice, {advised['runs']}", advised["time"],
                 advised["time"] / fast["time"], advised["rss"], "— (effect of NUMPY_MADVISE_HUGEPAGE=0)"))
    if plain is not None:
        rows.append(("plain: read_excel(openpyxl) + same tidying", plain["time"], plain["time"] / fast["time"],
                     plain["rss"], "ratio ≥ 8×"))
    rows.append((f"national_allocation ({alloc['rows']:,} rows: all municipalities × 2 grants)", alloc["time"],
                 None, None, "≤ 0.05 s"))
    rows.append(("municipal report tables for one municipality (full table)", municipal["time"], None, None, "≤ 3 s"))

    print(f"workbook: {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB, {fast['entities']:,} scored "
          f"municipalities, tidy table {fast['rows']:,} rows)")
    print(f"load average (1, 5, 15 min): before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
          f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; CPUs: {os.cpu_count()}")
    print(f"NUMPY_MADVISE_HUGEPAGE={os.environ.get('NUMPY_MADVISE_HUGEPAGE', '0')} (unless a row says otherwise); "
          f"kernel THP enabled: {_thp('enabled')}, defrag: {_thp('defrag')}")
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'time':>9}  {'ratio':>7}  {'peak MB':>8}  target")
    for case, seconds, ratio, rss, target in rows:
        print(f"{case:<{width}}  {seconds:>8.3f}s  {'' if ratio is None else f'{ratio:.1f}×':>7}  "
              f"{'' if rss is None else f'{rss:,.0f}':>8}  {target}")


def _thp(setting: str) -> str:
    """The kernel's transparent huge page setting in force (the bracketed choice), or "n/a"."""
    try:
        text = Path(f"/sys/kernel/mm/transparent_hugepage/{setting}").read_text()
    except OSError:
        return "n/a"
    return text[text.find("[") + 1: text.find("]")] if "[" in text else text.strip()


if __name__ == "__main__":
    main()
