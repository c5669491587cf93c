"""Cost page: what a truck costs us at each site, how sure we are, and what would flip it."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd
import streamlit as st

from windrose_sites import cost, pipeline, tables
from windrose_sites.cost import cli as cost_cli
from windrose_sites.cost import tables as cost_tables
from windrose_sites.cost.criterion import (
    CRITERION,
    DOUBLE_COUNTING,
    INSIDE,
    effective_overrides,
    refresh,
)
from windrose_sites.cost.params import CostError, apply_overrides
from windrose_sites.cost.tornado import short_name
from windrose_sites.text import md
from windrose_ui import cached, frame, sidebar, widgets

#: Session keys of this page. OVERRIDES holds the user's cost assumptions,
#: ``{"param@applies_to": value}``; the other keys belong to this page's widgets.
OVERRIDES = "cost_overrides"
TARIFF = "cost_tariff"
SAMPLES = "cost_samples"
SEED = "cost_seed"
GENERATION = "_cost_editor_generation"
FLASH = "_cost_flash"
MEMO = "_cost_memo"  # last Monte Carlo, tornado and break-even results of this session
SAMPLE_CHOICES = (1_000, 10_000, 50_000)
DEFAULT_SAMPLES = 10_000
COMPONENT_LABELS = {
    "ocean_freight": "ocean freight",
    "insurance": "insurance",
    "duty": "import duty",
    "port_and_inland": "port and inland",
    "labour": "labour",
    "energy": "electricity",
    "outbound": "delivery to market",
    "capex": "plant capex",
    "incentives": "incentives",
}


def eur(x: float) -> str:
    """Money as the page writes it: ``EUR 18,578`` (a minus sign for negatives)."""
    if not math.isfinite(x):
        return "unknown"
    return f"EUR {round(x) + 0.0:,.0f}".replace("-", "−")  # + 0.0: no "EUR -0"


def user_overrides() -> dict[str, float]:
    """The user's cost assumptions (a copy)."""
    return dict(st.session_state.get(OVERRIDES, {}))


def _bump() -> None:
    st.session_state[GENERATION] = int(st.session_state.get(GENERATION, 0)) + 1


def _apply_edits(key: str, row_ids: list[str], params: pd.DataFrame) -> None:
    """Callback of the parameter editor: edited values become the user's assumptions."""
    edited = st.session_state.get(key, {}).get("edited_rows", {})
    current = user_overrides()
    problems = []
    for pos, change in edited.items():
        if "value" not in change:
            continue
        rid, value = row_ids[int(pos)], change["value"]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            current.pop(rid, None)
            continue
        try:
            apply_overrides(params, {rid: value})
        except CostError as exc:
            problems.append(str(exc))
            continue
        current[rid] = float(value)
    st.session_state[OVERRIDES] = current
    if problems:
        st.session_state[FLASH] = "; ".join(problems)
    _bump()


def fingerprint(model: cost.CostModel) -> str:
    """A digest of everything the model computes from: every column of its parameter table
    and of its site inputs, with their row ids, in order. Two sessions whose models have the
    same digest get the same figures, so the figures are shared (:func:`memo`).
    """
    return cached.frames_digest(model.params, model.sites.table)


def memo(name: str, key: tuple, build):
    """The result of ``build`` for ``name`` and ``key``: kept for this session (the last
    ``key``), and shared by the server's sessions (:func:`windrose_ui.cached.cost_result`;
    ``key`` starts with the model's :func:`fingerprint`). A fresh session at the same link
    gets the Monte Carlo, tornado and break-even figures without computing them again.
    """
    store = st.session_state.setdefault(MEMO, {})
    if name not in store or store[name][0] != key:
        store[name] = (key, cached.cost_result(name, key, build))
    return store[name][1]


