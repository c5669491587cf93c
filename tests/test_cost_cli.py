"""``python -m windrose_sites cost``, run in-process: bytes, formats, errors."""

from __future__ import annotations

import argparse
import io
import json
from functools import cache

import pandas as pd
import pytest

from windrose_sites import pipeline
from windrose_sites.cost import cli
from windrose_sites.cost.params import COLUMNS
from windrose_sites.cost.tables import MC_COLUMNS, TABLE_COLUMNS

_load_inputs = cache(pipeline.load_inputs)


@pytest.fixture(autouse=True)
def _cached_inputs(monkeypatch, tmp_path):
    monkeypatch.setattr(pipeline, "load_inputs", _load_inputs)
    monkeypatch.setenv("WINDROSE_SCENARIOS_DB", str(tmp_path / "scenarios.sqlite"))


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(args, out, err)
    return code, out.getvalue(), err.getvalue()


def test_same_seed_same_bytes():
    a = run("--samples", "500", "--seed", "3")
    b = run("--samples", "500", "--seed", "3")
    c = run("--samples", "500", "--seed", "4")
    assert a[0] == b[0] == 0
    assert a[1].encode() == b[1].encode()
    assert a[1] != c[1]


def test_csv_columns_and_rows():
    code, out, err = run("--samples", "200")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert tuple(table.columns) == (*TABLE_COLUMNS, *MC_COLUMNS)
    assert len(table) == 11
    parts = table[
        [c for c in TABLE_COLUMNS if c.endswith("_eur_per_truck") and c != "total_eur_per_truck"]
    ]
    assert (parts.sum(axis=1) - table["total_eur_per_truck"]).abs().max() < 0.1  # cents rounding
    assert table["p_cheapest"].sum() == pytest.approx(1, abs=1e-3)
    assert "missing" in err  # the midpoints in use are named


def test_without_samples_no_monte_carlo_columns():
    code, out, _ = run()
    assert code == 0
    assert tuple(pd.read_csv(io.StringIO(out)).columns) == TABLE_COLUMNS


def test_json_is_the_same_table():
    code, out, _ = run("--format", "json", "--state", "country=BE,FR")
    assert code == 0
    records = json.loads(out)
    assert [r["site_id"] for r in records] == ["antwerp_romeynsweel", "onnaing"]
    assert set(records[0]) == set(TABLE_COLUMNS)


def test_state_filters_and_set_overrides():
    code, out, err = run("--state", "country=FR", "--set", "barge_to_plant_per_feu@onnaing=600")
    assert code == 0
    assert "filtered out" in err
    table = pd.read_csv(io.StringIO(out))
    assert list(table["site_id"]) == ["onnaing"]
    _, base, _ = run("--state", "country=FR")
    assert (
        table["port_and_inland_eur_per_truck"][0]
        > pd.read_csv(io.StringIO(base))["port_and_inland_eur_per_truck"][0]
    )


def test_tariff_scenario_option():
    _, base, _ = run("--state", "country=US")
    code, lifted, _ = run("--state", "country=US", "--scenario", "tariff:s232_lifted")
    assert code == 0
    b, l_ = pd.read_csv(io.StringIO(base)), pd.read_csv(io.StringIO(lifted))
    assert (l_["duty_eur_per_truck"] < b["duty_eur_per_truck"]).all()


def test_list_params():
    code, out, _ = run("--list-params", "--format", "csv")
    assert code == 0
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert tuple(table.columns) == COLUMNS
    assert {
        "assembly_hours_per_truck",
        "us_section232_pct",
        "discount_rate",
        "feu_per_truck_kit",
    } <= set(table["param"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--set", "nope=1"), "unknown cost parameter"),
        (("--set", "discount_rate"), "expected PARAM=VALUE"),
        (("--set", "discount_rate=abc"), "neither a number nor a row id"),
        (("--set", "discount_rate=nope@EU"), "unknown cost parameter 'nope@EU'"),
        (("--set", "feu_per_truck_kit@x\n# h1=2"), "after '@' comes 'all', a market"),
        (("--set", "feu_per_truck_kit@a;b=2"), "after '@' comes 'all', a market"),
        (("--set", "discount_rate=nan"), "finite"),
        (("--set", "discount_rate=-2"), ">= 0"),
        (("--scenario", "tariff:nope"), "unknown tariff scenario"),
        (("--scenario", "never saved"), "no scenario named"),
        (("--state", "max_port_km=1"), "every site is filtered out"),
    ],
)
def test_bad_values_are_one_line_on_stderr(argv, message):
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert "Traceback" not in err


