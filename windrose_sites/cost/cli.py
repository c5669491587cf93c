"""``python -m windrose_sites cost``: the landed cost table, or the parameter table.

Examples::

    python -m windrose_sites cost --list-params --format csv
    python -m windrose_sites cost --state "country=BE,FR" --samples 10000 --seed 1
    python -m windrose_sites cost --scenario tariff:s232_lifted --set feu_per_truck_kit=2

One row per candidate site kept by the state's filters, columns
:data:`~windrose_sites.cost.tables.TABLE_COLUMNS` (and, with ``--samples``,
:data:`~windrose_sites.cost.tables.MC_COLUMNS`). Money is rounded to the cent, probabilities
to 4 decimals; the same arguments and seed give the same bytes. ``--scenario NAME`` loads a
saved scenario (its state and edited values) from the scenario store; ``tariff:NAME`` applies a
built-in tariff scenario instead. Notes (filtered sites, missing parameters in use) go to
stderr.
"""

from __future__ import annotations

import argparse
import math
import shlex
from collections.abc import Mapping
from typing import TextIO

from windrose_sites.cost.montecarlo import MAX_SAMPLES
from windrose_sites.cost.params import CostError
from windrose_sites.cost.tables import cost_table, model_for_state, parameter_listing, table_bytes
from windrose_sites.cost.tariffs import TARIFF_SCENARIOS, tariff_scenario
from windrose_sites.cost.tornado import influential_missing

__all__ = ["add_arguments", "command_line", "main"]

TARIFF_PREFIX = "tariff:"


