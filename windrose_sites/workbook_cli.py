"""``python -m windrose_sites workbook --state QUERY --out model.xlsx``: the live Excel model.

The same state on the same day gives the same bytes as the app's "Download Excel model" button.
Link warnings go to stderr; a state with nothing to rank ends with one line on stderr and exit
code 1, never a traceback.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from windrose_sites.report.cli import add_state_arguments, run_document

__all__ = ["add_arguments", "main"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``workbook`` subcommand's options."""
    add_state_arguments(parser, "Excel model (.xlsx)", "model.xlsx")


def main(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Write the workbook; 0 on success (link warnings may be on stderr)."""
    from windrose_sites.workbook import workbook_xlsx

    del stdout
    return run_document(
        args, stderr, lambda query, inputs, tariff: workbook_xlsx(query, inputs, tariff=tariff)
    )
