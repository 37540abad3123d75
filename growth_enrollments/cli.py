"""`growth-enrollments`: the project's command line.

    growth-enrollments headline

`growth-enrollments COMMAND --help` lists a command's options. The exit
code is the command's: 0 when it did what it was asked, 2 for a usage error.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from growth_enrollments import headline

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
        description="Commands of the growth_enrollments dbt project.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_headline(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit code."""
    arguments, extra = build_parser().parse_known_args(argv)
    if extra and not getattr(arguments, "takes_extra_arguments", False):
        arguments.parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return arguments.run(arguments, extra)
