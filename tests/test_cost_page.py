"""AppTest of the Cost page: it follows the sidebar and the URL, edits flow, CSV = CLI bytes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from page_helpers import open_panels
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

from windrose_sites import cost, tables

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/cost.py"
FREIGHT_EU = "freight_shanghai_antwerp_bruges_usd_per_feu@all"


def open_page(query: dict[str, str] | None = None, **session) -> AppTest:
    """The app with the sidebar state from URL parameters and the given session values."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(query or {})
    at.run()
    for key, value in session.items():
        at.session_state[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def cost_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "total_eur_per_truck" in d.value.columns)


def ranking_table(at: AppTest) -> pd.DataFrame:
    return next(
        d.value for d in at.dataframe if "landed cost used (EUR per truck)" in d.value.columns
    )


def cli_bytes(*argv: str) -> bytes:
    """``python -m windrose_sites cost ...`` as a user runs it (a separate process)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "windrose_sites", "cost", *argv],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env=env,
        timeout=300,
    )
    return done.stdout


def download_matches(at: AppTest, data: bytes) -> bool:
    button = next(b for b in at.get("download_button") if b.key == "dl_cost_csv")
    digest = _calculate_file_id(data, "text/csv", "landed_cost.csv") + ".csv"
    return button.proto.url.rsplit("/", 1)[1] == digest


def test_page_answers_with_sourced_numbers():
    at = open_page()
    text = " ".join(m.value for m in at.markdown)
    assert "Cheapest at the parameter values: Onnaing" in text
    assert "becomes cheaper than" in text  # break-even sentences
    table = cost_table(at)
    model = cost.build_model()
    expected = cost.cost_table(model).set_index("site_id")["total_eur_per_truck"]
    got = table.set_index("site_id")["total_eur_per_truck"]
    pd.testing.assert_series_equal(got, expected.round(0), check_names=False)  # whole EUR
    assert len(at.get("vega_lite_chart")) >= 4  # components, P10-P90, p_cheapest, tornado
    params = next(d for d in at.dataframe if "distribution" in d.value.columns)
    assert {"value", "low", "high", "source", "kind"} <= set(params.value.columns)


def test_download_equals_the_cli_for_the_same_state():
    at = open_page({"country": "BE,FR", "w_cost": "80"})
    table = cost_table(at)
    assert set(table["site_id"]) == {"antwerp_romeynsweel", "onnaing"}
    data = cli_bytes(
        "--state", "w_cost=80&country=BE%2CFR", "--samples", "10000", "--seed", "0",
        "--format", "csv",
    )  # fmt: skip
    assert download_matches(at, data)
    csv = pd.read_csv(io.BytesIO(data))  # the screen rounds it: whole euros
    pd.testing.assert_frame_equal(table, csv.round(tables.cost_table_decimals(csv.columns)))


def test_an_edited_parameter_moves_the_total_and_the_ranking():
    before = open_page()
    old = cost_table(before).set_index("site_id")["total_eur_per_truck"]
    old_rank = ranking_table(before).set_index("site")["landed cost used (EUR per truck)"]
    at = open_page(cost_overrides={FREIGHT_EU: 9000.0})
    new = cost_table(at).set_index("site_id")["total_eur_per_truck"]
    assert new["antwerp_romeynsweel"] > old["antwerp_romeynsweel"] + 1000
    assert new["onnaing"] > old["onnaing"] + 1000
    assert new["tucson_az"] == old["tucson_az"]  # US lanes untouched
    info = " ".join(i.value for i in at.info)
    assert "Your cost assumptions" in info
    assert "9,000" in info
    params = next(d.value for d in at.dataframe if "distribution" in d.value.columns)
    row = params.set_index("row").loc[FREIGHT_EU]
    assert (row["value"], row["kind"]) == (9000.0, "user")
    ranked = ranking_table(at).set_index("site")["landed cost used (EUR per truck)"]
    name = next(s for s in ranked.index if s.startswith("Antwerp"))
    assert ranked[name] != old_rank[name]
    assert ranked[name] == f"EUR {new['antwerp_romeynsweel']:,.0f}"
    # the CLI with the same --set gives the page's bytes
    data = cli_bytes("--set", f"{FREIGHT_EU}=9000", "--samples", "10000", "--seed", "0")
    assert download_matches(at, data)


def test_tariff_scenario_and_sample_size_rerun_their_parts():
    at = open_page()
    us = cost_table(at).set_index("site_id").at["tucson_az", "duty_eur_per_truck"]
    at.selectbox(key="cost_tariff").set_value("s232_lifted").run()
    assert not at.exception
    lifted = cost_table(at).set_index("site_id").at["tucson_az", "duty_eur_per_truck"]
    assert lifted < us
    at.selectbox(key="cost_samples").set_value(1_000).run()
    assert not at.exception
    assert any("1,000 draws" in m.value for m in at.markdown)
    code = next(m.value for m in at.markdown if m.value.startswith("`python -m windrose_sites"))
    assert "--scenario tariff:s232_lifted" in code
    assert "--samples 1000" in code


def test_bad_assumption_is_reported_and_can_be_reset():
    at = open_page(cost_overrides={"no_such_param": 1.0})
    assert any("No cost table" in e.value for e in at.error)
    at.button(key="cost_reset_error").click().run()
    assert not at.exception
    assert not at.error
    assert cost_table(at) is not None


@pytest.mark.parametrize("name", ["Evil *bold* [x](http://e.vil)"])
def test_user_text_is_escaped(name):
    at = open_page(cost_overrides={name: 1.0})
    err = " ".join(e.value for e in at.error)
    assert "\\*bold\\*" in err
    assert "[x](http" not in err


def test_ten_year_panel_is_built_when_opened_and_keeps_its_site():
    """The 10-year panel is drawn only while open (issue 16); the site chosen in it is kept
    when it is closed and opened again, with that site's figures."""
    at = open_page()
    assert "cost_ten_year_site" not in [s.key for s in at.selectbox]
    at.session_state["cost_ten_year_panel"] = True
    at.run()
    at.selectbox(key="cost_ten_year_site").select_index(1).run()
    chosen = at.selectbox(key="cost_ten_year_site").value
    npv = next(c.value for c in at.caption if c.value.startswith("Net present cost"))
    at.session_state["cost_ten_year_panel"] = False
    at.run()
    assert not at.exception
    assert "cost_ten_year_site" not in [s.key for s in at.selectbox]
    assert not [c for c in at.caption if c.value.startswith("Net present cost")]
    at.session_state["cost_ten_year_panel"] = True
    at.run()
    assert at.selectbox(key="cost_ten_year_site").value == chosen
    assert next(c.value for c in at.caption if c.value.startswith("Net present cost")) == npv


