"""The Overview with a large upload: the ranking table goes to the page a page at a time, and
turning a page (an st.fragment) changes only the table (issue 16 §2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from windrose_sites import uploads

ROOT = Path(__file__).resolve().parent.parent


def _sites(n: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    csv = pd.DataFrame(
        {
            "name": [f"site {i}" for i in range(n)],
            "lat": rng.uniform(49.5, 51.5, n),
            "lon": rng.uniform(2.5, 5.5, n),
        }
    )
    return uploads.parse_sites(csv.to_csv(index=False).encode(), "many.csv").sites


def _ranking_rows(at: AppTest) -> pd.DataFrame:
    (table,) = [d.value for d in at.dataframe if "rank" in d.value.columns]
    return table


def test_a_large_ranking_is_sent_a_page_at_a_time():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["user_sites"] = [_sites(230)]
    at.run()
    assert not at.exception
    first = _ranking_rows(at)
    assert list(first["rank"]) == list(range(1, 101))
    pages = at.number_input(key="overview_ranking_page")
    assert pages.max == 3  # 230 ranked sites or more, 100 a page
    pages.set_value(3).run()
    assert not at.exception
    last = _ranking_rows(at)
    assert last["rank"].iloc[0] == 201
    assert len(last) <= 100
