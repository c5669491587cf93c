"""``python -m windrose_sites report --state QUERY --out memo.pdf``: the decision memo.

The same state gives the same text as the app's "Download decision memo (PDF)" button. Link
warnings go to stderr as ``warning: Link parameter: ...`` (as ``rank`` prints them); a state
with nothing to rank ends with one line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from windrose_sites.errors import WindroseError

__all__ = ["add_arguments", "add_state_arguments", "main", "run_document"]


def add_state_arguments(parser: argparse.ArgumentParser, what: str, suffix: str) -> None:
    """``--state``, ``--out`` and ``--tariff``, shared by ``report`` and ``workbook``."""
    from windrose_sites.cost.tariffs import TARIFF_SCENARIOS

    parser.add_argument(
        "--state",
        default="",
        metavar="QUERY",
        help='the query string of a shared link, e.g. "w_logistics=80&method=topsis", or the '
        "whole link (default: the app's default state)",
    )
    parser.add_argument(
        "-o", "--out", required=True, type=Path, metavar="FILE", help=f"write the {what} to FILE"
        f" (e.g. {suffix})",
    )  # fmt: skip
    parser.add_argument(
        "--tariff",
        choices=tuple(TARIFF_SCENARIOS),
        default="today",
        help="the tariff scenario of the cost model (default: today)",
    )


def run_document(args: argparse.Namespace, stderr: TextIO, build) -> int:
    """Parse the state (warnings to stderr), ``build(query, inputs, tariff)``, write ``--out``."""
    from windrose_sites import pipeline

    inputs = pipeline.load_inputs()
    _, warnings = pipeline.parse_state(args.state, inputs)
    for warning in warnings:
        print(f"warning: Link parameter: {warning}", file=stderr)
    data = build(args.state, inputs, args.tariff)
    try:
        args.out.write_bytes(data)
    except OSError as exc:
        msg = f"cannot write {args.out}: {exc.strerror or exc}"
        raise WindroseError(msg) from exc
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``report`` subcommand's options."""
    add_state_arguments(parser, "decision memo (PDF, A4)", "memo.pdf")


def main(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write the memo; 0 on success (link warnings may be on stderr)."""
    from windrose_sites.report.memo import memo_pdf

    del stdout
    return run_document(
        args, stderr, lambda query, inputs, tariff: memo_pdf(query, inputs, tariff=tariff)
    )