def test_link_warnings_go_to_stderr():
    code, _, err = run("--state", "country=DE&method=magic")
    assert code == 0
    assert "warning: Link parameter" in err


def test_saved_scenario_and_state_together_are_refused():
    code, _, err = run("--scenario", "mine", "--state", "method=wpm")
    assert code == 2
    assert "either --state or a saved --scenario" in err


def test_saved_scenario_state_and_edits_flow_into_the_costs():
    from windrose_sites.scenarios import Scenario, ScenarioStore

    inputs = pipeline.load_inputs()
    state, _ = pipeline.parse_state("country=BE", inputs)
    ScenarioStore().save(
        Scenario("belgium", state, edits={"antwerp_romeynsweel": {"labour_cost_eur_h": 60.0}})
    )
    code, out, _ = run("--scenario", "belgium")
    assert code == 0
    table = pd.read_csv(io.StringIO(out))
    assert list(table["site_id"]) == ["antwerp_romeynsweel"]
    hours = 51.6
    assert table["labour_eur_per_truck"][0] == pytest.approx(60.0 * hours, abs=0.01)


@pytest.mark.parametrize("argv", [("--samples", "0"), ("--samples", "x"), ("--seed", "-1")])
def test_bad_numbers_are_usage_errors(argv):
    with pytest.raises(SystemExit):
        run(*argv)


def test_through_the_command_shell():
    from windrose_sites import cli as shell

    out, err = io.StringIO(), io.StringIO()
    code = shell.main(["cost", "--state", "country=FR", "--format", "json"], out, err)
    assert code == 0
    assert json.loads(out.getvalue())[0]["site_id"] == "onnaing"
    code = shell.main(["cost", "--samples", "0"], io.StringIO(), err)
    assert code == 2


def test_page_path_gives_the_cli_bytes():
    """The Cost page builds its CSV with model_for_state + cost_table + table_bytes."""
    from windrose_sites.cost.tables import cost_table, model_for_state, table_bytes
    from windrose_sites.cost.tariffs import tariff_scenario

    inputs = pipeline.load_inputs()
    state, _ = pipeline.parse_state("country=BE,FR", inputs)
    overrides = {**tariff_scenario("s232_lifted"), "feu_per_truck_kit": 2.0}
    model, removed = model_for_state(state, inputs, {}, overrides)
    assert len(removed) == 9
    page = table_bytes(cost_table(model, 300, 9), "csv")
    code, out, _ = run(
        "--state", "country=BE,FR", "--scenario", "tariff:s232_lifted",
        "--set", "feu_per_truck_kit=2", "--samples", "300", "--seed", "9",
    )  # fmt: skip
    assert code == 0
    assert out.encode("utf-8") == page


def test_set_to_a_row_id_copies_that_rows_value():
    """As in a scenario's cost_overrides: the EU parts duty at the built-vehicle rate equals
    the tariff scenario that does the same."""
    _, copied, _ = run("--set", "eu_parts_duty_pct=eu_built_duty_pct@EU")
    _, scenario, _ = run("--scenario", "tariff:eu_parts_at_built_rate")
    _, today, _ = run()
    assert copied == scenario
    assert copied != today


def test_command_line_round_trips_through_a_shell_and_the_cli():
    """The Cost page's line, split as a POSIX shell splits it, is the CLI's own argv."""
    import shlex

    overrides = {"feu_per_truck_kit@EU": 2.5, "eu_parts_duty_pct": "eu_built_duty_pct@EU"}
    query = "country=BE,FR&w_cost=80&note=it's $HOME; rm -rf x"  # the shell's specials
    line = cli.command_line(query, "s232_lifted", overrides, samples=10, seed=3)
    argv = shlex.split(line)
    assert argv[:4] == ["python", "-m", "windrose_sites", "cost"]
    assert argv[argv.index("--state") + 1] == query
    assert run(*argv[4:]) == run(
        "--state", query, "--scenario", "tariff:s232_lifted",
        "--set", "feu_per_truck_kit@EU=2.5", "--set", "eu_parts_duty_pct=eu_built_duty_pct@EU",
        "--samples", "10", "--seed", "3",
    )  # fmt: skip
    # nothing can end the page's code span (the page's query is URL-encoded anyway)
    odd = cli.command_line("a=`x`\n\nb", "today", {}, samples=10, seed=0)
    assert "`" not in odd
    assert "\n" not in odd
