"""`growth-enrollments`: the project's command line.

    growth-enrollments build [--database PATH] [--keep-failed] [--allow-empty] [dbt build options...]
    growth-enrollments build [--database PATH] --rollback
    growth-enrollments report [--database PATH] [--out report.html]
    growth-enrollments headline

`growth-enrollments COMMAND --help` lists a command's options. The exit
code is the command's: 0 when it did what it was asked, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from growth_enrollments import headline, report, safe_build

DEFAULT_DATABASE = "growth_enrollments.duckdb"


# ---------------------------------------------------------------- build


def add_build(commands) -> None:
    parser = commands.add_parser(
        "build",
        help="dbt build into a copy of the published DuckDB file, then swap it in atomically",
        description="dbt build into a copy of the published DuckDB file, then swap it in atomically.",
        epilog="Any other option is passed to `dbt build`, e.g. --select, --vars, --full-refresh.",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("DUCKDB_PATH", DEFAULT_DATABASE),
        help="the published database (default: $DUCKDB_PATH, else growth_enrollments.duckdb)",
    )
    parser.add_argument("--keep-failed", action="store_true", help="keep the copy of a failed build to look at")
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="publish even if a mart has no rows where the published database has some",
    )
    parser.add_argument(
        "--rollback",
        action="store_true",
        help="swap the previous build back in (the current one becomes the backup); runs no dbt",
    )
    parser.set_defaults(run=run_build, parser=parser, takes_extra_arguments=True)


def run_build(arguments: argparse.Namespace, dbt_arguments: list[str]) -> int:
    if arguments.rollback and dbt_arguments:
        arguments.parser.error(f"--rollback runs no dbt: unexpected {' '.join(dbt_arguments)}")
    return safe_build.run(
        arguments.database, dbt_arguments, arguments.keep_failed, arguments.allow_empty, arguments.rollback
    )


# ---------------------------------------------------------------- report


def add_report(commands) -> None:
    parser = commands.add_parser(
        "report",
        help="write a self-contained HTML report of a built database",
        description="Writes a self-contained HTML report of a built database.",
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("DUCKDB_PATH", DEFAULT_DATABASE),
        help="the built DuckDB file (default: $DUCKDB_PATH, else growth_enrollments.duckdb)",
    )
    parser.add_argument("--out", default="report.html", help="the HTML file to write (default: report.html)")
    parser.set_defaults(run=run_report, parser=parser)


def run_report(arguments: argparse.Namespace, _extra: list[str]) -> int:
    if not Path(arguments.database).exists():
        arguments.parser.error(f"no database at {arguments.database}: run `dbt build` first (or pass --database)")
    out = Path(arguments.out)
    size = report.write_report(arguments.database, out)
    print(f"Wrote {out.resolve()} ({size:,} bytes)")
    return 0


# ---------------------------------------------------------------- headline


def add_headline(commands) -> None:
    parser = commands.add_parser(
        "headline",
        help="print the headline variant counts of the built database",
        description="Prints the users per variant of each experiment run, the users outside every allocation "
        "and the rejected lines by reason, from $DUCKDB_PATH (else growth_enrollments.duckdb), as tables that "
        "fit the terminal.",
    )
    parser.set_defaults(run=run_headline, parser=parser)


def run_headline(_arguments: argparse.Namespace, _extra: list[str]) -> int:
    return headline.print_headline()


# ---------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="growth-enrollments",
        description="Build and report on the growth_enrollments dbt project.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_build(commands)
    add_report(commands)
    add_headline(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code."""
    arguments, extra = build_parser().parse_known_args(argv)
    if extra and not getattr(arguments, "takes_extra_arguments", False):
        arguments.parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return arguments.run(arguments, extra)
