"""Benchmarks of the national scale: one table of case, time, ratio and peak memory, all measured in one run.

Run with ``make bench`` (or ``python benchmarks/run.py``). Full-size synthetic municipal workbooks (1,779 rows ×
about 1,560 columns, 架空データ; R6 and R7) and a tidy CSV of about a million rows cut from the R7 table are
generated once into ``benchmarks/out/`` (gitignored), in a child process. Each timed case runs in a fresh Python
process, so that its peak memory (max RSS) is its own, with its own cache folder (``GRANTKIT_CACHE_DIR``) under
``benchmarks/out/``:

* the full-size workbook: the raw python-calamine parse of the sheet (the floor), a plain openpyxl read-only read
  of the cell values, ``load_mhlw`` cold (``cache=False``: parse only; on two or more cores a large sheet is parsed
  in two blocks at once), the same on one core (the sheet parsed whole), ``load_mhlw`` on an empty cache (parse and
  store), and ``load_mhlw`` from the cache; targets: cold ≤ 1.3× calamine, cached ≤ 0.2 s and ≤ 1/10 of cold,
  peak ≤ 1.5 GiB; openpyxl / cold is the speed-up over the plain approach (≥ 8×); and the floor of a cached load:
  the tidy table's 11 text columns of Python strings built by broadcasting their blocks in a fresh process (the
  memory of 2.65 M object pointers each is touched for the first time);
* the tidy CSV: ``pandas.read_csv`` (the floor) and ``load_scores`` into the validated table (≤ 3 s, ≤ 5× read_csv);
* ``make report`` with nothing changed (its two ``grantkit report`` commands, as ``make -n report`` prints them,
  run a second time with the cache filled by the first run; ≤ 10 s);
* a full-size two-year municipal report (R6 and R7 workbooks), cold (empty cache) and warm (≤ 10 s), the warm one
  also by stage (command start-up and reading, building the report model, writing the HTML page, Excel, charts and
  notebook; ``--only-reports`` runs these alone);
* ``national_allocation``, the municipal report tables and ``import grantkit``, as before.

Timings on a shared machine vary with its load, which is printed with the table: the loads run ``--repeat`` times
(3 by default, each in a fresh process) and show the median with the range; ratios use the medians. Like ``make``
and the ``grantkit`` command, every case runs with ``NUMPY_MADVISE_HUGEPAGE=0`` unless it is set otherwise
(numpy's default huge-page advice stalls page faults on kernels with THP ``madvise`` and none free, numpy#31590).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
SHEET = "全国集計（市町村）"
CSV_ROWS = 1_000_000

HEAD = """
import json, resource, sys, time
def done(t, **more):
    print(json.dumps({"time": time.perf_counter() - t, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      **more}))
"""

CALAMINE = (
    HEAD
    + """
from python_calamine import CalamineWorkbook
t = time.perf_counter()
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name(sys.argv[2]).to_python(skip_empty_area=False)
done(t, rows=len(rows))
"""
)

OPENPYXL = (
    HEAD
    + """
import openpyxl
t = time.perf_counter()
wb = openpyxl.load_workbook(sys.argv[1], read_only=sys.argv[3] == "read_only", data_only=True)
rows = [list(r) for r in wb[sys.argv[2]].iter_rows(values_only=True)]
wb.close()
done(t, rows=len(rows))
"""
)

LOAD_MHLW = (
    HEAD
    + """
import pandas
from grantkit import load_mhlw
import grantkit.io.mhlw, grantkit.io.cache
import os
if sys.argv[3:] == ["one-core"]:  # as on a machine with one CPU: the sheet is parsed whole
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
t = time.perf_counter()
r = load_mhlw(sys.argv[1], level="市町村", cache=sys.argv[2] == "cache")
done(t, rows=len(r.scores), entities=len(r.attributes))
"""
)

TEXT_FLOOR = (
    HEAD
    + """
import numpy as np
from grantkit.provenance import text_array, text_values
entities, leaves = int(sys.argv[1]), int(sys.argv[2])
per_leaf = text_values([f"値{i}" for i in range(leaves)])[:-1]
per_entity = text_values([f"団体{i}" for i in range(entities)])[:-1]
blocks = [per_leaf] * 9 + [per_entity] * 2
t = time.perf_counter()
columns = []
for block in blocks:
    cells = np.empty(entities * leaves, dtype=object)
    cells.reshape(entities, leaves)[...] = block[:, None] if len(block) == entities else block[None, :]
    columns.append(text_array(cells))
