"""Windrose site selection: the router (every page sets itself up with frame.open_page)."""

from windrose_ui import frame

frame.navigation()
