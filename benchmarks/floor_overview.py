"""The floor for the Overview: a plain Streamlit script with the same visible work, done naively.

The Overview's widgets (8 menu links, a glossary popover, 18 sliders, a method box, 12 direction
radios, 2 number inputs, a multiselect, 2 checkboxes), a weighted sum computed on every run, two
``st_folium`` maps (country outlines plus the view's sites with tooltips, rebuilt on every run),
the 11-row ranking, an eager CSV download plus two on-click ones, and the key-facts table. Data
comes from windrose_sites' loaders through ``st.cache_data``, the documented idiom (the
outlines as GeoJSON); the maps are built from it on every run. Run by
``benchmarks/profile_pages.py --overview-vs-floor``; ``streamlit run`` works too (no basemap
tiles, Leaflet at the app's ``/app/static`` URL).
"""

import folium
import pandas as pd
import streamlit as st
from branca.colormap import LinearColormap
from streamlit_folium import st_folium

from windrose_sites import catalog, glossary, maps

PAGES = ["Overview", "Map", "Compare", "Cost", "Sensitivity", "Suitability", "Scenarios", "Data"]
load = st.cache_data(lambda name: getattr(catalog, name)())
values, attrs, crit = load("criteria_table"), load("site_attributes"), load("load_criteria")
sites, facts = load("load_sites"), load("load_site_facts")
outlines = st.cache_data(lambda: catalog.load_outlines().__geo_interface__)()  # GeoJSON once
st.title("Where should Windrose assemble its electric trucks?")
for title in PAGES:
    st.sidebar.markdown(f"[{title}](/{title.lower()})")
with st.sidebar.popover("Glossary"):
    for term, text in glossary.GLOSSARY.items():
        st.markdown(f"**{term}**: {text}")
groups = {
    g: st.sidebar.slider(g, 0.0, 100.0, 50.0, key=f"w_{g.replace(' ', '_')}")
    for g in crit["group"].unique()
}
st.sidebar.selectbox("Method", ["wsm", "wpm", "topsis", "promethee"], key="method")
with st.sidebar.expander("Criterion weights within each group"):
    w = {
        c: st.slider(crit.at[c, "label"], 0.0, 100.0, crit.at[c, "default_weight"], key=f"c_{c}")
        for c in crit.index
    }
    ways = ["benefit", "cost"]
    way = {
        c: st.radio(c, ways, ways.index(crit.at[c, "direction"]), key=f"d_{c}") for c in crit.index
    }
with st.sidebar.expander("Filters (site funnel)"):
    st.number_input("Minimum plot area (ha)", 0.0, 1e6, key="f_min_area")
    st.number_input("Maximum distance to gateway port (km)", 0.0, 1e5, key="f_max_port")
    st.multiselect("Countries (empty = all)", sorted(attrs["country"].unique()), key="f_countries")
    st.checkbox("Keep sites whose plot area is unknown", True, key="f_keep_unknown_area")
    st.checkbox("Keep remote sites", key="f_keep_remote")
st.sidebar.caption("Share this page's link: it carries the weights, method, filters and selection.")
st.sidebar.iframe("<script>window.parent.__unsaved = 0;</script>", height=1)
norm = (values - values.min()) / (values.max() - values.min())
norm = norm.apply(lambda col: col if way[col.name] == "benefit" else 1 - col)
share = pd.Series(w).groupby(crit["group"]).transform(lambda s: s / max(s.sum(), 1e-9))
share *= crit["group"].map(groups)
table = attrs.assign(score=norm.fillna(0.5) @ (share / share.sum())).sort_values("score")[::-1]
table.insert(0, "rank", range(1, len(table) + 1))
st.success(f"Leader: **{table['name'].iloc[0]}** with score {table['score'].iloc[0]:.3f}.")
st.container(border=True).markdown(f"**In brief:** {table['name'].iloc[0]} leads.")
cmap = LinearColormap(["#d7191c", "#ffffbf", "#1a9641"], vmin=0, vmax=table["score"].max())
ranked = sites.merge(table[["score"]], left_on="site_id", right_index=True)
for col, view in zip(st.columns(2), ["Europe", "United States"], strict=True):
    shown = ranked[(ranked["country"] == "US") == (view != "Europe")]
    m = folium.Map(tiles=None, control_scale=True)
    m.default_js, m.default_css = [("l", maps.LEAFLET_JS_URL)], [("c", maps.LEAFLET_CSS_URL)]
    folium.GeoJson(outlines, style_function=lambda _: {"color": "#777", "weight": 0.7}).add_to(m)
    folium.GeoJson(
        shown[["site_id", "name", "score", "geometry"]],
        marker=folium.CircleMarker(radius=8, fill=True),
        style_function=lambda f: {"fillColor": cmap(f["properties"]["score"])},
        tooltip=folium.GeoJsonTooltip(["name", "score"]),
    ).add_to(m)
    west, south, east, north = shown.total_bounds
    m.fit_bounds([[south, west], [north, east]])
    col.markdown(f"**{view}**")
    with col:
        st_folium(m, key=f"map_{view}", height=360, use_container_width=True, returned_objects=[])
score = st.column_config.ProgressColumn("score", format="%.3f", min_value=0.0, max_value=1.0)
show = ["rank", "name", "score", "country", "status"]
st.dataframe(table[show], hide_index=True, column_config={"score": score}, key="ranking")
st.download_button(
    "Download comparison CSV", table.join(values).to_csv(), "comparison.csv", on_click="ignore"
)
c1, c2 = st.columns(2)
c1.download_button("Download decision memo (PDF)", lambda: b"", "memo.pdf", on_click="ignore")
c2.download_button("Download Excel model", lambda: b"", "model.xlsx", on_click="ignore")
st.subheader("Key facts per site")
st.dataframe(facts.assign(site=facts["site_id"].map(attrs["name"])), key="key_facts")
