"""windrose_sites.pipeline: link → state → working set → ranking → files, without Streamlit."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib import parse

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from windrose_sites import assumptions, catalog, decision, export, pipeline, uploads
from windrose_sites import state as ws
from windrose_sites.errors import NoRankingError, WindroseError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def inputs() -> pipeline.Inputs:
    return pipeline.load_inputs()


@pytest.fixture(scope="module")
def work(inputs) -> pipeline.WorkingSet:
    return pipeline.working_set(inputs)


# --------------------------------------------------------------------------- query strings


def streamlit_params(query: str) -> dict[str, list[str]]:
    """What st.query_params holds for a browser's query string (Streamlit's own parser)."""
    from streamlit.runtime.state.query_params import EMBED_QUERY_PARAMS_KEYS, _parse_query_string

    parsed = _parse_query_string(query)
    return {k: v for k, v in parsed.items() if k.lower() not in EMBED_QUERY_PARAMS_KEYS}


@pytest.mark.parametrize(
    "query",
    [
        "w_logistics=80&method=topsis",
        "w_jobs=&method",
        "a+b=c%20d&%FF%FE=%00",
        "country=BE,FR&country=US&sel=",
        "embed=true&EMBED_OPTIONS=x&w_jobs=10",
        "&&=&&",
        "x=" + "9" * (pipeline.QUERY_MAX_CHARS + 1),
        "&".join(f"k{i}=1" for i in range(pipeline.QUERY_MAX_FIELDS + 1)),
    ],
)
def test_parse_query_reads_what_streamlit_gives_a_page(query):
    assert pipeline.parse_query(query) == streamlit_params(query)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab_=&%+,;2F?#é\x00 ", max_size=40))
def test_parse_query_matches_streamlit_on_any_text(query):
    bare = query.split("#", 1)[0]
    if bare.startswith(("?", "/")):
        return  # a leading "?" is stripped and "/" starts a path: shown by the tests below
    assert pipeline.parse_query(query) == streamlit_params(bare)


def test_parse_query_accepts_a_whole_link_or_a_leading_question_mark():
    want = {"w_jobs": ["80"], "method": ["topsis"]}
    assert pipeline.parse_query("?w_jobs=80&method=topsis") == want
    assert pipeline.parse_query("http://localhost:8501/compare?w_jobs=80&method=topsis#x") == want
    assert pipeline.parse_query("/compare?w_jobs=80&method=topsis") == want
    assert pipeline.parse_query("") == {}


# --------------------------------------------------------------------------- state


def test_no_query_is_the_default_state(inputs):
    state, warnings = pipeline.parse_state("", inputs)
    assert state == pipeline.default_state(inputs)
    assert warnings == []
    assert set(state.group_weights) == set(inputs.criteria["group"])
    assert pipeline.groups(inputs) == [g for g in catalog.GROUPS if g in state.group_weights]


def test_a_link_sets_weights_and_method(inputs):
    state, warnings = pipeline.parse_state("w_logistics=80&method=topsis", inputs)
    assert warnings == []
    assert state.group_weights["logistics"] == 80.0
    assert state.method == "topsis"
    assert (
        state
        == ws.parse_query_params(
            {"w_logistics": ["80"], "method": ["topsis"]}, pipeline.default_state(inputs)
        )[0]
    )


def test_zero_port_distance_means_no_limit_as_in_the_sidebar(inputs):
    state, warnings = pipeline.parse_state("max_port_km=0", inputs)
    assert warnings == []
    assert state.filters.max_port_km is None
    assert pipeline.parse_state("max_port_km=250", inputs)[0].filters.max_port_km == 250.0


def test_sites_and_countries_are_checked_against_the_shipped_candidates(inputs):
    site = inputs.computed.table.index[0]
    country = pipeline.countries(inputs)[0]
    state, warnings = pipeline.parse_state(f"sel={site},nowhere&country={country},XX", inputs)
    assert state.selected == (site,)
    assert state.filters.countries == (country,)
    assert any("nowhere" in w for w in warnings)
    assert any("XX" in w for w in warnings)


HOSTILE = [
    "w_jobs=NaN&method=%3Cscript%3E&w_cost=" + "9" * 5000,
    "w_jobs=inf&w_cost=-1&w_market=1e309&c_unemployment_pct=0x10",
    "method=topsis&method=wsm",
    "%FF%FE=%00&=&&&",
    "d_sea_distance_nm=sideways&d_nothing=cost",
    "min_area_ha=1e999&max_port_km=-5&country=,,,",
    "sel=../../etc/passwd&w_logistics=1%0A2",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_links_warn_and_keep_the_defaults(inputs, query):
    state, warnings = pipeline.parse_state(query, inputs)
    assert warnings
    default = pipeline.default_state(inputs)
    assert set(state.group_weights) == set(default.group_weights)
    assert all(0 <= w <= ws.MAX_WEIGHT for w in state.group_weights.values())
    assert state.method in ws.METHODS


@pytest.mark.parametrize(
    "query",
    ["", "w_logistics=80&method=topsis", "w_jobs=0&c_gateway_teu_m=100&country=US&sel=onnaing",
     "min_area_ha=5&max_port_km=300&method=promethee", "d_sea_distance_nm=benefit"],
)  # fmt: skip
def test_query_string_round_trips(inputs, query):
    state = pipeline.parse_state(query, inputs)[0]
    again, warnings = pipeline.parse_state(pipeline.query_string(state, inputs), inputs)
    assert warnings == []
    assert again == state


def test_query_string_of_the_default_is_empty(inputs):
    assert pipeline.query_string(pipeline.default_state(inputs), inputs) == ""
    s = pipeline.parse_state("country=BE,FR", inputs)[0]
    assert parse.parse_qs(pipeline.query_string(s, inputs)) == {"country": ["BE,FR"]}


# --------------------------------------------------------------------------- working set


def test_working_set_without_user_data_is_the_shipped_candidates(work):
    pd.testing.assert_frame_equal(work.table, catalog.criteria_table())
    pd.testing.assert_frame_equal(work.provenance, catalog.provenance())
    assert list(work.sites["site_id"]) == list(work.table.index)
    assert set(work.sites["role"]) == {"candidate"}


def test_edits_replace_values_and_mark_them_as_assumptions(inputs):
    site, crit = inputs.computed.table.index[0], inputs.criteria.index[0]
    work = pipeline.working_set(inputs, edits={site: {crit: 123.0}, "gone": {crit: 1.0}})
    assert work.table.at[site, crit] == 123.0
    row = work.provenance[
        (work.provenance["site_id"] == site) & (work.provenance["criterion"] == crit)
    ]
    assert row["kind"].tolist() == [assumptions.USER_KIND]
    assert inputs.computed.table.at[site, crit] != 123.0  # the shipped inputs are untouched


def test_user_sites_join_with_their_supplied_values(inputs):
    csv = b"name,lat,lon,unemployment_pct\nGhent test,51.05,3.72,7.5\nLiege test,50.63,5.57,\n"
    result = uploads.parse_sites(csv, "mine.csv", existing_ids=inputs.computed.table.index)
    assert result.ok
    work = pipeline.working_set(inputs, [result.sites])  # a list of batches, as the session has
    ghent, liege = result.sites["site_id"]
    assert len(work.table) == len(inputs.computed.table) + 2
    assert work.table.at[ghent, "unemployment_pct"] == 7.5
    assert not np.isnan(work.table.at[liege, "unemployment_pct"])  # computed, not blank
    assert pipeline.supplied_values(result.sites, inputs.criteria.index) == {
        ghent: {"unemployment_pct": 7.5}
    }
    # a memoized computation gives the same working set
    memo = pipeline.user_criteria(inputs, result.sites)
    again = pipeline.working_set(inputs, result.sites, computed_user_criteria=memo)
    pd.testing.assert_frame_equal(again.table, work.table)
    ranking = pipeline.rank(again, inputs, pipeline.default_state(inputs))
    assert {ghent, liege} <= set(ranking.result.index)


def test_combine_user_sites(inputs):
    assert pipeline.combine_user_sites([]) is None
    one = inputs.sites.head(2)
    both = pipeline.combine_user_sites([one, inputs.sites.tail(1)])
    assert len(both) == 3
    assert both.crs.to_epsg() == 4326


# --------------------------------------------------------------------------- directions


def test_criteria_for_flips_a_copy_and_ignores_unknown_criteria(inputs):
    crit = inputs.criteria
    cid = crit.index[0]
    other = "benefit" if crit.at[cid, "direction"] == "cost" else "cost"
    state = ws.AppState({}, {}, directions={cid: other, "not_a_criterion": "cost"})
    flipped = pipeline.criteria_for(state, crit)
    assert flipped.at[cid, "direction"] == other
    assert crit.at[cid, "direction"] != other  # the input is not changed
    assert (flipped.drop(index=cid) == crit.drop(index=cid)).all().all()
    assert pipeline.criteria_for(ws.AppState({}, {}), crit) is crit


def test_criteria_for_rejects_an_unknown_direction(inputs):
    cid = inputs.criteria.index[0]
    with pytest.raises(WindroseError, match="allowed are benefit, cost"):
        pipeline.criteria_for(ws.AppState({}, {}, directions={cid: "up"}), inputs.criteria)


def test_flipping_every_direction_reverses_the_weighted_sum(inputs, work):
    state = pipeline.default_state(inputs)
    flips = {
        c: "benefit" if d == "cost" else "cost" for c, d in inputs.criteria["direction"].items()
    }
    base = pipeline.rank(work, inputs, state).result["score"]
    flipped_state = ws.AppState(state.group_weights, state.criterion_weights, directions=flips)
    flipped = pipeline.rank(work, inputs, flipped_state).result["score"]
    # min-max normalization: a flipped criterion scores 1 - x (missing values stay the worst)
    complete = work.table.notna().all(axis=1)
    np.testing.assert_allclose(flipped[complete], 1 - base[complete], atol=1e-12)


def test_a_direction_in_the_link_changes_the_ranking(inputs, work):
    cid = "unemployment_pct"
    flip = "cost" if inputs.criteria.at[cid, "direction"] == "benefit" else "benefit"
    state = pipeline.parse_state(f"d_{cid}={flip}&method=topsis", inputs)[0]
    flipped = pipeline.rank(work, inputs, state).result
    plain = pipeline.rank(work, inputs, pipeline.parse_state("method=topsis", inputs)[0]).result
    assert not np.allclose(flipped["score"], plain.loc[flipped.index, "score"])


# --------------------------------------------------------------------------- ranking, files


def test_rank_is_the_core_evaluation(inputs, work):
    state = pipeline.parse_state("w_logistics=80&method=topsis", inputs)[0]
    ranking = pipeline.rank(work, inputs, state)
    core = decision.evaluate(work.table, work.attributes, inputs.criteria, state)
    pd.testing.assert_frame_equal(ranking.result, core.result)
    assert ranking.result.attrs["method"] == "topsis"


@pytest.mark.parametrize(
    ("query", "message"),
    [("country=BE&min_area_ha=1000000", "filtered out"),
     ("w_logistics=0&w_jobs=0&w_port_access=0&w_cost=0&w_sustainability=0&w_market=0",
      "weight")],
)  # fmt: skip
def test_no_ranking_is_a_windrose_error(inputs, work, query, message):
    state, warnings = pipeline.parse_state(query, inputs)
    assert warnings == []
    with pytest.raises(NoRankingError, match=message) as info:
        pipeline.rank(work, inputs, state)
    assert isinstance(info.value, WindroseError)
    assert isinstance(info.value, ValueError)  # code that still catches ValueError keeps working
    removed = info.value.removed
    assert (len(removed) == len(work.table)) == (message == "filtered out")
    assert all(removed.str.len() > 0)


def page_csv(query: dict[str, str]) -> bytes:
    """The comparison CSV as the Compare page built it before the pipeline (independent path)."""
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    state = ws.parse_query_params(query, default)[0]
    attrs, table = catalog.site_attributes(), catalog.criteria_table()
    ranking = decision.evaluate(table, attrs, crit, state)
    frame = export.comparison_frame(ranking.result, table, crit, catalog.provenance(),
                                    attrs["name"])  # fmt: skip
    return export.to_csv(frame)


@pytest.mark.parametrize(
    "query",
    ["", "w_logistics=80&method=topsis", "w_jobs=100&method=topsis",
     "w_logistics=0&method=promethee&c_gateway_teu_m=100", "method=wpm&w_market=5"],
)  # fmt: skip
def test_comparison_csv_is_the_page_download(inputs, work, query):
    state = pipeline.parse_state(query, inputs)[0]
    ranking = pipeline.rank(work, inputs, state)
    data = pipeline.comparison_csv(ranking, work, inputs)
    assert data == page_csv({k: v[0] for k, v in parse.parse_qs(query).items()})
    assert len(pd.read_csv(io.BytesIO(data))) == len(ranking.result)


def test_comparison_json_is_the_same_table(inputs, work):
    state = pipeline.parse_state("w_logistics=80&method=topsis", inputs)[0]
    ranking = pipeline.rank(work, inputs, state)
    records = json.loads(pipeline.comparison_json(ranking, work, inputs))
    frame = pipeline.comparison_frame(ranking, work, inputs)
    assert isinstance(records, list)
    assert len(records) == len(frame)
    assert list(records[0]) == [str(c) for c in frame.columns]
    from_json = pd.DataFrame.from_records(records, columns=list(records[0]))
    from_csv = pd.read_csv(io.BytesIO(pipeline.comparison_csv(ranking, work, inputs)))
    # an all-blank column (a criterion weighted 0 has no normalized values) reads back as
    # None from JSON and NaN from CSV: the same "no value"
    from_json = from_json.apply(lambda c: c.astype(float) if c.isna().all() else c)
    pd.testing.assert_frame_equal(from_json, from_csv, check_dtype=False)


def test_comparison_json_writes_nan_as_null(inputs):
    site, crit = inputs.computed.table.index[0], inputs.criteria.index[0]
    edited = pipeline.working_set(inputs, edits={site: {crit: None}})
    ranking = pipeline.rank(edited, inputs, pipeline.default_state(inputs))
    text = pipeline.comparison_json(ranking, edited, inputs).decode()
    assert "NaN" not in text
    row = next(r for r in json.loads(text) if r["site_id"] == site)
    unit = inputs.criteria.at[crit, "unit"]
    assert row[f"{crit} [{unit}]"] is None
    assert row[f"{crit} year"] is None  # an edited value has no year
    assert row[f"{crit} imputed worst"] is True


def test_run_evaluates_a_link_in_one_call(inputs):
    d = pipeline.run("w_logistics=80&method=topsis&w_jobs=abc", inputs)
    assert d.state.method == "topsis"
    assert len(d.warnings) == 1
    assert d.ranking is not None
    assert d.work is not None
    assert d.ranking.result.attrs["method"] == "topsis"
    with pytest.raises(NoRankingError):
        pipeline.run("country=BE&min_area_ha=1000000", inputs)


# --------------------------------------------------------------------------- same as the app


def _unescape(text: str) -> str:
    """A message body without Markdown backslash escapes (pages escape echoed text)."""
    return re.sub(r"\\(.)", r"\1", text)


@pytest.mark.parametrize(
    "query",
    ["w_logistics=80&method=topsis",
     "w_jobs=abc&method=magic&max_port_km=0&min_area_ha=3&country=US,XX&sel=nowhere"],
)  # fmt: skip
def test_the_app_sidebar_reads_a_link_as_the_pipeline_does(inputs, query):
    from page_helpers import open_panels
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params.update(pipeline.parse_query(query))
    at.run()
    assert not at.exception
    open_panels(at)  # the criteria and filters widgets are drawn while their panel is open
    state, warnings = pipeline.parse_state(query, inputs)
    for g, w in state.group_weights.items():
        assert at.slider(key=ws.group_key(g)).value == w
    for c, w in state.criterion_weights.items():
        assert at.slider(key=f"c_{c}").value == w
    assert at.selectbox(key="method").value == state.method
    assert at.number_input(key="f_min_area").value == state.filters.min_area_ha
    assert (at.number_input(key="f_max_port").value or None) == state.filters.max_port_km
    assert tuple(at.multiselect(key="f_countries").value) == state.filters.countries
    shown = [_unescape(w.value) for w in at.warning if "Link parameter" in w.value]
    assert shown == [f"Link parameter: {w}" for w in warnings]
