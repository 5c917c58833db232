"""The ``grantkit`` command: ``grantkit report --entity 山口県 --base H30 --target R1``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from .errors import GrantkitError


def _bundled(name: str) -> str:
    from .examples import example_path

    return str(example_path(name))


EXAMPLE = "例: grantkit report --entity 山口県 --base H30 --target R1"


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
    parser = _Parser(prog="grantkit", description="保険者機能強化推進交付金・努力支援交付金の分析キット", epilog=EXAMPLE)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    rep = sub.add_parser("report", epilog=EXAMPLE, help="年次報告書（HTML・Excel・PNG・実行済みノートブック）を作成する")
    rep.add_argument("--entity", required=True, help="団体名または団体コード（例: 山口県、35）")
    rep.add_argument("--base", required=True, help="基準年度（例: H30、2018、平成30年度）")
    rep.add_argument("--target", required=True, help="比較年度（例: R1、2019、令和元年度）")
    rep.add_argument("--data", default=None, help="得点表（CSV または Excel）。省略時は同梱の山口県データ")
    rep.add_argument("--utilization", default=None, help="活用状況 CSV（省略時: --data 省略なら同梱データ、指定ならなし）")
    rep.add_argument("--projects", default=None, help="活用事業 CSV（同上）")
    rep.add_argument("--budgets", default=None, help="予算額 CSV（省略時は同梱の budgets.csv）")
    rep.add_argument("--out", default="reports", help="出力先フォルダ（既定: reports）")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 for a problem with the input or the selection)."""
    args = build_parser().parse_args(argv)
    from .report import run_report

    bundled = args.data is None
    try:
        folder = run_report(
            entity=args.entity, base=args.base, target=args.target,
            data=args.data or _bundled("yamaguchi_scores.csv"), out=Path(args.out),
            utilization=args.utilization or (_bundled("utilization_yamaguchi.csv") if bundled else None),
            projects=args.projects or (_bundled("projects_yamaguchi.csv") if bundled else None),
            budgets=args.budgets or _bundled("budgets.csv"),
        )
    except GrantkitError as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
