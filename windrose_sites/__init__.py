"""Windrose site selection: the pure core (no streamlit): catalog, geo, scoring, maps, export."""
