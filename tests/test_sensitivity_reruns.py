"""What a Sensitivity or Compare rerun reuses (issue 16): the SMAA-2 table and the charts' specs.

Under uniform weight sampling ("any weights") SMAA-2 does not depend on the weights, so a
slider move that keeps the same criteria weighted reuses the table drawn before; around the
current weights it draws anew. A chart's Vega-Lite spec is built once per shape (its title,
its scale's length), so a slider move builds no Altair chart, and a new shape builds a new spec.
"""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest
from page_helpers import Counter, move, open_page
from streamlit.testing.v1 import AppTest

from windrose_sites import sensitivity
from windrose_sites.sensitivity import Problem, smaa


def problem(weights, *, method="wsm", values=None, among=None) -> Problem:
    table = pd.DataFrame(
        values
        if values is not None
        else {"port_km": [10.0, 40.0, 20.0, 35.0], "jobs": [5.0, 9.0, 7.0, 6.0]},
        index=["a", "b", "c", "d"],
    )
    directions = {"port_km": "cost", "jobs": "benefit"}
    return Problem(table, weights, directions, method=method, among=among)


# --------------------------------------------------------------------------- the key
@pytest.mark.parametrize("method", ["wsm", "wpm", "topsis", "promethee"])
def test_uniform_sampling_keys_ignore_the_weights_and_the_tables_agree(method):
    a = problem({"port_km": 1.0, "jobs": 1.0}, method=method)
    b = problem({"port_km": 5.0, "jobs": 1.0}, method=method)
    assert smaa.acceptability_key(a, samples=500) == smaa.acceptability_key(b, samples=500)
    pd.testing.assert_frame_equal(
        smaa.rank_acceptability(a, samples=500), smaa.rank_acceptability(b, samples=500)
    )


def test_sampling_around_the_weights_keys_on_them():
    a = problem({"port_km": 1.0, "jobs": 1.0})
    b = problem({"port_km": 5.0, "jobs": 1.0})
    ka = smaa.acceptability_key(a, samples=500, spread=100.0)
    assert ka != smaa.acceptability_key(b, samples=500, spread=100.0)
    assert ka == smaa.acceptability_key(
        problem({"port_km": 2, "jobs": 2}), samples=500, spread=100.0
    )
    assert not smaa.rank_acceptability(a, samples=500, spread=100.0).equals(
        smaa.rank_acceptability(b, samples=500, spread=100.0)
    )


def test_every_input_of_the_draw_is_in_the_key():
    base = problem({"port_km": 1.0, "jobs": 1.0})
    key = smaa.acceptability_key(base)
    other_values = {"port_km": [10.0, 40.0, 20.0, 30.0], "jobs": [5.0, 9.0, 7.0, 6.0]}
    variants = {
        "samples": smaa.acceptability_key(base, samples=5_000),
        "seed": smaa.acceptability_key(base, seed=1),
        "spread": smaa.acceptability_key(base, spread=100.0),
        "method": smaa.acceptability_key(problem({"port_km": 1, "jobs": 1}, method="topsis")),
        "values": smaa.acceptability_key(problem({"port_km": 1, "jobs": 1}, values=other_values)),
        "criteria": smaa.acceptability_key(problem({"port_km": 1.0})),
        "shortlist": smaa.acceptability_key(problem({"port_km": 1, "jobs": 1}, among=["a", "b"])),
    }
    assert key not in variants.values(), variants
    assert len(set(variants.values())) == len(variants)


def test_the_key_rejects_what_the_draw_rejects():
    p = problem({"port_km": 1.0, "jobs": 1.0})
    with pytest.raises(ValueError, match="samples is 0"):
        smaa.acceptability_key(p, samples=0)
    with pytest.raises(ValueError, match="spread is inf"):
        smaa.acceptability_key(p, spread=float("inf"))


