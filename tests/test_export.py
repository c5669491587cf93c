import io
import json

import pandas as pd
import pytest

from windrose_sites import catalog, decision, export
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
    assert b"\n-0.5\n" not in data and b",-0.5\n" in data


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
            f"{cid} weight",
            f"{cid} source",
            f"{cid} year",
            f"{cid} kind",
        ):
            assert col in frame.columns
    weights = [frame[f"{c} weight"].iloc[0] for c in ranking.result.attrs["weights"]]
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
