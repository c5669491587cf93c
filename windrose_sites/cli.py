"""``python -m windrose_sites``: the app's decisions from a terminal, a script or CI.

Each subcommand is a :class:`Command` in :data:`COMMANDS`, named by an import path that is only
imported when that command runs (``--help`` stays fast and one broken command cannot break the
others). The target module (or object) provides

- ``add_arguments(parser: argparse.ArgumentParser) -> None`` and
- ``main(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int`` (the exit code).

Exit codes: 0 done (warnings about the link may be on stderr), 1 no result (the message says
why), 2 bad command line or a command that is not available, 70 an internal error.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TextIO

from windrose_sites.errors import NoRankingError, WindroseError

__all__ = ["COMMANDS", "EXIT_INTERNAL", "EXIT_NO_RESULT", "EXIT_USAGE", "Command", "main"]

PROG = "python -m windrose_sites"
EXIT_NO_RESULT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # BSD sysexits EX_SOFTWARE


@dataclass(frozen=True)
class Command:
    """A subcommand: its name, a one-line summary, and where its code lives.

    ``target`` is ``"package.module"`` or ``"package.module:attribute"``; the module or the
    attribute has ``add_arguments`` and ``main`` (see the module docstring).
    """

    name: str
    summary: str
    target: str

    def load(self) -> Any:
        """Import the command's code; ``ModuleNotFoundError`` if it is not there (yet)."""
        module_name, _, attribute = self.target.partition(":")
        module = importlib.import_module(module_name)
        return getattr(module, attribute) if attribute else module


# --------------------------------------------------------------------------- rank


def _write(stream: TextIO, data: bytes) -> None:
    """Write bytes unchanged to a text stream's binary buffer (decoded if it has none)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8"))


def _rank_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state",
        default="",
        metavar="QUERY",
        help='the query string of a shared link, e.g. "w_logistics=80&method=topsis", or the '
        "whole link (default: the app's default state)",
    )
    parser.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="csv: the bytes of the Compare page's comparison CSV; json: the same table as a "
        "list of records, NaN as null (default: csv)",
    )
    parser.add_argument(
        "--sites",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="add candidate sites from a CSV or GeoJSON file, as the Sites & data page's "
        "upload does (repeatable)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="write to FILE instead of standard output",
    )


def _user_sites(paths: Sequence[Path], inputs: Any, stderr: TextIO) -> list[Any]:
    """Sites read from ``paths`` as the upload does; every problem goes to stderr."""
    from windrose_sites import uploads

    frames: list[Any] = []
    names = list(inputs.computed.attributes["name"])
    ids = list(inputs.computed.table.index)
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            msg = f"cannot read {path}: {exc.strerror or exc}"
            raise WindroseError(msg) from exc
        result = uploads.parse_sites(data, path.name, existing_names=names, existing_ids=ids)
        for problem in result.problems:
            print(f"{problem.level}: {path.name}: {problem}", file=stderr)
        if not result.ok:
            msg = f"no site could be read from {path}"
            raise WindroseError(msg)
        frames.append(result.sites)
        names += list(result.sites["name"])
        ids += list(result.sites["site_id"])
    return frames


def _filtered_out(removed: Any, names: Any, stderr: TextIO) -> None:
    """One note per site the filters removed, with the reason (as the Compare page lists)."""
    for site_id, reason in [] if removed is None else removed.items():
        print(f"note: filtered out {names.get(site_id, site_id)}: {reason}", file=stderr)


def _rank_main(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from windrose_sites import pipeline

    inputs = pipeline.load_inputs()
    state, warnings = pipeline.parse_state(args.state, inputs)
    for warning in warnings:
        print(f"warning: Link parameter: {warning}", file=stderr)
    work = pipeline.working_set(inputs, _user_sites(args.sites, inputs, stderr) or None)
    names = work.attributes["name"]
    try:
        ranking = pipeline.rank(work, inputs, state)
    except NoRankingError as exc:
        _filtered_out(exc.removed, names, stderr)
        raise
    _filtered_out(ranking.removed, names, stderr)
    if args.format == "json":
        data = pipeline.comparison_json(ranking, work, inputs)
    else:
        data = pipeline.comparison_csv(ranking, work, inputs)
    if args.output is None:
        _write(stdout, data)
    else:
        try:
            args.output.write_bytes(data)
        except OSError as exc:
            msg = f"cannot write {args.output}: {exc.strerror or exc}"
            raise WindroseError(msg) from exc
    return 0


RANK = SimpleNamespace(add_arguments=_rank_arguments, main=_rank_main)

#: Every subcommand, in the order ``--help`` lists them. Later commands add one line here.
COMMANDS: tuple[Command, ...] = (
    Command(
        "rank",
        "rank the sites for a shared link's state; print the comparison CSV or JSON",
        "windrose_sites.cli:RANK",
    ),
    Command(
        "cost",
        "the cost model of each candidate site",
        "windrose_sites.cost.cli",
    ),
    Command(
        "report",
        "write the decision memo (PDF) for a shared link's state",
        "windrose_sites.report.cli",
    ),
    Command(
        "workbook",
        "write the live Excel model (weights, values, ranking and cost as formulas)",
        "windrose_sites.workbook_cli",
    ),
)


# --------------------------------------------------------------------------- dispatch


def _parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Windrose site selection without the browser: the same state, ranking "
        "and files as the app.",
        epilog=f"Run '{PROG} COMMAND --help' for a command's options.",
    )
    parser.add_argument(
        "--traceback",
        action="store_true",
        help="on an internal error, print the Python traceback (for bug reports)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    subs = {
        c.name: subparsers.add_parser(c.name, help=c.summary, description=c.summary)
        for c in COMMANDS
    }
    return parser, subs


def _missing(exc: ModuleNotFoundError, target: str) -> bool:
    """Whether ``exc`` says the command's own module (or a package of it) does not exist."""
    module = target.partition(":")[0]
    return exc.name is not None and (module == exc.name or module.startswith(exc.name + "."))


