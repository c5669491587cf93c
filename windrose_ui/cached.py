"""What a server process computes once: the shipped catalog, maps' static parts, downloads.

Everything here is keyed on digests of the content it is built from, never on a session, so
two sessions share an entry only when their data are the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st

from windrose_sites import map_paint, pipeline
from windrose_ui import folium_frame

__all__ = [
    "Catalog",
    "acceptability",
    "chart_spec",
    "cost_result",
    "download_bytes",
    "frames_digest",
    "load_catalog",
    "map_frame",
    "static_map",
]

#: The shipped data one ranking needs (see :class:`windrose_sites.pipeline.Inputs`).
Catalog = pipeline.Inputs


@st.cache_resource(show_spinner="Loading the site catalog and computing sea routes…")
def load_catalog() -> Catalog:
    """The shipped catalog (read-only: callers copy before changing anything)."""
    return pipeline.load_inputs()


@st.cache_resource(max_entries=48, show_spinner=False)
def static_map(
    key: str,  # noqa: ARG001 (cache key)
    data_key: str,  # noqa: ARG001 (cache key)
    _build: Callable[[], map_paint.StaticMap],
) -> map_paint.StaticMap:
    """The static part of map ``key`` for the data named ``data_key``, rendered once.

    A resource, not data: the entry is immutable strings, shared without a copy per rerun.
    """
    return _build()


@st.cache_data(max_entries=64, show_spinner=False)
def download_bytes(
    kind: str,  # noqa: ARG001 (cache key)
    ranking_key: str,  # noqa: ARG001 (cache key)
    data_key: str,  # noqa: ARG001 (cache key)
    _build: Callable[[], bytes],
) -> bytes:
    """The bytes of download ``kind`` made from the ranking and the data these keys name.

    The keys are digests of the content the file is built from (``windrose_ui.widgets``), so
    a rerun that changes neither reuses the bytes and one that changes either builds them anew.
    """
    return _build()


@st.cache_resource(max_entries=48, show_spinner=False)
def map_frame(
    key: str,
    data_key: str,  # noqa: ARG001 (cache key)
    _static: map_paint.StaticMap,
) -> folium_frame.FrameArgs:
    """The ``st_folium`` arguments of the static map ``key`` for ``data_key``, prepared once."""
    return folium_frame.prepare(map_paint.folium_map(_static), key)


@st.cache_data(max_entries=32, show_spinner="Sampling weights…")
def acceptability(
    key: str,  # noqa: ARG001 (cache key)
    _compute: Callable[[], pd.DataFrame],
) -> pd.DataFrame:
    """A SMAA-2 rank acceptability table, computed once per
    :func:`windrose_sites.sensitivity.smaa.acceptability_key`: a weight move under uniform
    sampling, or a switch back to a sample size already drawn, reuses it. Data, not a
    resource: each rerun gets its own copy (attrs included), so a page cannot change the entry.
    """
    return _compute()


@st.cache_resource(max_entries=256, show_spinner=False)
def chart_spec(
    key: str,  # noqa: ARG001 (cache key)
    args: tuple,
    _build: Callable[..., alt.TopLevelMixin],
) -> dict:
    """The Vega-Lite spec of chart ``key`` built by ``_build(*args)``, made once per ``args``.

    Building an Altair chart is most of its cost (``encode`` resolves every channel against
    the schema, about 10 ms a chart), so a chart on named data whose shape depends only on
    ``args`` is built once per server process. Callers copy the entry before drawing it.
    """
    spec = _build(*args).to_dict(validate=False)
    spec.pop("config", None)  # drawn without the default theme, as st.altair_chart does
    return spec


def frames_digest(*frames: pd.DataFrame) -> str:
    """A SHA-256 of the frames' row ids, column names, dtypes and every value, in order.

    Values are hashed as text (``repr`` per cell for object columns, so lists and tuples
    count too), so two frames share a digest only when they print the same.
    """
    h = hashlib.sha256()
    for frame in frames:
        h.update(
            repr((tuple(frame.index), tuple(frame.columns), tuple(map(str, frame.dtypes)))).encode()
        )
        for column in frame.columns:
            values = frame[column].to_numpy()
            if values.dtype.hasobject:  # text, lists, extension types: never their addresses
                h.update(repr(values.tolist()).encode())
            else:
                h.update(values.tobytes())
        h.update(b"\x00")
    return h.hexdigest()


@st.cache_data(max_entries=64, show_spinner=False)
def cost_result(
    name: str,  # noqa: ARG001 (cache key)
    key: tuple,  # noqa: ARG001 (cache key)
    _build: Callable[[], object],
) -> object:
    """A Cost page result ``name`` (Monte Carlo table, tornado, break-even sentences) for
    ``key``, which starts with the cost model's digest (:func:`frames_digest` of its
    parameters and site inputs) and holds the result's other inputs (sample size, seed).

    Data, not a resource: each session gets its own copy, so no page can change the entry.
    """
    return _build()
