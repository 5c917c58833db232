"""The ``grantkit`` command: ``grantkit report --entity 山口県 --base H30 --target R1``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from .domain import GRANTS, LEVELS, MUNICIPALITY, PREFECTURE
from .errors import GrantkitError


def _bundled(name: str) -> str:
    from .examples import example_path

    return str(example_path(name))


EXAMPLE = (
    "例: grantkit report --entity 山口県 --base H30 --target R1\n"
    "    grantkit report --level 市町村 --entity 青森県ゆうひさき町 --year R7\n"
    "    grantkit report --prefecture 北海道 --year R7\n"
    "    grantkit report --level 市町村 --entity つばきの森市 --entity 020011 --year R7\n"
    "    grantkit inspect 01_（掲載用）令和8年度評価結果（市町村分）.xlsx"
)
MUNICIPAL_SAMPLE = ("mhlw_sample_R6.xlsx", "mhlw_sample_R7.xlsx")


class _Entities(argparse.Action):
    """``--entity`` given once or repeated: ``entity`` is the first, ``entities`` all of them in order."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        given = [*(getattr(namespace, "entities", None) or []), values]
        namespace.entities = given
        namespace.entity = given[0]


class _Parser(argparse.ArgumentParser):
    """argparse with the problem stated in Japanese first (argparse's own wording follows in brackets)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"エラー: コマンドの指定が正しくありません（{message}）\n{EXAMPLE}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (Japanese help).

    >>> build_parser().parse_args(["report", "--entity", "山口県", "--base", "H30", "--target", "R1"]).out
    'reports'
    """
    parser = _Parser(
        prog="grantkit",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="保険者機能強化推進交付金・努力支援交付金の分析キット",
        epilog=EXAMPLE,
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    rep = sub.add_parser(
        "report",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="年次報告書（HTML・Excel・PNG・実行済みノートブック）を作成する",
    )
    rep.add_argument(
        "--level",
        default=PREFECTURE,
        choices=LEVELS,
        help="都道府県: 得点表の2か年比較（既定）。市町村: 全国の評価結果から1市町村の報告書",
    )
    rep.add_argument(
        "--entity",
        action=_Entities,
        default=None,
        help="団体名または団体コード・保険者番号（例: 山口県、35、青森県ゆうひさき町、020011）。"
        "市町村は繰り返すと複数団体の比較表（--level 市町村）",
    )
    rep.add_argument(
        "--entities",
        default=None,
        dest="entity_list",
        help="市町村: 比較する団体の一覧ファイル（1行に1団体。# で始まる行は読み飛ばし）",
    )
    rep.set_defaults(entities=None)
    rep.add_argument(
        "--prefecture",
        default=None,
        help="都道府県名（例: 北海道）。全国の評価結果からその都道府県の市町村の報告書（--year と --data）",
    )
    rep.add_argument("--base", default=None, help="都道府県: 基準年度（例: H30、2018、平成30年度）")
    rep.add_argument("--target", default=None, help="都道府県: 比較年度（例: R1、2019、令和元年度）")
    rep.add_argument(
        "--grant",
        default=None,
        choices=GRANTS,
        help="都道府県: 交付金（得点表に推進と支援の両方がある年度、R2 以降）。市町村の報告書は両方を載せます",
    )
    rep.add_argument("--year", default=None, help="市町村: 交付年度（例: R7）。前年度のファイルもあれば前年度と比較")
    rep.add_argument(
        "--data",
        action="extend",
        nargs="+",
        default=None,
        metavar="FILE",
        help="都道府県: 得点表（CSV または Excel）。市町村: 全国の評価結果（年度ごとに1ファイル。"
        "--data a.xlsx b.xlsx でも --data を繰り返しても可）。省略時は同梱データ（市町村は架空データ）",
    )
    rep.add_argument(
        "--utilization", default=None, help="活用状況 CSV（省略時: --data 省略なら同梱データ、指定ならなし）"
    )
    rep.add_argument("--projects", default=None, help="活用事業 CSV（同上）")
    rep.add_argument(
        "--budgets",
        default=None,
        help="予算額 CSV（省略時は同梱の budgets.csv。市町村で --data 省略時は架空の budgets_synthetic.csv）",
    )
    rep.add_argument("--out", default="reports", help="出力先フォルダ（既定: reports）")
    rep.add_argument(
        "--no-cache",
        action="store_true",
        help="読み込んだファイルのキャッシュを使わず、残さない（環境変数 GRANTKIT_NO_CACHE=1 と同じ）",
    )
    ins = sub.add_parser(
        "inspect", help="全国の評価結果ファイルをどう読んだかを表示する（新しい年度のファイルを最初に確かめる）"
    )
    ins.add_argument("files", nargs="+", metavar="FILE", help="全国の評価結果（xlsx）。複数指定できます")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 for a problem with the input or the selection).

    A problem is one line 「エラー: …」 on stderr, never a traceback; the report folder is printed on success.

    >>> main(["report", "--entity", "どこにもない県", "--base", "H30", "--target", "R1"])
    2
    """
    # Before numpy is imported here or in the report kernel (which inherits the environment): numpy's
    # default madvise(MADV_HUGEPAGE) stalls page faults on kernels with THP "madvise" and no free huge pages
    # (numpy#31590; 320 MB filled in 1.1 s instead of 0.15 s on the CI machine). A value the user set wins.
    os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "inspect":
        return _inspect(args.files)
    many = len(args.entities or []) > 1 or args.entity_list
    if args.entity is None and not args.prefecture and not args.entity_list:
        parser.error("--entity（団体名）か --prefecture（都道府県名）を指定してください")
    from .io.cache import run_cache

    try:
        with run_cache(disabled=args.no_cache):  # the report's kernel reads each file from the same cache
            if args.prefecture:
                folder = _prefecture_municipalities(args, parser)
            elif args.level == MUNICIPALITY:
                folder = _group(args, parser) if many else _municipal(args, parser)
            else:
                if many:
                    parser.error("複数団体の比較表は市町村です（--level 市町村 を付けてください）")
                folder = _prefecture(args, parser)
    except GrantkitError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:  # a dependency was removed from the environment after installing grantkit
        if (exc.name or "grantkit").partition(".")[0] == "grantkit":
            raise
        print(
            f"エラー: 報告書の作成に必要なパッケージ {exc.name} が入っていません。"
            "pip install grantkit（ノートブックも実行するなら 'grantkit[report]'）で入れ直してください",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:
        print(f"エラー: {_os_error_message(exc, Path(args.out))}", file=sys.stderr)
        return 2
    print(folder)
    return 0


def _os_error_message(exc: OSError, out: Path) -> str:
    """What went wrong with a file, blaming the output folder only when the file is in it.

    >>> print(_os_error_message(PermissionError(13, "Permission denied", "reports/x"), Path("reports")))
    reports/x: 書き込めません（Permission denied）。--out に書き込めるフォルダを指定してください
    >>> print(_os_error_message(FileNotFoundError(2, "No such file or directory", "/in/a.csv"), Path("reports")))
    /in/a.csv: 読み込めません（No such file or directory）
    """
    name = exc.filename
    reason = exc.strerror or str(exc)
    if name is None:
        return f"ファイルの読み書きに失敗しました（{reason}）"
    path = Path(name).resolve()
    if path == out.resolve() or out.resolve() in path.parents:
        return f"{name}: 書き込めません（{reason}）。--out に書き込めるフォルダを指定してください"
    return f"{name}: 読み込めません（{reason}）"


def _inspect(files: list[str]) -> int:
    """Print what each file was read as; the errors (and status 2) when a file cannot be read."""
    from .io.mhlw.inspect import inspect_files

    text, errors = inspect_files(files)
    if text:
        print(text)
    for e in errors:
        print(f"エラー: {e}", file=sys.stderr)
    return 2 if errors else 0


def _prefecture(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Path:
    from .report.prefecture import run_report

    if not (args.base and args.target) or args.year:
        parser.error("都道府県の報告書には --base と --target を指定します（--year は --level 市町村 のとき）")
    if args.data and len(args.data) > 1:
        parser.error("都道府県の報告書の --data は1つです")
    bundled = args.data is None
    return run_report(
        entity=args.entity,
        base=args.base,
        target=args.target,
        data=args.data[0] if args.data else _bundled("yamaguchi_scores.csv"),
        out=Path(args.out),
        utilization=args.utilization or (_bundled("utilization_yamaguchi.csv") if bundled else None),
        projects=args.projects or (_bundled("projects_yamaguchi.csv") if bundled else None),
        budgets=args.budgets or _bundled("budgets.csv"),
        grant=args.grant,
    )


def _municipal(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Path:
    from .report.municipal import run_municipal_report

    if not args.year or args.base or args.target:
        parser.error("市町村の報告書には --year を指定します（--base・--target は都道府県のとき）")
    if args.grant:
        parser.error("市町村の報告書は推進・支援の両方を載せます（--grant は都道府県のとき）")
    if args.utilization or args.projects:
        parser.error("--utilization・--projects は都道府県の報告書の指定です")
    bundled = args.data is None
    return run_municipal_report(
        entity=args.entity,
        year=args.year,
        out=Path(args.out),
        data=[_bundled(n) for n in MUNICIPAL_SAMPLE] if bundled else args.data,
        budgets=args.budgets or _bundled("budgets_synthetic.csv" if bundled else "budgets.csv"),
    )


def _national_data(args: argparse.Namespace, parser: argparse.ArgumentParser, what: str) -> list[str]:
    """The national workbooks of ``--data`` (the bundled 架空 samples when left out); --year required."""
    if not args.year or args.base or args.target:
        parser.error(f"{what}には --year を指定します（--base・--target は都道府県の得点表のとき）")
    if args.grant or args.utilization or args.projects or args.budgets:
        parser.error(f"{what}は推進・支援の両方を載せ、--grant・--utilization・--projects・--budgets は使いません")
    return [_bundled(n) for n in MUNICIPAL_SAMPLE] if args.data is None else list(args.data)


def _prefecture_municipalities(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Path:
    from .report.prefecture_municipalities import run_prefecture_report

    if args.entity is not None or args.entity_list:
        parser.error("--prefecture の報告書は都道府県内の全市町村です（--entity・--entities は使いません）")
    data = _national_data(args, parser, "県内市町村の報告書")
    return run_prefecture_report(prefecture=args.prefecture, year=args.year, data=data, out=Path(args.out))


def _group(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Path:
    from .report.group import read_entity_list, run_group_report

    data = _national_data(args, parser, "複数団体の比較表")
    entities = [*(args.entities or []), *(read_entity_list(args.entity_list) if args.entity_list else [])]
    return run_group_report(entities=entities, year=args.year, data=data, out=Path(args.out))


def command() -> NoReturn:
    """The ``grantkit`` command: ``main`` on the command line's arguments, then the process ends at once with its
    status, its output flushed, without freeing its tables object by object (a two-year national table holds tens
    of millions of them: 0.6 s). Every file was closed and moved into place before; an error escaping ``main`` (a
    bug) ends the process as usual, with its traceback."""
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    command()
