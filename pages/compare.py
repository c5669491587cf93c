"""Compare page: effective weights, AHP, ranking with contributions, two sites side by side."""

from __future__ import annotations

import itertools

import altair as alt
import pandas as pd
import streamlit as st

from windrose_sites import comparison, health, limits, scoring, tables
from windrose_sites import state as wstate
from windrose_sites.text import md
from windrose_ui import frame, session, sidebar, widgets


def contrib_chart(n_sites: int) -> alt.Chart:
    """Stacked contributions per site, best first (sorted by the data's rank): its shape
    depends only on the number of sites, so the spec is built once per count.
    """
    return (
        alt.Chart(alt.NamedData("contrib"))
        .mark_bar()
        .encode(
            x=alt.X("contribution:Q", title="Contribution to the score"),
            y=alt.Y(
                "site:N",
                sort=alt.EncodingSortField(field="rank", op="min", order="ascending"),
                title=None,
                axis=alt.Axis(labelLimit=260),
            ),
            color=alt.Color("criterion:N", title="Criterion", legend=alt.Legend(labelLimit=240)),
            tooltip=["site:N", "criterion:N", alt.Tooltip("contribution:Q", format=".3f")],
        )
        .properties(height=max(200, 28 * n_sites))
    )


ctx = frame.open_page("Compare")
cat, state, work = ctx.cat, ctx.state, ctx.work
crit = cat.criteria
names = work.attributes["name"]
st.title("Compare sites")
sidebar.show_url_warnings()

# --- weights ------------------------------------------------------------------------------
SAATY = [1 / 9, 1 / 7, 1 / 5, 1 / 3, 1, 3, 5, 7, 9]
SAATY_LABELS = ["1/9", "1/7", "1/5", "1/3", "1", "3", "5", "7", "9"]


def _apply_ahp(weights: dict[str, float]) -> None:
    """Callback: the AHP shares become the group weights, through the sidebar's one writer."""
    from dataclasses import replace

    groups = wstate.whole_percentages(weights)
    sidebar.apply_state(replace(sidebar.current_state(), group_weights=groups))


def _ahp_panel() -> None:
    st.caption(
        "For each pair, how much more important is the left group than the right one? "
        "(Saaty scale: 1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme; 1/3 … the "
        "reverse.) Weights are the principal eigenvector; the consistency ratio (CR) should "
        "stay at or below 0.10."
    )
    groups = sidebar.groups(cat)
    pairwise = pd.DataFrame(1.0, index=groups, columns=groups)
    for a, b in itertools.combinations(groups, 2):
        label = st.select_slider(
            f"{a.capitalize()} vs {b}",
            SAATY_LABELS,
            value="1",
            key=f"ahp_{a}_{b}",
            persist_state="session",  # kept while the panel is closed and on other pages
        )
        v = SAATY[SAATY_LABELS.index(label)]
        pairwise.loc[a, b], pairwise.loc[b, a] = v, 1 / v
    ahp, cr = scoring.ahp_weights(pairwise.to_numpy(), labels=groups)
    (st.error if cr > 0.1 else st.success)(
        f"Consistency ratio CR = {cr:.3f}"
        + (" > 0.10: the judgements are inconsistent; revise them." if cr > 0.1 else " ≤ 0.10.")
    )
    st.dataframe((ahp * 100).rename("weight %").round(1).to_frame(), key="ahp_weights_table")
    st.button(
        "Apply the AHP weights to the group sliders",
        on_click=_apply_ahp,
        args=(ahp.to_dict(),),
        key="ahp_apply",
    )


# Built only while open (15 sliders and a table the browser would otherwise lay out on every
# visit, for a panel most visits leave closed).
with st.expander(
    "AHP: derive the group weights from pairwise comparisons", key="ahp_panel", on_change="rerun"
) as panel:
    if panel.open:
        _ahp_panel()