def model_entry(work, state, overrides: dict[str, object]) -> dict[str, object]:
    """The cost model of the working set's sites that the filters keep, with ``overrides``,
    and what this page derives from it (:func:`once`).

    Built once per working set (its ``memo``: a new one comes with every edit, added site or
    cost choice), filters and overrides; a weight move reuses it. ``key`` names the model's
    content (parameters, ranges, site inputs, ids and names) for :func:`memo`.
    """
    key = (
        "cost_page",
        repr(state.filters),
        tuple(sorted((k, repr(v)) for k, v in overrides.items())),
    )

    def build() -> dict[str, object]:
        model, removed, not_costed = cost_tables.model_for_work(work, state, overrides)
        ids, names = tuple(model.sites.ids), tuple(model.sites.table["name"])
        return {
            "model": model,
            "removed": removed,
            "not_costed": not_costed,
            "key": (fingerprint(model), ids, names),
        }

    return widgets.memo(work, key, build)


def once(entry: dict[str, object], name: object, build):
    """``build()`` once per cost model (kept in its :func:`model_entry`)."""
    if name not in entry:
        entry[name] = build()
    return entry[name]


def spec(chart: alt.TopLevelMixin) -> dict:
    """A chart's Vega-Lite spec, to keep: drawing it costs no Altair work on a rerun.

    Without the default theme's config, as ``st.altair_chart`` draws it (the charts here
    set no config of their own).
    """
    out = chart.to_dict()
    out.pop("config", None)
    return out


def draw(where, chart_spec: dict) -> None:
    """Draw a kept spec (Streamlit copies it before it moves the data out)."""
    where.vega_lite_chart(dict(chart_spec), width="stretch")


def _reset() -> None:
    st.session_state[OVERRIDES] = {}
    _bump()


ctx = frame.open_page("Cost")
cat, state, work = ctx.cat, ctx.state, ctx.work
st.title("Cost: what a truck costs us at each site")
sidebar.show_url_warnings()
st.caption(
    "Landed cost per truck in EUR: a knock-down kit shipped from Shanghai, cleared through "
    "customs, assembled at the site and delivered to the centre of its market, plus the plant "
    "investment spread over ten years, minus incentives. Every parameter, its range and its "
    "source is in the table at the bottom; edit a value there and it flows into every figure "
    "of this page and into the ranking's landed-cost criterion. Method: docs/COST_MODEL.md."
)

# --- tariff scenario and the user's assumptions -------------------------------------------
st.session_state.setdefault(TARIFF, "today")
tariff = st.selectbox(
    "Tariff scenario",
    list(cost.TARIFF_SCENARIOS),
    format_func=cost.TARIFF_LABELS.get,
    key=TARIFF,
    help="A named set of duty parameters; your own edits in the parameter table apply on top.",
)
overrides = effective_overrides(tariff, user_overrides())
flash = st.session_state.pop(FLASH, None)
if flash:
    st.error(f"Not applied: {md(flash, max_chars=400)}", icon="🚫")

try:
    entry = model_entry(work, state, overrides)
except CostError as exc:
    st.error(f"No cost table: {md(exc, max_chars=400)}", icon="🚫")
    if user_overrides():
        st.button("Reset my cost assumptions", on_click=_reset, key="cost_reset_error")
    st.stop()
model, removed, not_costed = entry["model"], entry["removed"], entry["not_costed"]
model_key = entry["key"]


def assumption_text(key: str, value: float | str, params: pd.DataFrame) -> str:
    """One user assumption as the info line shows it (escaped): a number, or the row whose
    value it copies (a loaded scenario can set one, as the tariff scenarios do)."""
    names = work.attributes["name"]
    label = tables.cost_parameter_label(key, names) if key in params.index else key
    if isinstance(value, str):
        copied = params.at[value, "value"] if value in params.index else None
        shown = f"the value of {tables.cost_parameter_label(value, names)}"
        if copied is not None:
            shown += f" ({tables.format_value(copied, str(params.at[value, 'unit']))})"
        return f"{md(label)} = {md(shown)}"
    if key in params.index:
        return f"{md(label)} = " + md(tables.format_value(value, str(params.at[key, "unit"])))
    return f"{md(label)} = {value:,.6g}"


