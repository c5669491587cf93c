"""Candidate sites uploaded by a user (CSV or GeoJSON), validated; the user's saved sites, checked.

:func:`parse_sites` is the one front door for uploaded files. It never raises: every row or
feature it cannot use is dropped and reported as a :class:`Problem` that names the row, the
column and what is allowed; good rows are kept and shaped like
:func:`windrose_sites.catalog.load_sites` (EPSG:4326), so :func:`catalog.compute_criteria`
scores them like the shipped sites. Names are kept as text (HTML is escaped where it is
rendered, formula-like names are neutralized by :func:`windrose_sites.export.to_csv`).

This package was the module ``windrose_sites/uploads.py``; every name it had is importable from
here as before. The code lives in:

- :mod:`windrose_sites.uploads.read`: decoding, CSV and GeoJSON reading (:class:`Problem`);
- :mod:`windrose_sites.uploads.validate`: row checks, :func:`can_be_negative`, and the user's
  saved sites (:func:`validate_user_sites`, :func:`user_sites_from_geojson`);
- :mod:`windrose_sites.uploads.sites`: :func:`parse_sites` (read, check, then ids, countries,
  indicator areas and provenance) and :class:`UploadResult`;
- :func:`parse_edits` (a criteria table edited in the UI) lives in
  :mod:`windrose_sites.assumptions`; ``uploads.parse_edits`` is the same function.
"""

from __future__ import annotations

from windrose_sites.assumptions import parse_edits
from windrose_sites.uploads.read import ALIASES, LABELS, MAX_ROWS, MAX_UPLOAD_BYTES, Problem
from windrose_sites.uploads.sites import UploadResult, parse_sites
from windrose_sites.uploads.validate import (
    MAX_NAME_CHARS,
    MAX_VALUE_ABS,
    SEA_MARGIN_DEG,
    can_be_negative,
    user_sites_from_geojson,
    validate_user_sites,
)

__all__ = [
    "ALIASES",
    "LABELS",
    "MAX_NAME_CHARS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "MAX_VALUE_ABS",
    "SEA_MARGIN_DEG",
    "Problem",
    "UploadResult",
    "can_be_negative",
    "parse_edits",
    "parse_sites",
    "user_sites_from_geojson",
    "validate_user_sites",
]
