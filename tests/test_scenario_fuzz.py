"""Hypothesis fuzz of scenario JSON through import *and* load: never an exception other than a
clear ScenarioError, and never a stored scenario that fails to load or breaks the pages' working
set (the shipped sites plus the scenario's own, with its edits, ranked).
"""

from __future__ import annotations

import json
import sqlite3
from functools import cache

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from windrose_sites import assumptions, catalog, decision, uploads
from windrose_sites import scenarios as sc
from windrose_sites import state as ws

SITES = catalog.load_sites()
CRITERIA = catalog.load_criteria()
RULES = sc.Rules.of(SITES, CRITERIA)
SHIPPED_IDS = list(SITES["site_id"])
FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@cache
def shipped_criteria() -> catalog.SiteCriteria:
    return catalog.compute_criteria(SITES[SITES["role"] == "candidate"].reset_index(drop=True))


@cache
def base_doc() -> dict:
    """A scenario as the app saves it: two added sites (one with a criterion value), edits."""
    data = b"name,lat,lon,unemployment_pct\nGhent,51.05,3.72,5\nZelzate,51.2,3.81,\n"
    result = uploads.parse_sites(
        data, "mine.csv", existing_ids=SITES["site_id"], existing_names=SITES["name"]
    )
    crit = ws.default_state(list(dict.fromkeys(CRITERIA["group"])), CRITERIA["default_weight"])
    scenario = sc.Scenario(
        name="Fuzz",
        state=crit,
        edits={"user_ghent": {"road_to_port_km": 12.0}, SHIPPED_IDS[0]: {"unemployment_pct": None}},
        uploads_geojson=result.sites.to_json(drop_id=True),
    )
    return json.loads(sc.scenario_to_json(scenario))


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["onnaing", "user_ghent", "candidate", "BE", "estimate", "", "a,b"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
site_props = [*catalog.SITE_COLUMNS, *CRITERIA.index[:4], "extra"]
geometry = st.one_of(
    st.none(),
    st.builds(
        lambda x, y: {"type": "Point", "coordinates": [x, y]},
        st.floats(-400, 400) | st.integers(-200, 200),
        st.floats(-200, 200) | st.integers(-100, 100),
    ),
    st.just({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
    st.just({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}),
    json_value,
)
# one change to a feature: (feature index, property or "geometry" / "feature", new value or drop)
feature_change = st.tuples(
    st.integers(0, 2),
    st.sampled_from([*site_props, "geometry", "feature"]),
    st.one_of(st.just("<drop>"), json_value, st.sampled_from(SHIPPED_IDS)),
    geometry,
)
edit_site = st.sampled_from([*SHIPPED_IDS[:3], "user_ghent", "user_zelzate", "nowhere"])
edit_criterion = st.sampled_from([*CRITERIA.index[:5], "magic"])
edit_value = st.one_of(
    st.none(), st.floats(-1e16, 1e16, allow_nan=False), st.integers(-5, 5), json_leaf
)
edits = st.dictionaries(
    edit_site, st.dictionaries(edit_criterion, edit_value, max_size=3), max_size=3
)
top_change = st.tuples(
    st.sampled_from([*sc._FIELDS, "unknown"]), st.one_of(st.just("<drop>"), json_value)
)


def mutate(
    feature_changes: list, new_edits: dict | None, top_changes: list, duplicate: bool
) -> str:
    doc = json.loads(json.dumps(base_doc()))
    sites = json.loads(doc["uploads_geojson"])
    features = sites["features"]
    if duplicate:
        features.append(json.loads(json.dumps(features[0])))
    for i, prop, value, geom in feature_changes:
        f = features[i % len(features)]
        if not isinstance(f, dict) or not isinstance(f.get("properties"), dict):
            continue  # replaced by junk already
        if prop == "geometry":
            f["geometry"] = geom
        elif prop == "feature":
            features[i % len(features)] = value
        elif value == "<drop>":
            f["properties"].pop(prop, None)
        else:
            f["properties"][prop] = value
    doc["uploads_geojson"] = json.dumps(sites)
    if new_edits is not None:
        doc["edits"] = new_edits
    for key, value in top_changes:
        if value == "<drop>":
            doc.pop(key, None)
        else:
            doc[key] = value
    return json.dumps(doc)


def assert_usable(checked: sc.Checked) -> None:
    """What the pages do with a loaded scenario (session.working_set), without Streamlit."""
    computed = shipped_criteria()
    scenario = checked.scenario
    if checked.sites is not None:
        extra = checked.sites
        extra_sc = catalog.compute_criteria(extra[[*catalog.SITE_COLUMNS, "geometry"]])
        computed = assumptions.merge(computed, extra_sc)
        cols = [c for c in CRITERIA.index if c in extra.columns]
        values = extra.set_index("site_id")[cols]
        supplied = {
            sid: {c: float(v) for c, v in row.items() if pd.notna(v)}
            for sid, row in values.iterrows()
        }
        computed = assumptions.apply_edits(computed, supplied, source="user upload")
    computed = assumptions.apply_edits(computed, scenario.edits)
    default = ws.default_state(list(dict.fromkeys(CRITERIA["group"])), CRITERIA["default_weight"])
    fitted, _ = sc.fit_state(scenario.state, default, site_ids=computed.table.index)
    reason = "ranked"
    try:
        decision.evaluate(computed.table, computed.attributes, CRITERIA, fitted)
    except ValueError as exc:  # every site filtered out or no positive weight: pages say so
        reason = str(exc)
    assert reason


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> sc.ScenarioStore:
    return sc.ScenarioStore(tmp_path_factory.mktemp("fuzz") / "s.sqlite", rules=RULES)


def test_the_base_scenario_is_accepted(store):
    saved = store.import_json(json.dumps(base_doc()), name="base")
    assert_usable(store.checked(saved.id))


@FUZZ
@given(
    feature_changes=st.lists(feature_change, max_size=3),
    new_edits=st.none() | edits,
    top_changes=st.lists(top_change, max_size=2),
    duplicate=st.booleans(),
)
def test_import_then_load_never_breaks(store, feature_changes, new_edits, top_changes, duplicate):
    text = mutate(feature_changes, new_edits, top_changes, duplicate)
    try:
        saved = store.import_json(text, name="fuzz", overwrite=True)
    except sc.ScenarioError as exc:
        event("refused")
        reason = str(exc)
    else:
        reason = None
    if reason is not None:
        assert reason  # refused, with a reason
        return
    event("stored")
    assert_usable(store.checked(saved.id))  # what was stored loads, and the pages can use it


@FUZZ
@given(
    feature_changes=st.lists(feature_change, max_size=3),
    new_edits=st.none() | edits,
    duplicate=st.booleans(),
)
def test_a_tampered_row_is_refused_on_load_or_usable(store, feature_changes, new_edits, duplicate):
    """Rows changed in the file (or written by an older app) skip the import checks."""
    saved = store.import_json(json.dumps(base_doc()), name="tampered", overwrite=True)
    text = mutate(feature_changes, new_edits, [], duplicate)
    con = sqlite3.connect(store.path)
    with con:
        con.execute("UPDATE scenarios SET payload = ? WHERE id = ?", (text, saved.id))
    con.close()
    try:
        checked = store.checked(saved.id)
    except sc.ScenarioError as exc:
        event("refused")
        reason = str(exc)
    else:
        reason = None
    if reason is not None:
        assert reason
        return
    event("loaded")
    assert_usable(checked)


@FUZZ
@given(payload=json_value | st.text(max_size=40))
def test_a_row_of_garbage_is_refused_on_load(store, payload):
    saved = store.import_json(json.dumps(base_doc()), name="garbage", overwrite=True)
    text = payload if isinstance(payload, str) else json.dumps(payload)
    assume(text != json.dumps(base_doc()))
    con = sqlite3.connect(store.path)
    with con:
        con.execute("UPDATE scenarios SET payload = ? WHERE id = ?", (text, saved.id))
    con.close()
    with pytest.raises(sc.ScenarioError):
        store.checked(saved.id)
