"""AppTest of the Sensitivity page: answers the board, follows the sidebar, drives its widgets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from page_helpers import open_panels
from streamlit.runtime.memory_media_file_storage import _calculate_file_id
from streamlit.testing.v1 import AppTest

from windrose_sites import catalog, decision, export, sensitivity, text
from windrose_sites import state as ws

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/sensitivity.py"
STABILITY_PANEL, METHODS_PANEL = "sens_stability_panel", "sens_methods_panel"
DOWNLOADS = [
    "dl_sens_crossovers",
    "dl_sens_acceptability",
    "dl_sens_stability",
    "dl_sens_methods",
]


def open_page(query: dict[str, str] | None = None, **session) -> AppTest:
    """The app with sidebar state from URL parameters (as a shared link) and session values."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query or {})
    session = {STABILITY_PANEL: True, METHODS_PANEL: True} | session  # both panels open
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def core_inputs(
    method: str = "wsm", table: pd.DataFrame | None = None, countries=(), group_weights=None
):
    """What the page should pass to the core: the sidebar's weights, filters and data."""
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    state = replace(
        default,
        group_weights={**default.group_weights, **(group_weights or {})},
        method=method,
        filters=ws.Filters(countries=tuple(countries)),
    )
    attrs = catalog.site_attributes()
    table = catalog.criteria_table() if table is None else table
    weights = decision.effective_weights(crit, state)
    used = weights[weights > 0]
    kept = decision.apply_filters(attrs, state.filters)
    kept = kept.index[kept == ""]
    args = (
        table.loc[kept, used.index],
        used.to_dict(),
        crit.loc[used.index, "direction"].to_dict(),
    )
    kw = {"method": method, "missing": "worst"}
    return args, kw, crit.loc[used.index, "group"].to_dict(), attrs["name"].to_dict()


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def board_answers(method: str = "wsm", **kwargs) -> tuple[str, str]:
    """The two answers as Markdown: site names are escaped (they may come from a user)."""
    args, kw, groups, names = core_inputs(method, **kwargs)
    names = {s: text.md(n) for s, n in names.items()}
    q1 = sensitivity.head_to_head(
        *args,
        site="onnaing",
        rival="antwerp_romeynsweel",
        criterion_or_group="logistics",
        groups=groups,
        names=names,
        **kw,
    )
    acc = sensitivity.rank_acceptability(*args, samples=10_000, seed=0, **kw)
    leader = sensitivity.method_agreement(*args, missing="worst")[method].idxmin()
    q2 = f"{names[leader]} is first in {acc.at[leader, 1]:.0%} of 10,000 weight samples"
    return q1, q2


def assert_answers(at: AppTest, method: str = "wsm", **kwargs) -> tuple[str, str]:
    q1, q2 = board_answers(method, **kwargs)
    shown = texts(at)
    assert q1 in shown
    assert any(t.startswith(q2) for t in shown), (q2, shown)
    return q1, q2


def test_the_page_answers_the_board_and_its_tables_and_downloads_equal_the_core():
    at = open_page()
    q1, _ = assert_answers(at)
    assert "Onnaing" in q1
    assert "Antwerp" in q1
    assert "logistics" in q1
    assert any(
        t.startswith("**If logistics mattered a little more, would Onnaing") for t in texts(at)
    )
    assert any(t.startswith("**How sure are we that Onnaing") for t in texts(at))

    args, kw, groups, names = core_inputs()
    stab = sensitivity.stability_intervals(*args, groups=groups, names=names, **kw)
    assert frame(at, "Now")["In words"].tolist() == stab["sentence"].tolist()
    cross = sensitivity.crossovers(
        *args, criterion_or_group="logistics", groups=groups, names=names, **kw
    )
    shown = frame(at, "Leader changes")["What happens"].tolist()
    assert shown == cross[cross["leader_changes"]]["sentence"].tolist()
    methods = frame(at, "TOPSIS")
    agree = sensitivity.method_agreement(*args, missing="worst")
    assert methods["TOPSIS"].tolist() == agree.loc[methods.index, "topsis"].tolist()
    acc = sensitivity.rank_acceptability(*args, samples=10_000, seed=0, **kw)
    assert frame(at, "Rank 1")["Rank 1"].tolist() == (
        (100 * acc.loc[methods.index, 1]).round(1).tolist()
    )

    # what you see is what you download: the stability CSV is the table on screen
    expected = stab.assign(**{c: (100 * stab[c]).round(1) for c in ["share", "lower", "upper"]})
    expected = expected.rename(columns={"share": "now %", "lower": "from %", "upper": "to %"})
    button = next(e for e in at.get("download_button") if e.key == "dl_sens_stability")
    data = export.to_csv(expected)
    digest = _calculate_file_id(data, "text/csv", "windrose-stability.csv") + ".csv"
    assert button.proto.url.rsplit("/", 1)[1] == digest
    assert set(DOWNLOADS) <= {e.key for e in at.get("download_button")}
    assert len(at.get("vega_lite_chart")) == 3


