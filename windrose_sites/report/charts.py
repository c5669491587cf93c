"""Altair chart specs shared by the pages and the memo, and their offline PNG rendering.

The spec builders are pure functions of data frames (no Streamlit), so the Compare page can
call :func:`contribution_chart` and show exactly the chart the memo prints. :func:`to_png`
renders any Altair chart with ``vl-convert`` (Vega-Lite compiled and drawn in-process: no
browser, no network).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = ["contribution_chart", "cost_components_chart", "first_share_chart", "to_png"]

#: Labels of the cost components, in stacking order (incentives are negative).
_COMPONENT_LABELS = {
    "ocean_freight": "Ocean freight",
    "insurance": "Insurance",
    "duty": "Duty",
    "port_and_inland": "Port and inland",
    "labour": "Labour",
    "energy": "Energy",
    "outbound": "Outbound",
    "capex": "Capex",
    "incentives": "Incentives",
}


def contribution_chart(contrib: pd.DataFrame, n_sites: int | None = None) -> alt.Chart:
    """The Compare page's stacked bar: each criterion's contribution to each site's score.

    Parameters
    ----------
    contrib : pandas.DataFrame
        :func:`windrose_sites.comparison.contributions_long`: ``site``, ``criterion``,
        ``contribution``, ``rank``.
    n_sites : int, optional
        Number of bars, for the height (default: the sites in ``contrib``).
    """
    n = contrib["site"].nunique() if n_sites is None else n_sites
    order = list(contrib.sort_values("rank")["site"].unique())
    return (
        alt.Chart(contrib)
        .mark_bar()
        .encode(
            x=alt.X("contribution:Q", title="Contribution to the score"),
            y=alt.Y("site:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            color=alt.Color("criterion:N", title="Criterion", legend=alt.Legend(labelLimit=260)),
            tooltip=["site", "criterion", alt.Tooltip("contribution:Q", format=".3f")],
        )
        .properties(height=max(200, 28 * n))
    )


def cost_components_chart(table: pd.DataFrame, names: pd.Series | None = None) -> alt.Chart:
    """Landed cost per truck by component, one stacked bar per site (EUR per truck).

    ``table`` is :func:`windrose_sites.cost.cost_table`; ``names`` maps site id to the label
    shown (default: the table's ``name``). Incentives are negative and stack below zero.
    """
    label = table["site_id"].map(names) if names is not None else table["name"]
    rows = []
    for k, (comp, title) in enumerate(_COMPONENT_LABELS.items()):
        col = f"{comp}_eur_per_truck"
        if col in table:
            rows.append(
                pd.DataFrame(
                    {"site": label, "component": title, "k": k, "eur": table[col].astype(float)}
                )
            )
    long = pd.concat(rows, ignore_index=True)
    order = list(label[table["total_eur_per_truck"].argsort()])
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("eur:Q", title="Landed cost per truck (EUR)", axis=alt.Axis(format=",.0f")),
            y=alt.Y("site:N", sort=order, title=None, axis=alt.Axis(labelLimit=220)),
            color=alt.Color(
                "component:N", title="Component", sort=list(_COMPONENT_LABELS.values())
            ),
            order=alt.Order("k:Q"),
            tooltip=["site", "component", alt.Tooltip("eur:Q", format=",.0f")],
        )
        .properties(height=max(160, 24 * len(table)))
    )


def first_share_chart(first: pd.DataFrame) -> alt.Chart:
    """The Sensitivity page's bar of the probability of being first (columns site, first)."""
    return (
        alt.Chart(first)
        .mark_bar()
        .encode(
            x=alt.X("first:Q", title="Probability of being first", axis=alt.Axis(format="%")),
            y=alt.Y("site:N", sort="-x", title=None, axis=alt.Axis(labelLimit=220)),
            tooltip=["site", alt.Tooltip("first:Q", format=".1%")],
        )
        .properties(height=alt.Step(20))
    )


def to_png(chart: alt.TopLevelMixin, width: int = 520, scale: float = 2.0) -> bytes:
    """PNG bytes of an Altair chart, drawn offline by ``vl-convert`` (no browser).

    ``width`` is the chart's width in CSS pixels; ``scale`` the pixel density.
    """
    import vl_convert

    spec = chart.properties(width=width).to_dict()
    return vl_convert.vegalite_to_png(spec, scale=scale)