def _chosen(argv: Sequence[str]) -> Command | None:
    """The subcommand named on the command line: its first word that is not an option."""
    name = next((a for a in argv if not a.startswith("-")), None)
    return next((c for c in COMMANDS if c.name == name), None)


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Errors are one line on ``stderr`` and an exit code; only ``BrokenPipeError`` (the reader
    of ``stdout`` went away) is raised, for ``__main__`` to end quietly.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    parser, subs = _parser()
    command = _chosen(argv)
    code = None
    if command is not None:
        try:
            code = command.load()
            code.add_arguments(subs[command.name])
        except ModuleNotFoundError as exc:
            if not _missing(exc, command.target):
                return _internal(exc, "--traceback" in argv, stderr, command.name)
            print(
                f"{PROG} {command.name}: not available in this version "
                f"(its module {command.target.partition(':')[0]} is not installed yet).",
                file=stderr,
            )
            return EXIT_USAGE
        except Exception as exc:  # a command whose code does not even load
            return _internal(exc, "--traceback" in argv, stderr, command.name)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the help, or the usage and the error
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if command is None:  # no command: say which there are, as an error
        parser.print_help(stderr)
        return EXIT_USAGE
    return _run(code, args, stdout, stderr, command.name)


def _internal(exc: Exception, show_traceback: bool, stderr: TextIO, name: str) -> int:
    """Report a bug in one line (and the traceback if asked for); the exit code for it."""
    if show_traceback:
        traceback.print_exception(exc, file=stderr)
    print(
        f"{PROG} {name}: internal error: {type(exc).__name__}: {str(exc)[:300]} "
        f"(run with --traceback for details)",
        file=stderr,
    )
    return EXIT_INTERNAL


def _run(code: Any, args: argparse.Namespace, stdout: TextIO, stderr: TextIO, name: str) -> int:
    try:
        return int(code.main(args, stdout, stderr))
    except WindroseError as exc:
        print(f"{PROG} {name}: {exc}", file=stderr)
        return EXIT_NO_RESULT
    except BrokenPipeError:  # `... | head`: the reader left; __main__ ends quietly
        raise
    except Exception as exc:
        return _internal(exc, args.traceback, stderr, name)