def test_the_closed_panels_cost_nothing_and_keep_their_level(monkeypatch):
    """Stability intervals and method agreement are built only while their panel is open
    (issue 16): closed, the page computes neither and draws no table of theirs; the level
    chosen for the intervals survives closing the panel and opening it again."""
    calls = []
    real_stability = sensitivity.sweep.stability_intervals
    real_agreement = sensitivity.agreement.method_agreement
    monkeypatch.setattr(
        sensitivity.sweep,
        "stability_intervals",
        lambda *a, **k: calls.append("stability") or real_stability(*a, **k),
    )
    monkeypatch.setattr(
        sensitivity.agreement,
        "method_agreement",
        lambda *a, **k: calls.append("methods") or real_agreement(*a, **k),
    )
    at = open_page(**{STABILITY_PANEL: False, METHODS_PANEL: False})
    assert_answers(at)  # the board's answers need neither
    calls.clear()  # the Overview's brief (run first) and the expected answers ask the methods
    at.run()
    assert calls == []
    keys = {e.key for e in at.get("download_button")}
    assert {"dl_sens_stability", "dl_sens_methods"}.isdisjoint(keys)
    assert not any({"Now", "TOPSIS"} & set(d.value.columns) for d in at.dataframe)

    at.session_state[STABILITY_PANEL] = True
    at.run()
    assert calls == ["stability"]
    at.radio(key="sens_stab_level").set_value("criterion").run()
    at.session_state[STABILITY_PANEL] = False
    at.run()
    assert not any("Now" in d.value.columns for d in at.dataframe)
    at.session_state[STABILITY_PANEL] = True
    at.session_state[METHODS_PANEL] = True
    at.run()
    assert at.radio(key="sens_stab_level").value == "criterion"
    assert len(frame(at, "Now")) == (catalog.load_criteria()["default_weight"] > 0).sum()
    assert "TOPSIS" in frame(at, "TOPSIS").columns


def test_every_widget_of_the_page_reruns_cleanly():
    at = open_page()
    at.selectbox(key="sens_group").set_value("cost")
    at.radio(key="sens_measure").set_value("score").run()
    before = len(frame(at, "Leader changes"))  # the leader's changes only, for this group
    at.checkbox(key="sens_leader_only").uncheck().run()
    assert not at.exception
    assert any("Share of cost" in c.proto.spec for c in at.get("vega_lite_chart"))
    every = frame(at, "Leader changes")
    assert len(every) >= before
    assert not every["Leader changes"].all()
    at.selectbox(key="sens_samples").set_value(1_000)
    at.selectbox(key="sens_spread").set_value(100.0)
    at.number_input(key="sens_seed").set_value(3)
    at.radio(key="sens_stab_level").set_value("criterion").run()
    assert not at.exception
    assert any("of 1,000 weight samples (the current weights, give or take" in t for t in texts(at))
    stab = frame(at, "Now")
    crit = catalog.load_criteria()
    weighted = (crit["default_weight"] > 0).sum()
    assert len(stab) == weighted  # every weighted criterion (those weighted 0 have no interval)
    assert any("Sea distance" in s for s in stab["In words"])


def test_the_page_follows_the_sidebar_and_edited_data():
    at = open_page()
    at.sidebar.selectbox(key="method").set_value("wpm").run()
    q1, _ = assert_answers(at, "wpm")
    assert "overtakes" in q1  # under WPM Antwerp leads; more logistics brings Onnaing ahead
    at.sidebar.selectbox(key="method").set_value("wsm")
    at.sidebar.slider(key="w_market").set_value(100.0).run()
    assert_answers(at, group_weights={"market": 100.0})
    at.sidebar.slider(key="w_market").set_value(50.0)
    open_panels(at)
    at.sidebar.multiselect(key="f_countries").set_value(["BE", "FR"]).run()
    assert_answers(at, countries=("BE", "FR"))
    assert len(frame(at, "Rank 1")) == 2
    # an edit on the Sites & data page flows in (it lives in session state)
    at.session_state["edits"] = {
        "antwerp_romeynsweel": {"grid_gco2_kwh": 5.0, "unemployment_pct": 12.0}
    }
    at.run()
    table = catalog.criteria_table().copy()
    table.loc["antwerp_romeynsweel", ["grid_gco2_kwh", "unemployment_pct"]] = [5.0, 12.0]
    _, q2 = assert_answers(at, table=table, countries=("BE", "FR"))
    assert q2 != board_answers(countries=("BE", "FR"))[1]


def test_a_shared_link_sets_the_page_state():
    at = open_page({"method": "topsis", "w_jobs": "80"})
    assert_answers(at, "topsis", group_weights={"jobs": 80.0})