# --------------------------------------------------------------------------- the pages
@pytest.fixture
def counted(monkeypatch):
    """Counters on SMAA-2 (as the page calls it) and on Altair's chart building."""
    draws = Counter(sensitivity.smaa.rank_acceptability)
    encodes = Counter(alt.Chart.encode)
    monkeypatch.setattr(sensitivity.smaa, "rank_acceptability", draws)
    monkeypatch.setattr(alt.Chart, "encode", lambda self, *a, **k: encodes(self, *a, **k))
    return draws, encodes


def acceptability_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Confidence factor" in d.value.columns)


def chart(at: AppTest, *datasets: str):
    """The drawn chart whose named datasets are ``datasets``."""
    for c in at.get("vega_lite_chart"):
        if [d.name for d in c.proto.datasets] == list(datasets):
            return c.proto
    raise AssertionError(f"no chart on {datasets}")


def test_a_slider_move_reuses_the_uniform_smaa_and_builds_no_chart(counted):
    draws, encodes = counted
    at = open_page("pages/sensitivity.py")
    move(at, 20.0)
    draws.calls = encodes.calls = 0
    before = acceptability_table(at)
    move(at, 80.0)
    move(at, 35.0)
    assert (draws.calls, encodes.calls) == (0, 0)
    pd.testing.assert_frame_equal(acceptability_table(at), before)  # uniform: the same table
    spec = json.loads(chart(at, "lines", "now", "changes").spec)
    title = spec["layer"][0]["encoding"]["x"]["title"]
    assert title == "Share of logistics in the total weight (%)"


def test_weights_sampled_around_the_current_ones_follow_a_slider_move(counted):
    draws, _ = counted
    at = open_page("pages/sensitivity.py")
    at.selectbox(key="sens_spread").set_value(100.0).run()
    assert not at.exception, at.exception
    draws.calls = 0
    before = acceptability_table(at)
    move(at, 5.0)
    assert draws.calls == 1
    assert not acceptability_table(at).equals(before)
    move(at, 50.0)  # back to the weights drawn first: their table is kept
    assert draws.calls == 1
    pd.testing.assert_frame_equal(acceptability_table(at), before)


def test_a_new_chart_shape_gets_its_own_spec(counted):
    _, encodes = counted
    at = open_page("pages/sensitivity.py")
    at.selectbox(key="sens_group").set_value("jobs").run()
    at.radio(key="sens_measure").set_value("score").run()
    assert not at.exception, at.exception
    spec = json.loads(chart(at, "lines", "now", "changes").spec)
    assert spec["layer"][0]["encoding"]["x"]["title"] == "Share of jobs in the total weight (%)"
    assert spec["layer"][0]["encoding"]["y"]["field"] == "score"
    assert encodes.calls > 0


def test_the_heatmap_rows_follow_the_ranking_through_the_data():
    at = open_page("pages/sensitivity.py")
    move(at, 100.0)
    heat = chart(at, "heat")
    spec = json.loads(heat.spec)
    assert spec["encoding"]["y"]["sort"] == {"field": "pos", "op": "min", "order": "ascending"}
    table = acceptability_table(at)  # the page's table is in the ranking's order
    frame = _arrow(heat.datasets[0].data.data)
    first_rows = frame.sort_values("pos").drop_duplicates("site")["site"].tolist()
    assert first_rows == table["Site"].tolist()
    assert np.isclose(frame.groupby("site")["share"].sum(), 1.0).all()


def test_the_contribution_chart_sorts_by_the_data_rank_and_is_built_once(counted):
    _, encodes = counted
    at = open_page("pages/compare.py")
    move(at, 10.0)
    encodes.calls = 0
    move(at, 90.0)
    assert encodes.calls == 0
    contrib = chart(at, "contrib")
    spec = json.loads(contrib.spec)
    assert spec["encoding"]["y"]["sort"] == {"field": "rank", "op": "min", "order": "ascending"}
    frame = _arrow(contrib.datasets[0].data.data)
    best = frame.sort_values("rank")["site"].iloc[0]
    ranking = next(d.value for d in at.dataframe if "score" in d.value.columns)
    assert best in ranking.sort_values("score", ascending=False).iloc[0].to_string()


def _arrow(data: bytes) -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(data).read_pandas()
