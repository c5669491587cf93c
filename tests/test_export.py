import io
import json

import numpy as np
import pandas as pd
import pytest

from windrose_sites import catalog, decision, export, scoring
from windrose_sites import state as ws


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_like_text_is_neutralized_in_the_bytes(prefix):
    frame = pd.DataFrame(
        {"name": [f'{prefix}HYPERLINK("http://x")', "Antwerp"], "score": [-0.5, 0.25]}
    )
    data = export.to_csv(frame)
    rows = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    assert rows["name"][0] == "'" + frame["name"][0]
    assert rows["name"][1] == "Antwerp"
    # numbers stay numbers, even negative ones
    assert rows["score"].tolist() == [-0.5, 0.25]
    assert b"\n-0.5\n" not in data
    assert b",-0.5\n" in data


def test_comparison_frame_has_every_criterion_with_unit_weight_and_source():
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    attrs, table = catalog.site_attributes(), catalog.criteria_table()
    ranking = decision.evaluate(table, attrs, crit, default)
    frame = export.comparison_frame(
        ranking.result, table, crit, catalog.provenance(), attrs["name"]
    )
    assert len(frame) == len(table)
    assert frame["rank"].is_monotonic_increasing
    for cid in ranking.result.attrs["weights"]:
        unit = crit.at[cid, "unit"]
        for col in (
            f"{cid} [{unit}]",
            f"{cid} normalized",
            f"{cid} weight [%]",
            f"{cid} source",
            f"{cid} year",
            f"{cid} kind",
        ):
            assert col in frame.columns
    weights = [frame[f"{c} weight [%]"].iloc[0] / 100 for c in ranking.result.attrs["weights"]]
    assert sum(weights) == pytest.approx(1.0)
    contrib = frame[[c for c in frame.columns if c.endswith(" contribution")]].sum(axis=1)
    assert contrib.to_numpy() == pytest.approx(frame["score"].to_numpy())


def test_sites_geojson_carries_scores():
    crit = catalog.load_criteria()
    default = ws.default_state(list(dict.fromkeys(crit["group"])), crit["default_weight"])
    ranking = decision.evaluate(catalog.criteria_table(), catalog.site_attributes(), crit, default)
    doc = json.loads(export.sites_geojson(catalog.load_sites(), ranking.result))
    assert len(doc["features"]) == len(ranking.result)
    assert {"score", "rank", "method"} <= set(doc["features"][0]["properties"])
    assert sum(doc["weights"].values()) == pytest.approx(1.0)


def _tiny_comparison(table):
    criteria = pd.DataFrame({"unit": ["km", "%"]}, index=pd.Index(["port_km", "duty_pct"]))
    provenance = pd.DataFrame(
        {
            "site_id": ["a", "b", "c"],
            "criterion": ["port_km"] * 3,
            "source": ["s"] * 3,
            "year": [2024] * 3,
            "kind": ["official"] * 3,
        }
    )
    result = scoring.score(
        table,
        {"port_km": 1.0, "duty_pct": 1.0},
        {"port_km": "cost", "duty_pct": "cost"},
        missing="worst",
    )
    names = pd.Series({"a": "A", "b": "B", "c": "C"})
    return export.comparison_frame(result, table, criteria, provenance, names)


def test_comparison_frame_flags_a_no_information_criterion_after_the_old_columns():
    """The duty example of issue 12: only one region's duty known, so the column is flat."""
    table = pd.DataFrame(
        {"port_km": [10.0, 30.0, 20.0], "duty_pct": [54.0, np.nan, 54.0]}, index=["a", "b", "c"]
    )
    frame = _tiny_comparison(table)
    new = ["port_km no information", "duty_pct no information"]
    assert list(frame.columns[-2:]) == new  # appended: the existing columns keep their places
    assert frame["duty_pct no information"].all()
    assert not frame["port_km no information"].any()
    assert frame.set_index("site_id").at["b", "duty_pct imputed worst"]
    assert frame["duty_pct contribution"].nunique() == 1  # it rewards nobody
    rows = pd.read_csv(io.BytesIO(export.to_csv(frame)))
    assert rows["duty_pct no information"].tolist() == [True, True, True]


def test_comparison_frame_imputed_value_scores_below_every_known_one():
    table = pd.DataFrame(
        {"port_km": [10.0, np.nan, 20.0], "duty_pct": [5.0, 3.0, 4.0]}, index=["a", "b", "c"]
    )
    frame = _tiny_comparison(table).set_index("site_id")
    assert frame.at["b", "port_km imputed worst"]
    assert frame.at["b", "port_km normalized"] == 0.0
    assert frame.loc[["a", "c"], "port_km normalized"].min() > 0.0
    assert not frame[["port_km no information", "duty_pct no information"]].any(axis=None)
