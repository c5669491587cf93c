"""What a server process loads once: the shipped catalog with the candidates' criteria."""

from __future__ import annotations

import streamlit as st

from windrose_sites import pipeline

__all__ = ["Catalog", "load_catalog"]

#: The shipped data one ranking needs (see :class:`windrose_sites.pipeline.Inputs`).
Catalog = pipeline.Inputs


@st.cache_resource(show_spinner="Loading the site catalog and computing sea routes…")
def load_catalog() -> Catalog:
    """The shipped catalog (read-only: callers copy before changing anything)."""
    return pipeline.load_inputs()
