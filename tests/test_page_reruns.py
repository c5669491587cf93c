"""AppTest of what a rerun reuses on the Cost, Sites & data and Compare pages (issue 16).

A weight move changes the ranking, not the cost model, its Monte Carlo, the data health table
or the add-a-site map: those are kept. A change of what they are made of (a cost parameter,
the tariff, the sample size, an edited value) builds them anew, and the page shows the new
figures.
"""

from __future__ import annotations

import pandas as pd
import pytest
from page_helpers import Counter, move, open_page
from streamlit.testing.v1 import AppTest

from windrose_sites import health, map_paint
from windrose_sites.cost import tables as cost_tables
from windrose_ui import cached

FREIGHT_EU = "freight_shanghai_antwerp_bruges_usd_per_feu@all"
LANDED = "landed cost used (EUR per truck)"


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.fixture
def counted(monkeypatch):
    """Counters on the Monte Carlo and on the cost model's build, in a server process that
    has not computed any Cost page figure yet (they are shared by its sessions)."""
    cached.cost_result.clear()
    mc = Counter(cost_tables.simulate)
    model = Counter(cost_tables.model_for_work)
    monkeypatch.setattr(cost_tables, "simulate", mc)
    monkeypatch.setattr(cost_tables, "model_for_work", model)
    return mc, model


def test_a_weight_move_keeps_the_monte_carlo_and_moves_the_ranking(counted):
    mc, model = counted
    at = open_page("pages/cost.py")
    move(at, 50.0)  # the first run set the tariff's default ("today"): its working set
    mc.calls = model.calls = 0
    totals = table_with(at, "total_p50_eur_per_truck")
    score = table_with(at, LANDED)["score"].to_numpy()
    move(at, 5.0)
    move(at, 95.0)
    assert (mc.calls, model.calls) == (0, 0)  # neither is rebuilt
    pd.testing.assert_frame_equal(table_with(at, "total_p50_eur_per_truck"), totals)
    assert list(table_with(at, LANDED)["score"]) != list(score)  # the ranking follows


def test_a_cost_parameter_reruns_the_monte_carlo_and_shows_new_figures(counted):
    mc, model = counted
    at = open_page("pages/cost.py")
    old = table_with(at, "total_p50_eur_per_truck").set_index("site_id")
    at.session_state["cost_overrides"] = {FREIGHT_EU: 9000.0}
    at.run()
    assert not at.exception, at.exception
    assert (mc.calls, model.calls) == (2, 2)
    new = table_with(at, "total_p50_eur_per_truck").set_index("site_id")
    for col in ("total_eur_per_truck", "total_p50_eur_per_truck"):
        assert new.at["onnaing", col] > old.at["onnaing", col] + 1000
    assert new.at["tucson_az", "total_eur_per_truck"] == old.at["tucson_az", "total_eur_per_truck"]
    ranked = table_with(at, LANDED).set_index("site")[LANDED]
    name = next(s for s in ranked.index if s.startswith("Onnaing"))
    assert ranked[name] == f"EUR {new.at['onnaing', 'total_eur_per_truck']:,.0f}"
    # the tariff and the sample size are inputs too
    at.selectbox(key="cost_tariff").set_value("s232_lifted").run()
    assert (mc.calls, model.calls) == (3, 3)
    at.selectbox(key="cost_samples").set_value(1_000).run()
    assert (mc.calls, model.calls) == (4, 3)  # the same model, a new draw
    assert any("1,000 draws" in m.value for m in at.markdown)
    move(at, 20.0)
    assert (mc.calls, model.calls) == (4, 3)


def test_a_fresh_session_at_the_same_link_reuses_the_monte_carlo_of_another(counted):
    """25 people opening Cost at the same link: the figures are computed once per server
    process, and every session shows the same figures; another cost model computes anew."""
    mc, _ = counted
    first = open_page("pages/cost.py")
    assert mc.calls == 1
    second = open_page("pages/cost.py")
    assert not second.exception, second.exception
    assert mc.calls == 1  # shared, not computed again
    for column in ("total_p50_eur_per_truck", "p_cheapest"):
        pd.testing.assert_frame_equal(table_with(second, column), table_with(first, column))
    gap = [m.value for m in second.markdown if "median draw" in m.value]
    assert gap == [m.value for m in first.markdown if "median draw" in m.value] != []
    third = open_page("pages/cost.py")
    third.session_state["cost_overrides"] = {FREIGHT_EU: 9000.0}
    third.run()
    assert not third.exception, third.exception
    assert mc.calls == 2  # another model: its own draws
    p50 = "total_p50_eur_per_truck"
    after = table_with(third, p50).set_index("site_id").at["onnaing", p50]
    assert after > table_with(first, p50).set_index("site_id").at["onnaing", p50] + 1000


def test_the_data_page_keeps_its_map_and_health_table_across_weight_moves(monkeypatch):
    render = Counter(map_paint.render_static)
    table = Counter(health.criterion_health)
    monkeypatch.setattr(map_paint, "render_static", render)
    monkeypatch.setattr(health, "criterion_health", table)
    at = open_page("pages/data.py")
    built = render.calls, table.calls
    assert built[1] == 1
    move(at, 5.0)
    move(at, 95.0)
    assert (render.calls, table.calls) == built
    before = table_with(at, "label")
    # an edited value is a new working set: a new health table, which counts it
    at.session_state["edits"] = {"onnaing": {"sea_distance_nm": 5000.0}}  # a weighted one
    at.run()
    assert not at.exception, at.exception
    assert table.calls == built[1] + 1
    after = table_with(at, "label")
    assert not after.equals(before)
    text = " ".join(m.value for m in at.markdown)
    onnaing = next(line for line in text.split("- ") if line.startswith("Onnaing"))
    assert "1 user value" in onnaing


def test_the_compare_page_shows_an_edited_value_side_by_side():
    at = open_page("pages/compare.py")
    at.selectbox(key="cmp_a").set_value("onnaing").run()
    move(at, 10.0)
    row = "Hourly labour cost"
    view = table_with(at, "B − A").set_index("criterion")
    assert row in view.index, list(view.index)
    at.session_state["edits"] = {"onnaing": {"labour_cost_eur_h": 33.0}}
    at.run()
    assert not at.exception, at.exception
    edited = table_with(at, "B − A").set_index("criterion")
    a_col = next(c for c in edited.columns if c.startswith("A: "))
    assert edited.at[row, a_col] != view.at[row, a_col]
    assert edited.at[row, a_col].startswith("33")
