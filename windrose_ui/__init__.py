"""The Streamlit shell around :mod:`windrose_sites`: page frame, sidebar, session state.

Pages (``pages/*.py``) start with ``ctx = frame.open_page("Title")`` and then only read
widgets, call :mod:`windrose_sites` (mostly :mod:`windrose_sites.pipeline`) and render. The
helpers live here, outside ``pages/``, so none of them can become a page.

- :mod:`windrose_ui.frame`: page config, offline Leaflet, the menu, the sidebar, errors.
- :mod:`windrose_ui.sidebar`: the weights, method, directions and filters; the URL.
- :mod:`windrose_ui.session`: the one owner of ``st.session_state`` (user sites, edits,
  selection, last upload), with ``reset_user_data`` and ``replace_user_data``.
- :mod:`windrose_ui.cached`: the shipped catalog, once per server process.
- :mod:`windrose_ui.widgets`: small renderers shared by pages (ranking errors, score bars).
"""
