"""Moved: the code now lives in :mod:`windrose_sites.map_views`; this module re-exports it.

Kept so ``from windrose_sites import routes`` keeps working; import
:mod:`windrose_sites.map_views` in new code.
"""

from __future__ import annotations

from windrose_sites.map_views import VIEWS, ViewSpec, gateway_routes, view_spec

__all__ = ["VIEWS", "ViewSpec", "gateway_routes", "view_spec"]