done(t, rows=len(columns[0]))
"""
)

READ_CSV = (
    HEAD
    + """
import pandas as pd
if sys.argv[2] == "python":
    pd.options.mode.string_storage = "python"  # as in a session that imported grantkit
t = time.perf_counter()
frame = pd.read_csv(sys.argv[1])
done(t, rows=len(frame))
"""
)

LOAD_SCORES = (
    HEAD
    + """
import pandas
from grantkit import load_scores
import grantkit.io.csv, grantkit.io.cache, grantkit.schema
t = time.perf_counter()
table = load_scores(sys.argv[1], cache=sys.argv[2] == "cache")
done(t, rows=len(table))
"""
)

IMPORT = """
import json, time
t = time.perf_counter()
import grantkit
print(json.dumps({"time": time.perf_counter() - t}))
"""

ALLOCATION = """
import json, sys, time
from grantkit import load_mhlw, national_allocation
from grantkit.national import grant_scores
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
from grantkit.municipal import outcome_track
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
    outcome_track(data.scores, entity=entity)
    gk.municipal_grant(data.scores, at, budgets, entity=entity, fiscal_year="R7", zero=zero)
    times.append(time.perf_counter() - t)
print(json.dumps({"time": min(times)}))
"""


def environment(cache: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    env.pop("GRANTKIT_NO_CACHE", None)
    env["GRANTKIT_CACHE_DIR"] = str(cache or OUT / "cache")
    return env


def child(code: str, *args: str, cache: Path | None = None) -> dict:
    """Run ``code`` in a fresh interpreter and return the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=environment(cache), check=False
    )
    if done.returncode:
        raise SystemExit(f"benchmark case failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def repeated(code: str, *args: str, times: int, fresh_cache: bool = False) -> dict:
    """``child`` run ``times`` times (``fresh_cache``: each on an empty cache folder): the median time, the highest
    peak memory and the range as text."""
    runs = []
    for _ in range(max(times, 1)):
        folder = OUT / "cache-cold"
        if fresh_cache:
            shutil.rmtree(folder, ignore_errors=True)
        runs.append(child(code, *args, cache=folder if fresh_cache else None))
    seconds = sorted(r["time"] for r in runs)
    return {
        **runs[0],
        "time": statistics.median(seconds),
        "rss": max(r.get("rss", 0) for r in runs),
        "runs": f"median of {len(runs)}: {seconds[0]:.2f}–{seconds[-1]:.2f} s",
    }


def timed_commands(commands: list[list[str]], cache: Path) -> float:
    """Wall time of shell commands run one after the other with ``cache`` as the cache folder."""
    t = time.perf_counter()
    for argv in commands:
        done = subprocess.run(argv, capture_output=True, text=True, env=environment(cache), check=False)
        if done.returncode:
            raise SystemExit(f"command failed: {shlex.join(argv)}\n{done.stderr[-3000:]}")
    return time.perf_counter() - t


def staged_command(argv: list[str], cache: Path) -> dict[str, float]:
    """Wall time of one ``grantkit report`` command and of its stages, read from its progress lines on stderr
    ("[2/4] …" starts building the report, "[3/4] …" writing it): ``load`` (start-up, reading the files, checking the
    selection), ``build`` (every table, chart and sentence of the report model), ``write`` (HTML page, Excel, PNG/SVG,
    the report's notebook and the move into place)."""
    t = time.perf_counter()
    marks: dict[str, float] = {}
    with subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment(cache)
    ) as proc:
        tail = []
        for line in proc.stderr:
            for step in ("[2/4]", "[3/4]"):
                if line.startswith(step):
                    marks.setdefault(step, time.perf_counter() - t)
            tail = [*tail[-40:], line]
    total = time.perf_counter() - t
    if proc.returncode or len(marks) < 2:
        raise SystemExit(f"command failed: {shlex.join(argv)}\n{''.join(tail)[-3000:]}")
    return {
        "total": total,
        "load": marks["[2/4]"],
        "build": marks["[3/4]"] - marks["[2/4]"],
        "write": total - marks["[3/4]"],
    }