mine = user_overrides()
if mine:
    st.info(  # md-safe: assumption_text() escapes every label and value it returns
        "Your cost assumptions (kind 'user' in the parameter table, applied everywhere): "
        + "; ".join(assumption_text(k, v, model.params) for k, v in mine.items()),
        icon="✏️",
    )
if len(removed):
    widgets.removed_reasons(removed, pd.Series(removed.index, index=removed.index))
if len(not_costed):
    st.warning(
        f"{len(not_costed):,} site(s) are not costed, so the ranking counts their landed cost as "
        "missing (worse than any known value): "
        + "; ".join(f"{md(n)} ({md(r, max_chars=200)})" for n, r in list(not_costed.items())[:20])
        + ("…" if len(not_costed) > 20 else ""),
        icon="⚠️",
    )

base = once(entry, "base", lambda: cost.cost_table(model))
names = base.set_index("site_id")["name"]
short = names.map(short_name)
order = base.sort_values("total_eur_per_truck")["site_id"].tolist()
site_order = [short[s] for s in order]
leader = order[0]
st.markdown(  # md-safe: names escaped, numbers formatted here
    f"**Cheapest at the parameter values: {md(names[leader])}, "
    f"{eur(base.set_index('site_id').at[leader, 'total_eur_per_truck'])} per truck.**"
    + (
        f" Next: {md(names[order[1]])}, "
        f"{eur(base.set_index('site_id').at[order[1], 'total_eur_per_truck'])}."
        if len(order) > 1
        else ""
    )
)

# --- components ---------------------------------------------------------------------------
st.subheader("What a truck costs, by component")


def components_spec() -> dict:
    parts = base.melt(
        id_vars=["site_id"],
        value_vars=[f"{c}_eur_per_truck" for c in cost.COMPONENTS],
        var_name="component",
        value_name="eur",
    )
    parts["component"] = parts["component"].str.removesuffix("_eur_per_truck").map(COMPONENT_LABELS)
    parts["site"] = parts["site_id"].map(short)
    parts["EUR per truck"] = parts["eur"].map(eur)
    totals = base.assign(site=base["site_id"].map(short), total=base["total_eur_per_truck"])
    totals["EUR per truck"] = totals["total"].map(eur)
    return spec(
        alt.Chart(parts)
        .mark_bar()
        .encode(
            x=alt.X("site:N", sort=site_order, title=None),
            y=alt.Y("sum(eur):Q", title="EUR per truck", axis=alt.Axis(format=",.0f")),
            color=alt.Color("component:N", sort=list(COMPONENT_LABELS.values()), title="component"),
            tooltip=["site", "component", "EUR per truck"],
        )
        + alt.Chart(totals)
        .mark_tick(color="black", thickness=2, size=30)
        .encode(x=alt.X("site:N", sort=site_order), y="total:Q", tooltip=["site", "EUR per truck"])
    )


draw(st, once(entry, "components_spec", components_spec))
st.caption(
    "Stacked components per site, cheapest on the left; the black tick is the total. "
    "Incentives are negative (below zero). US duty is MFN + Section 301 + Section 232 on the "
    "kit's FOB value; EU duty is the parts rate on the CIF value."
)


