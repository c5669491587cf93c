"""Sensitivity page: would the winner change if a weight moved, and how sure is the ranking."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from windrose_sites import decision, export, limits, sensitivity, text
from windrose_ui import cached, frame, sidebar, widgets

# The board's question: "If logistics mattered a little more, would Onnaing beat Antwerp?"
BOARD_SITE, BOARD_RIVAL, BOARD_GROUP = "onnaing", "antwerp_romeynsweel", "logistics"
SAMPLES = (1_000, 5_000, 10_000, 20_000, 50_000)
CONCENTRATIONS = (None, 1000.0, 300.0, 100.0, 30.0)  # None: uniform on the simplex
STABILITY_PANEL, METHODS_PANEL = "sens_stability_panel", "sens_methods_panel"  # expander keys


# --- charts: each built once per shape (widgets.vega_chart), the data sent per rerun -------
def heat_chart() -> alt.Chart:
    return (
        alt.Chart(alt.NamedData("heat"))
        .mark_rect()
        .encode(
            x=alt.X("rank:O", title="Rank"),
            y=alt.Y(
                "site:N",
                sort=alt.EncodingSortField(field="pos", op="min", order="ascending"),
                title=None,
                axis=alt.Axis(labelLimit=180),
            ),
            color=alt.Color("share:Q", title="Share", scale=alt.Scale(scheme="blues")),
            tooltip=["site:N", "rank:O", alt.Tooltip("share:Q", format=".1%")],
        )
        .properties(height=alt.Step(24))
    )


def first_chart() -> alt.Chart:
    return (
        alt.Chart(alt.NamedData("first"))
        .mark_bar()
        .encode(
            x=alt.X("first:Q", title="Probability of being first", axis=alt.Axis(format="%")),
            y=alt.Y("site:N", sort="-x", title=None, axis=alt.Axis(labelLimit=180)),
            tooltip=["site:N", alt.Tooltip("first:Q", format=".1%")],
        )
        .properties(height=alt.Step(24))
    )


def sweep_chart(group: str, measure: str, n_sites: int) -> alt.LayerChart:
    """Rank or score of every site as the weight of ``group`` moves, with the current weight
    and the changes of leader.
    """
    x = alt.X("weight_pct:Q", title=f"Share of {group} in the total weight (%)")
    scale = (
        alt.Scale(reverse=True, domain=[1, n_sites], nice=False)
        if measure == "rank"
        else alt.Scale(zero=False)
    )
    y = alt.Y(f"{measure}:Q", title=measure.capitalize(), scale=scale)
    return (
        alt.Chart(alt.NamedData("lines"))
        .mark_line()
        .encode(
            x=x,
            y=y,
            color=alt.Color("name:N", title="Site", scale=alt.Scale(scheme="tableau20")),
            tooltip=["name:N", f"{measure}:Q"],
        )
        + alt.Chart(alt.NamedData("now")).mark_rule(strokeDash=[4, 4]).encode(x="weight_pct:Q")
        + alt.Chart(alt.NamedData("now"))
        .mark_text(align="left", dx=4, dy=-6, y=0)
        .encode(x="weight_pct:Q", text="text:N")
        + alt.Chart(alt.NamedData("changes"))
        .mark_point(filled=True, size=70, color="black")
        .encode(x="weight_pct:Q", y="y:Q", tooltip=["sentence:N"])
        + alt.Chart(alt.NamedData("changes"))
        .mark_text(dy=-12)
        .encode(x="weight_pct:Q", y="y:Q", text="text:N")
    ).properties(height=420)


ctx = frame.open_page("Sensitivity")
cat, state, work = ctx.cat, ctx.state, ctx.work
st.title("Sensitivity")
sidebar.show_url_warnings()
ranking = widgets.current_ranking(work, cat, state)
if ranking is None:
    st.stop()

used = ranking.weights[ranking.weights > 0]
# Pairwise crossovers and SMAA rank matrices grow with the square of the number of sites:
# analyse the leaders plus the user's selection (all sites of a normal ranking).
focus = limits.focus_sites(ranking.result, state.selected)
ranked = ranking.result["rank"].sort_values(kind="stable").index  # best first, as focus
bounded = len(focus) < len(ranking.result)
# the sidebar may flip a direction: analyse the problem the ranking solved
directions = decision.criteria_with_directions(cat.criteria, state)
directions = directions.loc[used.index, "direction"].to_dict()
groups = cat.criteria.loc[used.index, "group"].to_dict()
labels = cat.criteria.loc[used.index, "label"].to_dict()
names = work.attributes.loc[focus, "name"].to_dict()
md_names = {s: text.md(n) for s, n in names.items()}  # for Markdown: user names stay text
# One validated problem per rerun, shared by every analysis below. A shortlist is normalized
# over every ranked site (among=), so its scores are the Overview's.
problem = sensitivity.Problem(
    work.table.loc[ranked, used.index],
    used.to_dict(),
    directions,
    method=state.method,
    missing="worst",
    groups=groups,
    names=names,
    labels=labels,
    among=focus if bounded else None,
)
order = list(focus)  # by the ranking's rank, best first
leader = order[0]
st.caption(
    f"{text.md(sidebar.METHOD_LABELS[state.method])} on {len(order):,} sites, with the "
    "weights, filters and data of the sidebar. Shares are of the total weight; the other "
    "weights keep their proportions when one moves. Missing values count as worse than the "
    "worst known value."
)
if bounded:
    st.info(  # md-safe: counts and site ids of the shortlist, escaped below
        text.md(
            limits.focus_sentence(len(ranking.result), focus, what="Sensitivity"), max_chars=600
        )
        + f" Each criterion is still normalized over all {len(ranking.result):,} ranked sites, "
        "so the shortlist's scores are the Overview's; ranks here are among the shortlist, and "
        "sites outside it are not followed. Select a site (Compare or Map) to add it.",
        icon="ℹ️",
    )
answers = st.container(border=True)
with answers:  # the board's two questions, filled in below
    duel_box, sure_box = st.container(), st.container()


def download(frame: pd.DataFrame, label: str, file: str, key: str) -> None:
    st.download_button(label, export.to_csv(frame), file, "text/csv", on_click="ignore", key=key)


def spread_label(concentration: float | None) -> str:
    if concentration is None:
        return "uniform: any weights"
    typical = sensitivity.relative_spread(used, concentration)
    return f"the current weights, give or take ~{typical:.0%}"


def pct(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.assign(**{c: (100 * frame[c]).round(1) for c in columns})


PERCENT = st.column_config.NumberColumn(format="%.1f%%")  # shares shown as 0-100
RANK = st.column_config.NumberColumn(format="%d")


def show(frame: pd.DataFrame, headers: dict[str, str], config: dict, key: str) -> None:
    """A table for people: readable headers, the site names first, the ids kept as the index."""
    st.dataframe(
        frame.rename(columns=headers),
        height=38 + 35 * min(len(frame), 30),  # a normal list without an inner scroll
        hide_index=True,
        column_config={headers.get(c, c): v for c, v in config.items()},
        key=key,
    )


# --- walking weights ----------------------------------------------------------------------
st.header("Walking weights")
group_names = list(dict.fromkeys(groups.values()))
group = st.selectbox(
    "Move the weight of",
    group_names,
    index=group_names.index(BOARD_GROUP) if BOARD_GROUP in group_names else 0,
    key="sens_group",
)
measure = st.radio("Show", ["rank", "score"], horizontal=True, key="sens_measure")
try:
    sweep = sensitivity.sweep.weight_sweep(problem, group)
    cross = sensitivity.sweep.crossovers(problem, group)
except ValueError as exc:  # the group holds every weight: nothing to trade against
    sweep = cross = None
    st.info(f"No sweep for {text.md(group)}: {text.md(exc)}")
if sweep is not None:
    t0 = sweep.attrs["current_share"]
    lines = sweep.assign(name=sweep["site"].map(names), weight_pct=100 * sweep["share"])
    changes = cross[cross["leader_changes"]].assign(
        weight_pct=lambda f: 100 * f["share"],
        y=lambda f: 1 if measure == "rank" else f["score"],
        text=lambda f: f["share"].map("{:.1%}".format),
    )
    now = pd.DataFrame({"weight_pct": [100 * t0], "text": [f"now {t0:.1%}"]})
    columns = ["name", "weight_pct", measure]
    widgets.vega_chart(
        st,
        "sens_sweep_chart",
        sweep_chart,
        (group, measure, len(order)),
        lines=lines[columns],
        now=now,
        changes=changes[["weight_pct", "y", "text", "sentence"]],
    )
    st.caption("Dashed line: the current weight. Dots: where the leader changes.")
    only_leader = st.checkbox("Only changes of leader", value=True, key="sens_leader_only")
    shown = cross[cross["leader_changes"]] if only_leader else cross
    show(
        pct(shown, ["share"])[["share", "sentence", "leader_changes"]],
        {
            "share": f"Share of {group}",
            "sentence": "What happens",
            "leader_changes": "Leader changes",
        },
        {"share": PERCENT, "leader_changes": st.column_config.CheckboxColumn()},
        "sens_crossovers",
    )
    download(
        pct(cross, ["share"]),
        "Download crossovers CSV",
        "windrose-crossovers.csv",
        "dl_sens_crossovers",
    )


# --- rank acceptability -------------------------------------------------------------------
@st.fragment
def acceptability(problem: sensitivity.Problem, order: list, leader: str) -> None:
    """SMAA-2 with its own widgets: a new sample size reruns only this part (issue 16)."""
    c1, c2, c3 = st.columns(3)
    samples = c1.selectbox(
        "Weight samples",
        SAMPLES,
        index=SAMPLES.index(10_000),
        format_func="{:,}".format,
        key="sens_samples",
    )
    spread = c2.selectbox("Weights", CONCENTRATIONS, format_func=spread_label, key="sens_spread")
    seed = c3.number_input("Seed", 0, 2**31 - 1, 0, step=1, key="sens_seed")
    draw = {"samples": samples, "seed": int(seed), "spread": spread}
    acc = cached.acceptability(
        sensitivity.smaa.acceptability_key(problem, **draw),
        lambda: sensitivity.smaa.rank_acceptability(problem, **draw),
    )
    st.progress(1.0, text=f"{samples:,} weight samples scored.")
    position = {s: i for i, s in enumerate(order)}  # the heatmap's rows: best first
    heat = (
        acc.rename_axis(index="id")
        .reset_index()
        .melt(id_vars="id", var_name="rank", value_name="share")
        .assign(site=lambda f: f["id"].map(names), pos=lambda f: f["id"].map(position))
        .drop(columns="id")
    )
    first = acc[1].rename(index=names).rename_axis("site").rename("first").reset_index()
    left, right = st.columns([3, 2])
    widgets.vega_chart(left, "sens_heatmap", heat_chart, heat=heat)
    widgets.vega_chart(right, "sens_first_chart", first_chart, first=first)
    accept = (100 * acc.loc[order]).round(1).rename(columns=lambda r: f"rank {r} %")
    accept.insert(0, "name", [names[s] for s in order])
    accept["confidence factor"] = pd.Series(acc.attrs["confidence"]).reindex(order)
    ranks_pct = [c for c in accept.columns if c.startswith("rank ")]
    show(
        accept.assign(**{"confidence factor": accept["confidence factor"].map(factor)}),
        {"name": "Site", "confidence factor": "Confidence factor"}
        | {c: c.replace("rank ", "Rank ").replace(" %", "") for c in ranks_pct},
        dict.fromkeys(ranks_pct, PERCENT),
        "sens_acceptability",
    )
    st.caption(
        "Each row: the share of weight samples in which the site takes each rank. The "
        "confidence factor is 1 when the site is first at its central weights (the mean of the "
        "samples where it is first); our criterion values are exact, so it is 1 or 0 (SMAA-2); "
        "— for a site that is never first."
    )
    download(
        accept.reset_index(),
        "Download rank acceptability CSV",
        "windrose-acceptability.csv",
        "dl_sens_acceptability",
    )
    with sure_box:  # the board's second question, at the top of the page
        st.markdown(f"**How sure are we that {md_names[leader]} is first?**")  # md-safe: md_names
        others = acc[1].drop(leader)  # the site most often first among the others
        runner = others.idxmax() if len(others) and others.max() > 0 else None
        st.markdown(  # md-safe: md_names are escaped
            f"{md_names[leader]} is first in {acc.at[leader, 1]:.0%} of {samples:,} weight "
            f"samples ({spread_label(spread)})"
            + (f"; {md_names[runner]} is first in {acc.at[runner, 1]:.0%}." if runner else ".")
        )


def factor(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.2f}".rstrip("0").rstrip(".")


st.header("How sure is the ranking? (SMAA-2)")
acceptability(problem, order, leader)


# --- stability intervals and method agreement: built only while open ----------------------
# Each is two tables and a download that a visit would otherwise compute and the browser lay
# out; the board's answers at the top do not need them (the Overview says whether the methods
# agree). A closed panel keeps its widgets' values (their keys stay in the session).
def stability() -> None:
    level = st.radio(
        "For each",
        ["group", "criterion"],
        horizontal=True,
        key="sens_stab_level",
        persist_state="session",  # kept while its panel is closed
    )
    stab = sensitivity.sweep.stability_intervals(problem, per=level)
    stab_pct = pct(stab, ["share", "lower", "upper"]).rename(
        columns={"share": "now %", "lower": "from %", "upper": "to %"}
    )
    show(
        stab_pct[["sentence", "now %", "from %", "to %"]],
        {"sentence": "In words", "now %": "Now", "from %": "From", "to %": "To"},
        {"now %": PERCENT, "from %": PERCENT, "to %": PERCENT},
        "sens_stability",
    )
    download(
        stab_pct, "Download stability intervals CSV", "windrose-stability.csv", "dl_sens_stability"
    )


def methods() -> None:
    agree = sensitivity.agreement.method_agreement(problem)
    ranks = agree.loc[order].rename(columns=sidebar.METHOD_LABELS)
    ranks.insert(0, "name", [names[s] for s in order])
    show(ranks, {"name": "Site"}, dict.fromkeys(ranks.columns[1:], RANK), "sens_methods")
    for method, reason in agree.attrs["unavailable"].items():
        st.info(f"{text.md(sidebar.METHOD_LABELS[method])} is unavailable: {text.md(reason)}")
    tau = pd.DataFrame(agree.attrs["tau"]).rename(
        index=sidebar.METHOD_LABELS, columns=sidebar.METHOD_LABELS
    )
    st.markdown("Kendall's tau between the rankings (1 = same order, −1 = reversed):")
    st.dataframe(
        tau.round(3),
        column_config=dict.fromkeys(tau.columns, st.column_config.NumberColumn(format="%.3f")),
        key="sens_tau",
    )
    download(
        ranks.reset_index(), "Download method ranks CSV", "windrose-methods.csv", "dl_sens_methods"
    )


for title, panel_key, build in (
    ("Stability intervals: how far each weight can move before the order changes",
     STABILITY_PANEL, stability),
    ("Do the methods agree? The ranking under every method", METHODS_PANEL, methods),
):  # fmt: skip
    with st.expander(title, key=panel_key, on_change="rerun") as panel:
        if panel.open:
            build()

# --- the board's first question, answered at the top --------------------------------------
if {BOARD_SITE, BOARD_RIVAL} <= set(order) and BOARD_GROUP in group_names:
    duel = (BOARD_SITE, BOARD_RIVAL, BOARD_GROUP)
else:  # filtered or edited away: ask the same of the runner-up and the chosen group
    duel = (order[1], leader, group) if len(order) > 1 else None
if duel is not None:
    site, rival, topic = duel
    with duel_box:
        st.markdown(  # md-safe: md_names are escaped, topic is a shipped group label
            f"**If {topic} mattered a little more, would {md_names[site]} beat {md_names[rival]}?**"
        )
        try:
            st.markdown(  # md-safe: the sentence is built with md_names
                sensitivity.sweep.head_to_head(problem, site, rival, topic, names=md_names)
            )
        except ValueError as exc:  # the group holds every weight
            st.markdown(f"No answer: {text.md(exc)}")
