"""`growth-enrollments`: the project's command line.

    growth-enrollments build [--database PATH] [--keep-failed] [--allow-empty] [dbt build options...]
    growth-enrollments build [--database PATH] --rollback
    growth-enrollments report [--database PATH] [--out report.html]
    growth-enrollments generate --out FOLDER [--preset sample|messy|benchmark] [...]
    growth-enrollments headline

`growth-enrollments COMMAND --help` lists a command's options. The exit
code is the command's: 0 when it did what it was asked, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from growth_enrollments import headline, report, safe_build
from growth_enrollments.generate import (
    PRESETS,
    WIKI_BY_DATABASE,
    GeneratorConfig,
    clean_output,
    preset_config,
    write_dataset,
)

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


# ---------------------------------------------------------------- generate


def parse_skew(text: str) -> tuple[str, float]:
    """WIKI:SHARE of --skew-wiki, for a wiki with two variants and a share in [0, 1]."""
    wiki, _, share = text.partition(":")
    if wiki not in WIKI_BY_DATABASE or WIKI_BY_DATABASE[wiki].allocation == "control_only":
        raise argparse.ArgumentTypeError(f"{wiki!r} has no two-variant allocation")
    try:
        value = float(share)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"share {share!r} is not a number") from error
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("share must be between 0 and 1")
    return wiki, value


def add_generate(commands) -> None:
    parser = commands.add_parser(
        "generate",
        help="write realistic raw experiment_enrollment events",
        description="Write realistic raw experiment_enrollment events (newline-delimited JSON, plain and gzip) "
        "in the data lake's datacenter=/year=/month=/day=/hour= folders.",
        epilog="Example: growth-enrollments generate --preset sample --out sample_data/events --clean",
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="sample", help="sample (shipped sample), messy (tests), benchmark (2M lines); default sample")
    parser.add_argument("--events", type=int, help="number of raw lines in the span (default: the preset's)")
    parser.add_argument("--seed", type=int, default=GeneratorConfig.seed, help="random seed (default %(default)s)")
    parser.add_argument("--out", required=True, help="output folder (the datacenter=... folders go in it)")
    parser.add_argument("--start", type=dt.date.fromisoformat, help="first day, YYYY-MM-DD (default: the preset's)")
    parser.add_argument("--days", type=int, help="number of days (default: the preset's)")
    parser.add_argument("--append-day", action="store_true", help="write only the day after the span (run with the same options as before)")
    parser.add_argument("--skew-wiki", type=parse_skew, action="append", default=[], metavar="WIKI:SHARE", help="share of the non-control variant on a wiki, e.g. frwiki:0.53 (repeatable)")
    parser.add_argument("--compresslevel", type=int, choices=range(1, 10), metavar="1-9", help="gzip level (default: the preset's)")
    parser.add_argument("--clean", action="store_true", help="first delete the datacenter=* folders already in --out")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    parser.set_defaults(run=run_generate, parser=parser)


def run_generate(args: argparse.Namespace, _extra: list[str]) -> int:
    if args.events is not None and args.events < 0:
        raise SystemExit("--events must be >= 0")
    if args.days is not None and args.days < 1:
        raise SystemExit("--days must be >= 1")
    if args.clean and args.append_day:
        raise SystemExit("--clean and --append-day together would delete the span the day is appended to")
    cfg = preset_config(
        args.preset,
        events=args.events,
        seed=args.seed,
        start=args.start,
        days=args.days,
        compresslevel=args.compresslevel,
        skew=tuple(args.skew_wiki) or None,
    )
    if args.clean:
        clean_output(args.out)
    figures = write_dataset(cfg, args.out, append_day=args.append_day)
    if not args.quiet:
        first = cfg.end + dt.timedelta(days=1) if args.append_day else cfg.start
        last = first if args.append_day else cfg.end
        print(
            f"wrote {figures['lines']} lines in {figures['files']} files ({figures['bytes'] / 1e6:.1f} MB) "
            f"for {first}..{last} under {args.out} in {figures['seconds']} s",
            file=sys.stderr,
        )
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
        description="Build, report on and generate test data for the growth_enrollments dbt project.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_build(commands)
    add_report(commands)
    add_generate(commands)
    add_headline(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code."""
    arguments, extra = build_parser().parse_known_args(argv)
    if extra and not getattr(arguments, "takes_extra_arguments", False):
        arguments.parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return arguments.run(arguments, extra)