def test_a_ten_year_site_filtered_away_falls_back_to_a_listed_one():
    """A site chosen in the 10-year panel, then removed by a filter while the panel is closed:
    the panel opens on a site that is still listed, without an error."""
    at = open_page()
    at.session_state["cost_ten_year_panel"] = True
    at.run()
    at.selectbox(key="cost_ten_year_site").set_value("tucson_az").run()
    assert at.selectbox(key="cost_ten_year_site").value == "tucson_az"
    at.session_state["cost_ten_year_panel"] = False
    open_panels(at)
    at.sidebar.multiselect(key="f_countries").set_value(["BE", "FR"]).run()
    at.session_state["cost_ten_year_panel"] = True
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cost_ten_year_site").value in ("antwerp_romeynsweel", "onnaing")
    assert any(c.value.startswith("Net present cost") for c in at.caption)


def test_the_command_line_is_shown_without_the_code_highlighter():
    """The page shows the CLI line as inline code: st.code would load a 1.5 MB highlighter
    script on a first visit for this one line (issue 16). The line is the CLI's for the link."""
    at = open_page({"country": "BE,FR", "w_cost": "80"})
    assert not at.code
    line = next(m.value for m in at.markdown if m.value.startswith("`python -m windrose_sites"))
    assert line == (
        "`python -m windrose_sites cost --state 'w_cost=80&country=BE%2CFR'"
        " --samples 10000 --seed 0 --format csv`"
    )


def test_a_scenarios_row_copy_override_shows_and_its_command_line_gives_the_download():
    """A loaded scenario may set a parameter to another row's value (the tariff scenarios do
    it): the page must not fail on it, and its command line must reproduce the download."""
    import shlex

    at = open_page(cost_overrides={"eu_parts_duty_pct": "eu_built_duty_pct@EU"})
    assert not at.exception, at.exception
    info = next(i.value for i in at.info if i.value.startswith("Your cost assumptions"))
    assert "= the value of" in info, info
    line = next(m.value for m in at.markdown if m.value.startswith("`python -m windrose_sites"))
    argv = shlex.split(line.strip("`"))
    assert "eu_parts_duty_pct=eu_built_duty_pct@EU" in argv
    assert download_matches(at, cli_bytes(*argv[4:]))