def _samples(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        msg = f"expected a whole number from 1 to {MAX_SAMPLES:,}, got {text[:40]!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if not 1 <= n <= MAX_SAMPLES:
        msg = f"expected a whole number from 1 to {MAX_SAMPLES:,}, got {n}"
        raise argparse.ArgumentTypeError(msg)
    return n


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        msg = f"expected a whole number >= 0, got {text[:40]!r}"
        raise argparse.ArgumentTypeError(msg) from None
    if seed < 0:
        msg = f"expected a whole number >= 0, got {seed}"
        raise argparse.ArgumentTypeError(msg)
    return seed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``cost`` subcommand's options."""
    parser.add_argument(
        "--list-params",
        action="store_true",
        help="print the parameter table (value, unit, range, distribution, source, kind)",
    )
    parser.add_argument(
        "--state",
        default="",
        metavar="QUERY",
        help="a shared link's query string (or the whole link): its filters pick the sites",
    )
    parser.add_argument(
        "--scenario",
        metavar="NAME",
        help="a saved scenario's name (its state and edited values), or "
        f"{TARIFF_PREFIX}NAME for a tariff scenario: {', '.join(TARIFF_SCENARIOS)}",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        dest="overrides",
        help="set a parameter (PARAM or PARAM@APPLIES_TO) to a number, or to another row's "
        "value (PARAM=OTHER@APPLIES_TO); repeatable",
    )
    parser.add_argument(
        "--samples",
        type=_samples,
        metavar="N",
        help=f"Monte Carlo draws (1-{MAX_SAMPLES:,}): adds P10/P50/P90 and p_cheapest",
    )
    parser.add_argument("--seed", type=_seed, default=0, metavar="S", help="(default: 0)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")


def command_line(
    query: str,
    tariff: str,
    overrides: Mapping[str, float | str],
    *,
    samples: int,
    seed: int,
) -> str:
    r"""The command that prints the Cost page's table, each argument quoted for a POSIX shell.

    ``overrides`` are the page's edits (``param@applies_to`` to a number, or to a row id
    whose value it copies); the tariff's own rows come with ``--scenario``. The line never
    holds a backtick or a line break, so it can be shown as a Markdown code span.

    >>> line = command_line("a=1&b=2", "s232_lifted", {"feu_per_truck_kit@EU": 2.0},
    ...                     samples=10, seed=0)
    >>> print(line.replace(" --", "\n  --"))
    python -m windrose_sites cost
      --state 'a=1&b=2'
      --scenario tariff:s232_lifted
      --set feu_per_truck_kit@EU=2
      --samples 10
      --seed 0
      --format csv
    """
    argv = ["python", "-m", "windrose_sites", "cost", "--state", query]
    if tariff != "today":
        argv += ["--scenario", f"{TARIFF_PREFIX}{tariff}"]
    for key, value in overrides.items():
        shown = value if isinstance(value, str) else format(float(value), "g")
        argv += ["--set", f"{key}={shown}"]
    argv += ["--samples", str(samples), "--seed", str(seed), "--format", "csv"]
    line = " ".join(shlex.quote(a) for a in argv)
    return line.translate({ord("`"): None, ord("\n"): " ", ord("\r"): " "})


def _parse_sets(items: list[str]) -> dict[str, float | str]:
    """``PARAM=VALUE`` items: VALUE is a number, or the id of a row whose value it copies
    (as in a scenario's ``cost_overrides``; an unknown id is reported by the model).
    """
    out: dict[str, float | str] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            msg = f"--set {item[:60]!r}: expected PARAM=VALUE"
            raise CostError(msg)
        try:
            value = float(raw)
        except ValueError:
            if "@" in raw and " " not in raw.strip():  # a row id: param@applies_to
                out[key.strip()] = raw.strip()
                continue
            msg = (
                f"--set {key.strip()[:60]}: {raw[:40]!r} is neither a number nor a row id "
                "(PARAM@APPLIES_TO)"
            )
            raise CostError(msg) from None
        if not math.isfinite(value):
            msg = f"--set {key.strip()[:60]}: expected a finite number, got {raw[:40]!r}"
            raise CostError(msg)
        out[key.strip()] = value
    return out


def _state_and_edits(args: argparse.Namespace, inputs, stderr: TextIO):
    from windrose_sites import pipeline

    name = args.scenario
    if name and not name.startswith(TARIFF_PREFIX):
        if args.state:
            msg = "give either --state or a saved --scenario (it carries its own state)"
            raise CostError(msg)
        from windrose_sites.scenarios import ScenarioStore

        scenario = ScenarioStore().load(name)
        if scenario.uploads_geojson:
            print("note: the scenario's uploaded sites are not costed (shipped sites only)",
                  file=stderr)  # fmt: skip
        return scenario.state, scenario.edits
    state, warnings = pipeline.parse_state(args.state, inputs)
    for warning in warnings:
        print(f"warning: Link parameter: {warning}", file=stderr)
    return state, {}


def _model(args: argparse.Namespace, stderr: TextIO):
    from windrose_sites import pipeline

    inputs = pipeline.load_inputs()
    state, edits = _state_and_edits(args, inputs, stderr)
    overrides: dict[str, object] = {}
    if args.scenario and args.scenario.startswith(TARIFF_PREFIX):
        overrides.update(tariff_scenario(args.scenario[len(TARIFF_PREFIX) :]))
    overrides.update(_parse_sets(args.overrides))
    model, removed = model_for_state(state, inputs, edits, overrides)
    for site, reason in removed.items():
        print(f"note: filtered out {site}: {reason}", file=stderr)
    return model


def _write(stream: TextIO, data: bytes) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8"))


def main(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``cost``; 0 on success, 2 on a bad value (one line on stderr, no traceback)."""
    try:
        model = _model(args, stderr)
        if args.list_params:
            _write(stdout, table_bytes(parameter_listing(model), args.format))
            return 0
        table = cost_table(model, args.samples, args.seed)
        gaps = sorted({r for rows in influential_missing(model).values() for r in rows})
        if gaps:
            print(
                f"note: {len(gaps)} parameter(s) have no source (kind missing); the model uses "
                f"the midpoint of their range: {', '.join(gaps)}",
                file=stderr,
            )
    except (ValueError, KeyError, OSError) as exc:  # CostError, ScenarioError, FxError...
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"cost: error: {message}", file=stderr)
        return 2
    _write(stdout, table_bytes(table, args.format))
    return 0
