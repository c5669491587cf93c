"""Windrose site selection: router and overview page."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from pages import common
from windrose_sites import catalog, comparison, maps, scenarios
from windrose_sites.text import md

ROOT = Path(__file__).parent
st.set_page_config(page_title="Windrose site selection", page_icon="🧭", layout="wide")
maps.install_leaflet(ROOT / "static")  # served at /app/static/leaflet: the map works offline


def overview() -> None:
    st.title("Where should Windrose assemble its electric trucks?")
    fact = cat.facts.set_index(["site_id", "fact"])["value"]
    st.markdown(  # md-safe: announced areas are numbers from the shipped site facts
        "Windrose Technology's battery-electric trucks are built under contract in Suzhou, near "
        "Shanghai, and the parts travel by container. Windrose now assembles close to its "
        f"customers: a **concession of {fact['antwerp_romeynsweel', 'concession_area_ha']} ha "
        "at Romeynsweel (Port of Antwerp-Bruges)**, a **plant in Onnaing (northern France)** "
        f"on {fact['onnaing', 'site_area_ha']} ha next to Toyota, and a **US plant in Arizona "
        "or California** whose site is still open. This tool compares the candidate sites on "
        "logistics, jobs, port access, cost, sustainability and market, with every figure "
        "sourced (see *Key facts* below and the *Sites & data* page). Move the weights in the "
        "sidebar; every page follows them."
    )
    common.show_url_warnings()
    work = common.working_set(cat)
    ranking = common.current_ranking(work, cat, state)
    if ranking is None:
        return
    result, attrs = ranking.result, work.attributes
    leader = result["rank"].idxmin()
    st.success(
        f"Leader under the current weights ({md(common.METHOD_LABELS[state.method])}): "
        f"**{md(attrs.at[leader, 'name'])}** with score {result.at[leader, 'score']:.3f}."
    )
    left, right = st.columns([3, 2])
    with left:
        layer, cmap = maps.sites_layer(
            work.sites, result, work.table, cat.criteria, key_criteria=common.KEY_CRITERIA
        )
        m = maps.build_map(
            tuple(work.sites.total_bounds),
            cat.outlines,
            [layer],
            legend={"vmin": cmap.vmin, "vmax": cmap.vmax},
        )
        st_folium(m, key="overview_map", height=430, use_container_width=True, returned_objects=[])
    with right:
        table = comparison.ranking_table(result, attrs, cat.criteria)
        st.dataframe(
            table[["rank", "name", "score", "country", "status"]],
            hide_index=True,
            column_config={"score": common.score_column(result)},
            key="overview_ranking",
        )
        st.download_button(
            "Download comparison CSV",
            common.comparison_csv(result, work, cat),
            "windrose-comparison.csv",
            "text/csv",
            on_click="ignore",
            key="dl_overview_csv",
        )
    st.subheader("Key facts per site")
    st.dataframe(
        common.key_facts(cat, work),
        hide_index=True,
        column_config={"source": st.column_config.LinkColumn("source", width="medium")},
        key="key_facts",
    )


cat = common.load_catalog()
state = common.sidebar(cat)
page = st.navigation(
    [
        st.Page(overview, title="Overview", icon=":material/explore:", default=True),
        st.Page(ROOT / "pages" / "map.py", title="Map", icon=":material/map:", url_path="map"),
        st.Page(
            ROOT / "pages" / "compare.py",
            title="Compare",
            icon=":material/leaderboard:",
            url_path="compare",
        ),
        st.Page(
            ROOT / "pages" / "sensitivity.py",
            title="Sensitivity",
            icon=":material/tune:",
            url_path="sensitivity",
        ),
        st.Page(
            ROOT / "pages" / "suitability.py",
            title="Suitability",
            icon=":material/grid_on:",
            url_path="suitability",
        ),
        st.Page(
            ROOT / "pages" / "scenarios.py",
            title="Scenarios",
            icon=":material/bookmarks:",
            url_path="scenarios",
        ),
        st.Page(
            ROOT / "pages" / "data.py",
            title="Sites & data",
            icon=":material/table:",
            url_path="data",
        ),
    ]
)
LOG = logging.getLogger("windrose")
#: The project's own errors: their message says what is wrong and what to do.
PROJECT_ERRORS = (catalog.CatalogError, scenarios.ScenarioError)

try:
    page.run()
    with st.sidebar:  # after the page: it counts the sites and edits this run added
        common.share_notice()
except PROJECT_ERRORS as exc:
    st.error(f"{md(exc, max_chars=500)}", icon="🚫")
    st.info(
        "Nothing you entered is lost. Correct the input named above, or reset your data on the "
        "Sites & data page."
    )
except Exception:
    # An unexpected error: the trace goes to the server log with a reference the operator can
    # grep for; the user sees the reference, never a traceback or a server path.
    reference = uuid.uuid4().hex[:10]
    LOG.exception("unexpected error on page %s, reference %s", page.url_path or "/", reference)
    st.error(  # md-safe: the reference is hexadecimal
        f"Something went wrong on this page (reference {reference}). Your weights, sites and "
        "edits in this session are kept: try another page or undo your last change, and give "
        "the reference to the operator of this server.",
        icon="🚫",
    )