ranking = widgets.current_ranking(work, cat, state)
weights_pct = comparison.effective_weights_table(crit, ranking.weights if ranking else None)
with st.expander("Effective weight of every criterion (%)", expanded=True):
    st.caption(
        "Group sliders are relative; inside a group each criterion's slider splits the group's "
        "share. These are the weights the method actually uses; they sum to 100 %."
    )
    comparable = crit.get("comparable", pd.Series("yes", index=crit.index))
    st.dataframe(
        weights_pct.assign(
            direction=weights_pct["direction"].map(tables.DIRECTION_WORDS),
            comparable=weights_pct["id"].map(comparable),
            basis=weights_pct["id"].map(crit.get("comparable_note", pd.Series(dtype=str))),
        ),
        hide_index=True,
        # the ids stay in the data (and the CSV); people read the labels
        column_order=["criterion", "group", "unit", "direction", "weight %", "comparable", "basis"],
        column_config={
            "criterion": st.column_config.TextColumn(pinned=True),
            "weight %": st.column_config.NumberColumn(format="%.1f %%"),
            "basis": st.column_config.TextColumn("comparable across regions?", width="large"),
        },
        placeholder=tables.MISSING,
        key="effective_weights",
    )
    flagged = [
        c
        for c in crit.index
        if comparable.get(c, "yes") != "yes" and ranking is not None and ranking.weights[c] > 0
    ]
    for c in flagged:
        st.warning(  # md-safe: shipped criteria.csv text, escaped
            f"**{md(crit.at[c, 'label'])}** is weighted but its values are "
            f"{'not' if comparable[c] == 'no' else 'only partly'} comparable across regions: "
            f"{md(crit.at[c, 'comparable_note'], max_chars=400)}",
            icon="⚖️",
        )
with st.expander("How missing values and uninformative criteria count"):
    st.markdown(md(scoring.MISSING_RULE, max_chars=1000))
    st.markdown(md(scoring.NO_INFORMATION_RULE, max_chars=1000))
    st.markdown(md(scoring.WPM_RULE, max_chars=1000))
if ranking is None:
    st.stop()
result = ranking.result
caveats = health.site_caveats(
    work.provenance, crit, ranking.weights.to_dict(), result.index, result.attrs["imputed"]
)
order_all = result.sort_values("rank").index
# one sentence per site shown (the first 5), each from that site's own caveats
by_site = dict(tuple(caveats[caveats["site_id"].isin(order_all[:5])].groupby("site_id")))
sentences = [
    health.summary_sentence(by_site[s], names.to_dict(), s) if s in by_site else ""
    for s in order_all[:5]
]
sentences = [x for x in sentences if x]
n_at_risk = caveats["site_id"].nunique()
st.info(
    f"**Data health:** {n_at_risk:,} of {len(result):,} ranked sites rest on at least one "
    "fallback, imputed or user value in a weighted criterion. "
    + " ".join(md(x, max_chars=400) for x in sentences)
    + " Details on the Sites & data page.",
    icon="🩺",
)

# --- ranking ------------------------------------------------------------------------------
st.subheader(f"Ranking: {md(sidebar.METHOD_LABELS[state.method])}")
st.caption(md(comparison.METHOD_NOTES[state.method], max_chars=2000))
table = comparison.ranking_table(result, work.attributes)
if ranking.notes is not None and (ranking.notes != "").any():
    table["note"] = table["site_id"].map(ranking.notes).fillna("")
    unknown = ranking.notes.index[ranking.notes == "area unknown"]
    st.caption(
        f"Area unknown for {len(unknown):,} kept site(s) (no plot area measured or announced): "
        + ", ".join(md(names.get(s, s)) for s in unknown[:20])
        + (" …" if len(unknown) > 20 else "")
        + ". Untick 'Keep sites whose plot area is unknown' in the filters to drop them."
    )
st.dataframe(
    table,
    hide_index=True,
    column_order=[c for c in ("rank", "name", "score", "country", "status", "note") if c in table],
    column_config={
        "score": widgets.score_column(result),
        "name": st.column_config.TextColumn("site", width="large"),
        "rank": st.column_config.NumberColumn("rank", width="small"),
    },
    height=38 + 35 * min(len(table), 30),  # every site of a normal list without an inner scroll
    placeholder=tables.MISSING,
    key="compare_ranking",
)
if len(ranking.removed):
    widgets.removed_reasons(ranking.removed, names)
