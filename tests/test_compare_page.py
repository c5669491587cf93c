"""AppTest of what a user reads on the Compare page, the Overview's key facts and the
Sites & data page: labels instead of ids, one format per unit, "—" for a missing value."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
#: A raw float as the tables showed it before: 492.1782, 10510.9458.
RAW_FLOAT = re.compile(r"^-?\d+\.\d{3,}$")
#: What a missing value must never read.
RAW_MISSING = {"None", "nan", "NaN", "<NA>", "NaT"}


def open_page(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(query or {})
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


#: A column that tells each table apart (st.dataframe without selection has no element id).
MARKS = {
    "side_by_side": "B − A",
    "compare_ranking": "rank",
    "effective_weights": "basis",
    "key_facts": "fact",
    "facts_table": "fact",
    "user_sites_table": "statistics from (most specific first)",
    "provenance_table": "criterion_label",
}


def shown(at: AppTest, key: str) -> pd.DataFrame:
    """The table with the given key, in the columns a user sees (``column_order``)."""
    frame = next(d for d in at.dataframe if MARKS[key] in d.value.columns)
    order = list(frame.proto.column_order)
    return frame.value[order] if order else frame.value


def cells(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame.astype(str).to_numpy().ravel()]


@pytest.fixture(scope="module")
def compare() -> AppTest:
    return open_page("pages/compare.py")


def test_side_by_side_has_a_difference_and_formatted_values(compare):
    table = shown(compare, "side_by_side")
    assert "B − A" in table.columns
    assert "better" in table.columns
    assert len(table.columns) <= 6  # fits on a 1400 px screen without a horizontal scroll
    values = cells(table)
    assert not [v for v in values if RAW_FLOAT.match(v)], values
    assert not RAW_MISSING & set(values)
    sea = table.set_index("criterion").loc["Sea distance Shanghai → gateway port"]
    assert sea.iloc[1].endswith(" nm")
    assert re.fullmatch(r"\d{1,3}(,\d{3})* nm", sea.iloc[1])  # an integer, thousands separated
    assert sea["better"] in {*(c.removeprefix("A: ") for c in table.columns[2:3]), "equal"} | {
        c.removeprefix("B: ") for c in table.columns[3:4]
    }


def test_side_by_side_shows_a_dash_for_a_missing_value():
    at = open_page("pages/compare.py", {"c_labour_cost_eur_h": "50", "w_cost": "50"})
    at.selectbox(key="cmp_a").set_value("onnaing").run()
    at.selectbox(key="cmp_b").set_value("tucson_az").run()
    assert not at.exception, at.exception
    table = shown(at, "side_by_side")
    values = cells(table)
    assert not RAW_MISSING & set(values)
    assert not [v for v in values if RAW_FLOAT.match(v)], values


def test_compare_tables_do_not_lead_with_ids(compare):
    assert shown(compare, "compare_ranking").columns[0] == "rank"
    assert "site_id" not in shown(compare, "compare_ranking").columns
    weights = shown(compare, "effective_weights")
    assert "id" not in weights.columns
    assert set(weights["direction"]) <= {"lower is better", "higher is better"}


def test_key_facts_show_labels_not_ids():
    at = open_page()
    facts = shown(at, "key_facts")
    assert "concession_area_ha" not in set(facts["fact"])
    assert "jobs_fte_long_term" not in set(facts["fact"])
    assert not facts["fact"].str.contains("_").any()
    row = facts[facts["fact"] == "Concession area"]
    assert row["value"].tolist() == ["9.5 ha"]


def test_your_sites_table_has_readable_headers():
    at = open_page("pages/data.py")
    at.text_input(key="add_name").input("Test Mesa")
    at.number_input(key="add_lat").set_value(33.4)
    at.number_input(key="add_lon").set_value(-111.8)
    next(b for b in at.button if b.label == "Add site").click().run()
    assert not at.exception, at.exception
    table = shown(at, "user_sites_table")
    assert not {"role", "indicator_areas", "site_id"} & set(table.columns)
    assert table["site"].tolist() == ["Test Mesa"]
    assert table.at[0, "statistics from (most specific first)"] == "US-AZ, then US"
    assert not RAW_MISSING & set(cells(table))
    assert not [d for d in at.dataframe if MARKS["facts_table"] in d.value.columns]  # closed
    at.session_state["provenance_panel"] = True  # built only while open
    at.run()
    facts = shown(at, "facts_table")
    assert not facts["fact"].str.contains("_").any()
    provenance = shown(at, "provenance_table")
    assert not [v for v in provenance["value"] if RAW_FLOAT.match(str(v))]