# --- uncertainty (its own fragment: the sample size reruns only this part) ---------------
def uncertainty_view(table: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict, bytes, pd.DataFrame]:
    """A Monte Carlo cost table with what is drawn of it: the P10-P90 and 'probability
    cheapest' charts, the CSV's bytes and the table shown (kept with the table: :func:`memo`).
    """
    view = table.assign(site=table["site_id"].map(short))
    for col in ("total_p10_eur_per_truck", "total_p50_eur_per_truck", "total_p90_eur_per_truck"):
        view[col.replace("_eur_per_truck", "")] = view[col].map(eur)
    view["probability cheapest"] = view["p_cheapest"].map("{:.1%}".format)
    view["total"] = view["total_eur_per_truck"].map(eur)
    ranged = (
        alt.Chart(view)
        .mark_rule(strokeWidth=3)
        .encode(
            y=alt.Y("site:N", sort=site_order, title=None),
            x=alt.X(
                "total_p10_eur_per_truck:Q",
                title="EUR per truck (P10–P90, • P50, | value)",
                axis=alt.Axis(format=",.0f"),
            ),
            x2="total_p90_eur_per_truck:Q",
            tooltip=["site", "total_p10", "total_p50", "total_p90", "total"],
        )
        + alt.Chart(view)
        .mark_point(filled=True)
        .encode(y=alt.Y("site:N", sort=site_order), x="total_p50_eur_per_truck:Q")
        + alt.Chart(view)
        .mark_tick(color="black")
        .encode(y=alt.Y("site:N", sort=site_order), x="total_eur_per_truck:Q")
    )
    cheapest = (
        alt.Chart(view)
        .mark_bar()
        .encode(
            y=alt.Y("site:N", sort=site_order, title=None),
            x=alt.X(
                "p_cheapest:Q",
                title="probability cheapest",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=["site", "probability cheapest"],
        )
    )
    data = cost_tables.table_bytes(table)
    shown = pd.read_csv(pd.io.common.BytesIO(data))
    # whole euros on screen, rounded (a number column's step would cut the cents instead)
    shown = shown.round(tables.cost_table_decimals(shown.columns))
    return table, spec(ranged), spec(cheapest), data, shown


@st.fragment
def uncertainty(model: cost.CostModel, query: str, tariff: str) -> None:
    st.subheader("How sure we are")
    left, right = st.columns(2)
    st.session_state.setdefault(SAMPLES, DEFAULT_SAMPLES)
    st.session_state.setdefault(SEED, 0)
    n = left.selectbox(
        "Monte Carlo samples", SAMPLE_CHOICES, format_func="{:,}".format, key=SAMPLES
    )
    seed = int(right.number_input("Seed", 0, 2**31 - 1, step=1, key=SEED))
    table, ranged, cheapest, data, shown = memo(
        "mc",
        (model_key, int(n), seed),
        lambda: uncertainty_view(cost.cost_table(model, samples=int(n), seed=seed)),
    )
    a, b = st.columns(2)
    draw(a, ranged)
    draw(b, cheapest)
    gap = table.attrs.get("gap") or {}
    if gap:
        st.markdown(  # md-safe: names escaped, numbers formatted here
            f"At the parameter values {md(short[gap['leader']])} is cheapest and "
            f"{md(short[gap['runner_up']])} costs {eur(gap['gap_p50'])} more per truck in the "
            f"median draw (P10–P90 of the gap: {eur(gap['gap_p10'])} to {eur(gap['gap_p90'])}). "
            f"In {gap['p_flip']:.1%} of the {int(n):,} draws the runner-up is cheaper."
        )
    st.caption(
        "Every parameter with a range is drawn from its distribution at once (uniform, "
        "triangular around the value, or lognormal with the range as P10–P90); fixed rows "
        "(flags, duty rates, settings) stay as they are: pick a tariff scenario to move them."
    )
    st.markdown(
        "**The cost table** (the download has the same rows, with the column ids and cents)"
    )
    labels = tables.cost_table_labels(shown.columns, COMPONENT_LABELS)
    st.dataframe(
        shown,
        hide_index=True,
        column_order=[c for c in shown.columns if c != "site_id"],
        column_config={
            "name": st.column_config.TextColumn("site", pinned=True),
            **{
                c: st.column_config.NumberColumn(
                    label, format="percent" if c == "p_cheapest" else "localized"
                )
                for c, label in labels.items()
            },
        },
        placeholder=tables.MISSING,
        height=38 + 35 * min(len(shown), 30),
        key="cost_table",
    )
    st.download_button(
        "Download the cost table (CSV)",
        data,
        file_name="landed_cost.csv",
        mime="text/csv",
        key="dl_cost_csv",
        on_click="ignore",
    )
    st.caption("The same table from the command line (your edited site values aside):")
    # Inline code, not st.code: st.code's highlighter is a 1.5 MB script that a browser
    # would parse and compile on a first visit to this page for this one line.
    line = cost_cli.command_line(query, tariff, user_overrides(), samples=int(n), seed=seed)
    st.markdown(f"`{line}`")  # md-safe: command_line has no backtick or line break


uncertainty(model, pipeline.query_string(state, cat), tariff)


# --- what would flip it ---------------------------------------------------------------------
def tornado_view() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The tornado's rows, its table as shown and its chart (kept with the model)."""
    tor = cost.tornado(model).head(12)
    lead_base = float(base.set_index("site_id").at[tor.attrs["leader"], "total_eur_per_truck"])
    bars = pd.DataFrame(
        {
            "parameter": [
                t.removeprefix("the ")[:1].upper() + t.removeprefix("the ")[1:]
                for t in tor["label"]
            ],
            "from": (tor["leader_low"] - lead_base).to_numpy(),
            "to": (tor["leader_high"] - lead_base).to_numpy(),
            "swing": tor["swing_leader"].map(eur).to_numpy(),
            "gap swing": tor["swing_gap"].map(eur).to_numpy(),
            "range": [
                f"{tables.format_value(lo, u)} – {tables.format_value(hi, u)} "
                f"(now {tables.format_value(v, u)})"
                for lo, hi, u, v in zip(
                    tor["low"], tor["high"], tor["unit"], tor["value"], strict=True
                )
            ],
        }
    )
    chart = (
        alt.Chart(bars)
        .mark_bar()
        .encode(
            y=alt.Y(
                "parameter:N",
                sort=list(bars["parameter"]),
                title=None,
                axis=alt.Axis(labelLimit=280),
            ),
            x=alt.X(
                "from:Q",
                title=f"change of {short[tor.attrs['leader']]}'s total, EUR "
                "per truck (parameter from low to high)",
                axis=alt.Axis(format=",.0f"),
            ),
            x2="to:Q",
            tooltip=["parameter", "range", "swing", "gap swing"],
        )
    )
    return tor, bars[["parameter", "range", "swing", "gap swing"]], spec(chart)


if len(model.sites.ids) >= 2:
    st.subheader("What would change the order")
    tor, bars, tornado_spec = memo("tornado", model_key, tornado_view)
    draw(st, tornado_spec)
    st.caption(
        f"Tornado: each parameter from its low to its high value, the others at their values; "
        f"the bars move {md(short[tor.attrs['leader']])}'s total. 'gap swing' (tooltip and "
        f"table) is the change of the gap between {md(short[tor.attrs['runner_up']])} and "
        f"{md(short[tor.attrs['leader']])}."
    )
    st.dataframe(bars, hide_index=True, height=38 + 35 * len(bars), key="cost_tornado")
    st.markdown("**Break-even values**")
    st.markdown(  # md-safe: every sentence is escaped
        "\n".join(
            f"- {md(s, max_chars=400)}"
            for s in memo("break_even", model_key, lambda: cost.break_even_sentences(model))
        )
    )


# --- ten years ------------------------------------------------------------------------------
def ten_year_panel() -> None:
    site = st.selectbox(
        "Site",
        order,
        format_func=lambda s: names[s],
        key="cost_ten_year_site",
        persist_state="session",  # kept while the panel is closed and on other pages
    )
    years = once(entry, ("ten_year", site), lambda: cost.ten_year(model, site))
    st.dataframe(
        years,
        hide_index=True,
        column_config={
            "year": st.column_config.NumberColumn("year", format="%d"),
            "trucks": st.column_config.NumberColumn("trucks", format="localized"),
            "recurring_eur_m": st.column_config.NumberColumn("recurring (EUR M)", format="%.1f"),
            "one_off_eur_m": st.column_config.NumberColumn("one-off (EUR M)", format="%.1f"),
            "discount_factor": st.column_config.NumberColumn("discount factor", format="%.3f"),
            "pv_eur_m": st.column_config.NumberColumn("present value (EUR M)", format="%.1f"),
        },
        key="cost_ten_year",
    )
    st.caption(
        f"Net present cost over {model.horizon:d} years at the discount rate: "
        f"EUR {years['pv_eur_m'].sum():,.1f} M (capex in year 0, incentives in year 1)."
    )


# built only while open: a table the browser would otherwise lay out on every visit
with st.expander(
    "10-year cost of operations of one site", key="cost_ten_year_panel", on_change="rerun"
) as panel:
    if panel.open:
        ten_year_panel()

# --- the ranking ----------------------------------------------------------------------------
st.subheader("In the ranking")


def refreshed() -> pipeline.WorkingSet:
    """The working set with the landed cost at these overrides (kept: its memo too)."""
    now = refresh(work, work.sites, overrides or None)
    return pipeline.WorkingSet(
        sites=work.sites, table=now.table, provenance=now.provenance, attributes=now.attributes
    )


work_now = once(entry, "work_now", refreshed)
weights = state.criterion_weights
twice = [c for c in INSIDE if weights.get(c, 0) > 0 and weights.get(CRITERION, 0) > 0]
st.caption(md(DOUBLE_COUNTING, max_chars=1000))
if twice:
    st.warning(
        "Counted twice now: "
        + ", ".join(md(cat.criteria.at[c, "label"]) for c in twice)
        + " have weight while the landed cost carries them already. Set them to 0 in the "
        "sidebar's criterion weights unless you mean it.",
        icon="⚠️",
    )
result = widgets.current_ranking(work_now, cat, state)
if result is not None:
    ranked = result.result.sort_values("rank")
    shown = pd.DataFrame(
        {
            "rank": ranked["rank"].to_numpy(),
            "site": [names.get(s, work.attributes["name"].get(s, s)) for s in ranked.index],
            "landed cost used (EUR per truck)": [
                eur(float(work_now.table.at[s, CRITERION])) for s in ranked.index
            ],
            "score": ranked["score"].to_numpy(),
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_config={"score": st.column_config.NumberColumn(format="%.3f")},
        height=38 + 35 * min(len(shown), 30),
        key="cost_ranking",
    )
    st.caption(
        "The ranking's landed-cost criterion is the model's total above, with your cost "
        "assumptions and tariff scenario applied (kind 'user assumption' in its provenance)."
    )

# --- every parameter ------------------------------------------------------------------------
st.subheader("Every parameter, with its range and source")


def parameter_listing() -> pd.DataFrame:
    out = cost_tables.parameter_listing(model)
    out.insert(0, "row", model.params.index.to_numpy())
    out.insert(0, "parameter", [tables.cost_parameter_label(r, names) for r in out["row"]])
    return out


listing = once(entry, "listing", parameter_listing)
row_ids = listing["row"].tolist()
key = f"cost_params_{int(st.session_state.get(GENERATION, 0))}"
st.container(key="cost_param_editor").data_editor(
    listing,
    hide_index=True,
    disabled=[c for c in listing.columns if c != "value"],
    column_order=[c for c in listing.columns if c not in ("row", "param")],  # ids: in the CSV
    column_config={
        "parameter": st.column_config.TextColumn("parameter", pinned=True, width="medium"),
        "value": st.column_config.NumberColumn("value", min_value=0.0, format="%.6g"),
        "low": st.column_config.NumberColumn("low", format="%.6g"),
        "high": st.column_config.NumberColumn("high", format="%.6g"),
        "source": st.column_config.TextColumn("source", width="medium"),
        "note": st.column_config.TextColumn("note", width="large"),
    },
    key=key,
    placeholder=tables.MISSING,
    on_change=_apply_edits,
    args=(key, row_ids, model.params),
)
st.caption(
    "Edit a value: it becomes your assumption (kind 'user'), widens the row's range if needed "
    "and flows into every table, chart and the ranking. Rows of kind 'missing' have no source; "
    "the model uses the midpoint of their range until you set one. Your assumptions are kept "
    "for this session (the link does not carry them)."
)
if mine:
    st.button("Reset my cost assumptions", on_click=_reset, key="cost_reset")