def workbooks(regenerate: bool) -> tuple[dict[str, Path], float | None]:
    """The full-size synthetic workbooks of R6 and R7 (generated once; seconds taken when generated now)."""
    paths = {y: OUT / f"mhlw_full_{y}.xlsx" for y in ("R6", "R7")}
    missing = [y for y, p in paths.items() if regenerate or not p.exists()]
    if not missing:
        return paths, None
    sys.path.insert(0, str(ROOT))
    from grantkit.testing.synthetic import FULL_SIZE, national_workbook

    OUT.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    for y in missing:
        national_workbook(paths[y], y, "市町村", **FULL_SIZE)
    return paths, time.perf_counter() - t


def tidy_csv(workbook: Path, regenerate: bool) -> Path:
    """About a million rows of the full-size R7 table as the documented tidy CSV (whole municipalities)."""
    path = OUT / "tidy_1m.csv"
    if path.exists() and not regenerate:
        return path
    sys.path.insert(0, str(ROOT))
    from grantkit import load_mhlw
    from grantkit.schema import OPTIONAL, REQUIRED

    scores = load_mhlw(workbook, level="市町村", cache=False).scores
    # the tidy format knows an entity by its name in a year: towns of one name in two prefectures get their code
    names = scores[["entity_code", "entity"]].drop_duplicates()
    twins = set(names.loc[names["entity"].duplicated(keep=False), "entity_code"])
    scores = scores.assign(
        entity=scores["entity"].where(
            ~scores["entity_code"].isin(twins), scores["entity"] + "（" + scores["entity_code"] + "）"
        )
    )
    per_entity = len(scores) // len(names)
    keep = set(names["entity_code"].iloc[: -(-CSV_ROWS // per_entity)])
    table = scores[scores["entity_code"].isin(keep)][REQUIRED + [c for c in OPTIONAL if c in scores.columns]]
    table.to_csv(path, index=False)
    return path


def make_report_commands(out: Path) -> list[list[str]]:
    """``make report`` as a user runs it, with the venv of this Python (not rebuilt) and output into ``out``."""
    bin_dir = Path(sys.executable).parent
    return [["make", "-C", str(ROOT), "--no-print-directory", "report", "STAMP=", f"BIN={bin_dir}", f"OUT={out}"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regenerate", action="store_true", help="rebuild the full-size workbooks and the CSV")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each load (median shown)")
    parser.add_argument("--skip-plain", action="store_true", help="skip the slow openpyxl baseline")
    parser.add_argument("--skip-reports", action="store_true", help="skip the report runs")
    parser.add_argument("--only-reports", action="store_true", help="run the report cases only")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)  # the inputs, in a child process
    args = parser.parse_args()
    if args.prepare:
        books, generated = workbooks(args.regenerate)
        tidy_csv(books["R7"], args.regenerate)
        print(json.dumps({"generated": generated}))
        return
    # the inputs are made in a child process: a child of this one inherits its peak memory (ru_maxrss)
    prepare = subprocess.run(
        [sys.executable, __file__, "--prepare", *(["--regenerate"] * args.regenerate)],
        capture_output=True,
        text=True,
        env=environment(),
        check=False,
    )
    if prepare.returncode:
        raise SystemExit(f"making the inputs failed:\n{prepare.stderr[-3000:]}")
    generated = json.loads(prepare.stdout.strip().splitlines()[-1])["generated"]
    books = {y: OUT / f"mhlw_full_{y}.xlsx" for y in ("R6", "R7")}
    csv_path = OUT / "tidy_1m.csv"
    if args.only_reports:
        print_reports(report_times())
        return
    load_before = os.getloadavg()
    r7 = str(books["R7"])
    shutil.rmtree(OUT / "cache", ignore_errors=True)

    calamine = repeated(CALAMINE, r7, SHEET, times=args.repeat)
    cold = repeated(LOAD_MHLW, r7, "nocache", times=args.repeat)
    one_core = repeated(LOAD_MHLW, r7, "nocache", "one-core", times=args.repeat)
    stored = repeated(LOAD_MHLW, r7, "cache", times=args.repeat, fresh_cache=True)
    child(LOAD_MHLW, r7, "cache")  # fills the cache of the next case
    cached = repeated(LOAD_MHLW, r7, "cache", times=args.repeat)
    floor = repeated(TEXT_FLOOR, str(cold["entities"]), str(cold["rows"] // cold["entities"]), times=args.repeat)
    plain = None if args.skip_plain else child(OPENPYXL, r7, SHEET, "plain")
    read_only = None if args.skip_plain else child(OPENPYXL, r7, SHEET, "read_only")
    read_csv = repeated(READ_CSV, str(csv_path), "auto", times=args.repeat)
    read_csv_python = repeated(READ_CSV, str(csv_path), "python", times=args.repeat)
    scores = repeated(LOAD_SCORES, str(csv_path), "nocache", times=args.repeat)
    scores_cached = repeated(LOAD_SCORES, str(csv_path), "cache", times=args.repeat, fresh_cache=True)
    alloc = child(ALLOCATION, r7)
    municipal = child(MUNICIPAL, r7)
    imports = min((child(IMPORT) for _ in range(3)), key=lambda r: r["time"])
    reports = None if args.skip_reports else report_times()
    load_after = os.getloadavg()

    rows = [("import grantkit", imports["time"], None, None, "≤ 0.6 s")]
    if generated is not None:
        rows.append(("generate the full-size workbooks (xlsxwriter)", generated, None, None, "—"))
    rows += [
        (
            f"raw python-calamine parse of the sheet (floor), {calamine['runs']}",
            calamine["time"],
            1.0,
            calamine["rss"],
            "—",
        ),
        (
            f"load_mhlw cold (parse only, cache=False), {cold['runs']}",
            cold["time"],
            cold["time"] / calamine["time"],
            cold["rss"],
            "≤ 1.3× calamine, ≤ 1,536 MB",
        ),
        (
            f"  the same on one core (the sheet parsed whole, not in two blocks), {one_core['runs']}",
            one_core["time"],
            one_core["time"] / calamine["time"],
            one_core["rss"],
            "—",
        ),
        (
            f"load_mhlw on an empty cache (parse and store), {stored['runs']}",
            stored["time"],
            stored["time"] / calamine["time"],
            stored["rss"],
            "—",
        ),
        (
            f"load_mhlw from the cache, {cached['runs']}",
            cached["time"],
            cached["time"] / cold["time"],
            cached["rss"],
            "≤ 0.2 s, ≤ 0.1× cold",
        ),
        (
            f"  its floor: the 11 text columns as Python strings, broadcast, {floor['runs']}",
            floor["time"],
            floor["time"] / cold["time"],
            floor["rss"],
            "—",
        ),
    ]
    if plain is not None:
        rows += [
            (
                "plain openpyxl read of the cell values (load_workbook as it comes)",
                plain["time"],
                plain["time"] / cold["time"],
                plain["rss"],
                "≥ 8× cold",
            ),
            (
                "openpyxl read_only read of the cell values (its fast mode)",
                read_only["time"],
                read_only["time"] / cold["time"],
                read_only["rss"],
                "—",
            ),
        ]
    rows += [
        (
            f"pandas.read_csv of the tidy CSV (floor, pyarrow strings), {read_csv['runs']}",
            read_csv["time"],
            1.0,
            read_csv["rss"],
            "—",
        ),
        (
            f"pandas.read_csv, Python strings as grantkit sets them, {read_csv_python['runs']}",
            read_csv_python["time"],
            read_csv_python["time"] / read_csv["time"],
            read_csv_python["rss"],
            "—",
        ),
        (
            f"load_scores → validated table (cache=False), {scores['runs']}",
            scores["time"],
            scores["time"] / read_csv["time"],
            scores["rss"],
            "≤ 3 s, ≤ 5× read_csv",
        ),
        (
            f"load_scores on an empty cache (parse and store), {scores_cached['runs']}",
            scores_cached["time"],
            scores_cached["time"] / read_csv["time"],
            scores_cached["rss"],
            "—",
        ),
        (
            f"national_allocation ({alloc['rows']:,} rows: all municipalities × 2 grants)",
            alloc["time"],
            None,
            None,
            "≤ 0.05 s",
        ),
        ("municipal report tables for one municipality (full table)", municipal["time"], None, None, "≤ 3 s"),
    ]
    if reports is not None:
        rows += [
            ("make report, nothing changed (both reports)", reports["make"], None, None, "≤ 10 s"),
            ("make report FORCE=1 (both reports made again, cache warm)", reports["forced"], None, None, "—"),
            ("full-size two-year municipal report, cold (empty cache)", reports["cold"]["total"], None, None, "—"),
            ("full-size two-year municipal report, warm", reports["warm"]["total"], None, None, "≤ 10 s"),
        ]
        rows += [
            (
                "  warm report: command start-up, reading the files, checking the selection",
                reports["warm"]["load"],
                None,
                None,
                "—",
            ),
            ("  warm report: building the report (tables, charts, prose)", reports["warm"]["build"], None, None, "—"),
            ("  warm report: writing HTML, Excel, charts and notebook", reports["warm"]["write"], None, None, "—"),
        ]

    print(
        f"workbook: {books['R7'].relative_to(ROOT)} ({books['R7'].stat().st_size / 1e6:.1f} MB, "
        f"{cold['entities']:,} scored municipalities, tidy table {cold['rows']:,} rows); CSV: "
        f"{csv_path.relative_to(ROOT)} ({csv_path.stat().st_size / 1e6:.0f} MB, {scores['rows']:,} rows)"
    )
    print(
        f"load average (1, 5, 15 min): before {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, "
        f"after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; CPUs: {os.cpu_count()}"
    )
    print(
        f"NUMPY_MADVISE_HUGEPAGE={environment()['NUMPY_MADVISE_HUGEPAGE']}; kernel THP enabled: {_thp('enabled')}, "
        f"defrag: {_thp('defrag')}"
    )
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'time':>9}  {'ratio':>7}  {'peak MB':>8}  target")
    for case, seconds, ratio, rss, target in rows:
        print(
            f"{case:<{width}}  {seconds:>8.3f}s  {'' if ratio is None else f'{ratio:.2f}×':>7}  "
            f"{'' if rss is None else f'{rss:,.0f}':>8}  {target}"
        )


def print_reports(reports: dict[str, object]) -> None:
    """The report cases alone (``--only-reports``)."""
    print(f"load average (1 min): {os.getloadavg()[0]:.2f}; CPUs: {os.cpu_count()}")
    print(f"make report, nothing changed: {reports['make']:.3f}s")
    for kind in ("cold", "warm"):
        stages = reports[kind]
        print(
            f"full-size two-year municipal report, {kind}: {stages['total']:.3f}s (load {stages['load']:.3f}s, "
            f"build {stages['build']:.3f}s, write {stages['write']:.3f}s)"
        )


def report_times() -> dict[str, object]:
    """``make report`` run twice (the second is timed) and a full-size two-year municipal report, cold then warm."""
    out = OUT / "reports"
    shutil.rmtree(out, ignore_errors=True)
    cache = OUT / "cache-reports"
    shutil.rmtree(cache, ignore_errors=True)
    commands = make_report_commands(out)
    timed_commands(commands, cache)  # makes both reports
    make_warm = timed_commands(commands, cache)  # nothing changed: make finds both reports up to date
    forced = timed_commands([[*argv, "FORCE=1"] for argv in commands], cache)
    sys.path.insert(0, str(ROOT))
    from grantkit.examples import example_path
    from grantkit.io.mhlw import load_mhlw

    entity = str(load_mhlw(OUT / "mhlw_full_R7.xlsx", level="市町村", cache=False).attributes["entity_code"].iloc[100])
    municipal = [
        str(Path(sys.executable).parent / "grantkit"),
        "report",
        "--level",
        "市町村",
        "--entity",
        entity,
        "--year",
        "R7",
        "--data",
        str(OUT / "mhlw_full_R6.xlsx"),
        str(OUT / "mhlw_full_R7.xlsx"),
        "--budgets",
        str(example_path("budgets_synthetic.csv")),
        "--out",
        str(out),
    ]
    full_cache = OUT / "cache-full"
    shutil.rmtree(full_cache, ignore_errors=True)
    cold = staged_command(municipal, full_cache)
    warm = staged_command(municipal, full_cache)
    return {"make": make_warm, "forced": forced, "cold": cold, "warm": warm}


def _thp(setting: str) -> str:
    """The kernel's transparent huge page setting in force (the bracketed choice), or "n/a"."""
    try:
        text = Path(f"/sys/kernel/mm/transparent_hugepage/{setting}").read_text()
    except OSError:
        return "n/a"
    return text[text.find("[") + 1 : text.find("]")] if "[" in text else text.strip()


if __name__ == "__main__":
    main()
