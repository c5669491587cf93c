"""AppTest: every page runs without an exception; sliders move the ranking."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

from windrose_sites import catalog, decision, export
from windrose_sites import state as ws

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/map.py", "pages/compare.py", "pages/data.py"]


def run_app(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    return at.run()


def ranking_names(at: AppTest) -> list[str]:
    df = next(d.value for d in at.dataframe if {"rank", "name"} <= set(d.value.columns))
    return df.sort_values("rank")["name"].tolist()


def test_overview_runs_and_shows_a_ranking():
    at = run_app()
    assert not at.exception
    names = ranking_names(at)
    assert len(names) == len(catalog.criteria_table())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    at = run_app()
    at.switch_page(page).run()
    assert not at.exception, at.exception


def test_moving_a_slider_changes_the_ranking():
    at = run_app()
    before = ranking_names(at)
    for key in [k for k in at.session_state if isinstance(k, str) and k.startswith("w_")]:
        at.slider(key=key).set_value(0)
    at.slider(key="w_port_access").set_value(100).run()
    after = ranking_names(at)
    assert not at.exception
    table = catalog.criteria_table()
    # with only port access weighted, the leader is the site closest to its gateway port
    assert after[0] == catalog.site_attributes().loc[table["road_to_port_km"].idxmin(), "name"]
    assert after != before


def download_digest(at: AppTest, key: str) -> str:
    """The media-file id of a download button: a hash of the exact bytes served."""
    return next(e for e in at.get("download_button") if e.key == key).proto.url.rsplit("/", 1)[1]


def expected_csv(query: dict[str, str]) -> bytes:
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    state = ws.parse_query_params(query, default)[0]
    attrs, table = catalog.site_attributes(), catalog.criteria_table()
    ranking = decision.evaluate(table, attrs, crit, state)
    frame = export.comparison_frame(
        ranking.result, table, crit, catalog.provenance(), attrs["name"]
    )
    return export.to_csv(frame)


@pytest.mark.parametrize(
    "query",
    [{}, {"w_jobs": "100", "method": "topsis"}, {"w_logistics": "0", "method": "promethee"}],
)
def test_csv_bytes_equal_scoring_on_the_same_inputs(query):
    at = run_app(**query)
    assert not at.exception
    data = expected_csv(query)
    assert (
        download_digest(at, "dl_overview_csv")
        == _calculate_file_id(data, "text/csv", "windrose-comparison.csv") + ".csv"
    )
    frame = pd.read_csv(io.BytesIO(data))
    assert frame["name"].tolist() == ranking_names(at)