def test_without_a_ranking_the_page_says_why():
    crit = catalog.load_criteria()
    at = open_page({ws.group_key(g): "0" for g in dict.fromkeys(crit["group"])})
    assert any("No ranking" in e.value for e in at.error)


def uploaded_sites(rows: int, seed: int = 1):
    """``rows`` valid user sites, as the Sites & data page stores an upload."""
    from test_max_upload import max_upload_csv

    from windrose_sites import uploads

    sites = catalog.load_sites()
    result = uploads.parse_sites(
        max_upload_csv(rows, seed),
        "many.csv",
        existing_names=list(sites["name"]),
        existing_ids=list(sites["site_id"]),
    )
    assert len(result.sites) == rows, result.problems
    return result.sites


def test_a_large_list_is_analysed_on_the_leaders_plus_the_selection():
    from windrose_sites import limits, pipeline

    extra = uploaded_sites(120)
    inputs = pipeline.load_inputs()
    work = pipeline.working_set(inputs, [extra])
    state = pipeline.default_state(inputs)
    result = pipeline.rank(work, inputs, state).result
    last = result["rank"].idxmax()  # far outside the top 50
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["user_sites"] = [extra]
    at.run()
    at.session_state["selected"] = [last]
    at.session_state[METHODS_PANEL] = at.session_state[STABILITY_PANEL] = True
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    n = len(result)
    assert n > limits.MAX_ANALYSIS_SITES + 1
    notes = [i.value for i in at.info]
    assert any(
        f"covers the top 50 of {n} ranked sites plus your 1 selected site" in t for t in notes
    ), notes
    acceptability = frame(at, "Rank 1")
    expected = limits.focus_sites(result, [last])
    assert acceptability.index.tolist() == expected.tolist()
    assert len(acceptability.columns) == 1 + limits.MAX_ANALYSIS_SITES + 1 + 1  # name, ranks, cf
    assert frame(at, "TOPSIS").index.tolist() == expected.tolist()
    # the shortlist is normalized over every ranked site (among=): its scores are the
    # full ranking's, and its sentences equal the core's on that problem
    used = pipeline.rank(work, inputs, state).weights
    used = used[used > 0]
    crit = inputs.criteria
    problem = sensitivity.Problem(
        work.table.loc[result.index, used.index],
        used.to_dict(),
        crit.loc[used.index, "direction"].to_dict(),
        method="wsm",
        missing="worst",
        groups=crit.loc[used.index, "group"].to_dict(),
        names=work.attributes["name"].to_dict(),
        among=expected,
    )
    np.testing.assert_allclose(
        problem.current["score"], result.loc[expected, "score"], rtol=0, atol=1e-12
    )
    stab = sensitivity.sweep.stability_intervals(problem)
    assert frame(at, "Now")["In words"].tolist() == stab["sentence"].tolist()
    assert frame(at, "Now")["In words"].tolist() != rescored_sentences(work, expected, used, crit)


def rescored_sentences(work, sites, used, crit) -> list[str]:
    """The old rule: the shortlist re-scored on its own (normalized over it alone)."""
    stab = sensitivity.stability_intervals(
        work.table.loc[sites, used.index],
        used.to_dict(),
        crit.loc[used.index, "direction"].to_dict(),
        groups=crit.loc[used.index, "group"].to_dict(),
        names=work.attributes["name"].to_dict(),
        method="wsm",
        missing="worst",
    )
    return stab["sentence"].tolist()


def test_a_flipped_direction_is_analysed_as_the_ranking_has_it():
    at = open_page({"d_unemployment_pct": "cost"})
    crit = catalog.load_criteria()
    assert crit.at["unemployment_pct", "direction"] == "benefit"
    args, kw, groups, names = core_inputs()
    flipped = {**args[2], "unemployment_pct": "cost"}
    stab = sensitivity.stability_intervals(
        args[0], args[1], flipped, groups=groups, names=names, **kw
    )
    assert frame(at, "Now")["In words"].tolist() == stab["sentence"].tolist()
    unflipped = sensitivity.stability_intervals(*args, groups=groups, names=names, **kw)
    assert stab["sentence"].tolist() != unflipped["sentence"].tolist()


@pytest.mark.browser
def test_a_new_sample_size_reruns_the_smaa_fragment_and_its_answer_at_the_top(page, app_server):
    """In a browser: the SMAA fragment redraws its answer in the box at the top, once."""
    from browser_helpers import choose, no_exception, wait_idle
    from playwright.sync_api import expect

    page.goto(f"{app_server}/sensitivity")
    wait_idle(page)
    answer = page.get_by_text("weight samples (uniform: any weights)")
    expect(answer).to_contain_text("of 10,000 weight samples")
    choose(page, "Weight samples", "1,000")
    expect(answer).to_contain_text("of 1,000 weight samples")  # one answer, redrawn in place
    expect(page.get_by_text("How sure are we that")).to_have_count(1)
    expect(page.get_by_text("If logistics mattered a little more")).to_have_count(1)
    no_exception(page)