imputed = comparison.true_cells(result.attrs["imputed"])
if imputed:
    cells = [f"{names[s]} – {crit.at[c, 'label']}" for s, c in imputed[:50]]
    st.warning(
        "Missing values count as worse than the worst known value of their criterion: "
        + "; ".join(md(c) for c in cells)
        + (f" and {len(imputed) - 50:,} more" if len(imputed) > 50 else "")
        + ". Enter a value on the Sites & data page to replace an assumption.",
        icon="⚠️",
    )
for c in result.attrs.get("no_information", []):
    st.warning(  # md-safe: shipped criterion label, escaped
        f"**{md(crit.at[c, 'label'])}** carries no information: every known value is the same, "
        "so its weight moves no site (flagged in the CSV).",
        icon="ℹ️",
    )

focus = limits.focus_sites(result, session.selected())
if len(focus) < len(result):
    st.caption(
        md(limits.focus_sentence(len(result), focus, what="The contribution chart"), max_chars=500)
    )
contrib = comparison.contributions_long(result.loc[focus], names, crit)
if contrib is not None:
    widgets.vega_chart(st, "contrib_chart", contrib_chart, (len(focus),), contrib=contrib)
else:
    st.info("Per-criterion contributions exist for the additive methods (WSM, PROMETHEE II).")


# --- side by side -------------------------------------------------------------------------
@st.fragment
def _side_by_side(order: list[str], default_a: str, default_b: str) -> None:
    """Two sites on every criterion; picking a site reruns only this part (issue 16)."""
    c1, c2 = st.columns(2)
    a = c1.selectbox("Site A", order, order.index(default_a), format_func=names.get, key="cmp_a")
    b = c2.selectbox("Site B", order, order.index(default_b), format_func=names.get, key="cmp_b")
    sa, sb, ra, rb = (float(result.at[s, c]) for c in ("score", "rank") for s in (a, b))
    st.caption(
        f"Score {md(names.get(a, a))}: {sa:.3f} (rank {ra:.0f}); "
        f"{md(names.get(b, b))}: {sb:.3f} (rank {rb:.0f}). "
        "B − A is in the criterion's unit (percentage points for %); 'better' follows the "
        "criterion's direction."
    )
    # the values of two sites: a weight move keeps them (once per working set and pair)
    view, sources = widgets.memo(
        work,
        ("side_by_side", a, b),
        lambda: (
            tables.side_by_side_view(work.table, crit, a, b, names),
            tables.side_by_side_sources(work.provenance, crit, a, b, names),
        ),
    )
    st.dataframe(
        view,
        hide_index=True,
        # widths in px that add up to less than the main column at 1400 px: no side scroll
        column_config={
            "criterion": st.column_config.TextColumn(width=250, pinned=True),
            "direction": st.column_config.TextColumn(width=115),
            **{
                c: st.column_config.TextColumn(width=135, alignment="right")
                for c in view.columns
                if c.startswith(("A: ", "B: ", "B − A"))
            },
            "better": st.column_config.TextColumn(width=140),
        },
        height=38 + 35 * len(view),
        key="side_by_side",
    )
    # built only while open, like the AHP panel
    with st.expander(
        "Where these values come from", key="side_by_side_sources_panel", on_change="rerun"
    ) as panel:
        if panel.open:
            st.dataframe(sources, hide_index=True, key="side_by_side_sources")


st.subheader("Side by side")
order = list(result.sort_values("rank").index)
if len(order) < 2:
    st.info("Side by side needs two ranked sites; relax the filters to compare.")
else:
    chosen = [s for s in session.selected() if s in order]
    first = chosen[0] if chosen else order[0]
    _side_by_side(
        order, first, chosen[1] if len(chosen) > 1 else next(s for s in order if s != first)
    )

# --- downloads ----------------------------------------------------------------------------
d1, d2 = st.columns(2)
d1.download_button(
    "Download comparison CSV",
    widgets.comparison_csv(ranking, work, cat),
    "windrose-comparison.csv",
    "text/csv",
    on_click="ignore",
    key="dl_compare_csv",
)
d2.download_button(
    "Download sites GeoJSON",
    widgets.sites_geojson(work, ranking),
    "windrose-sites.geojson",
    "application/geo+json",
    on_click="ignore",
    key="dl_compare_geojson",
)
widgets.board_pack_buttons(cat, state, work)
