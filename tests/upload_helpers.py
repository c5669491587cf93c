"""Shared builders of upload test files (CSV bytes, GeoJSON features) for tests/test_uploads_*."""

from __future__ import annotations

import json
from pathlib import Path

from windrose_sites import uploads as up

ROOT = Path(__file__).resolve().parent.parent
GHENT = "Ghent,51.05,3.72"
LYON = "Lyon,45.76,4.84"
PHOENIX = "Phoenix,33.45,-112.07"


def csv_bytes(*rows: str, header: str = "name,lat,lon", encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows]).encode(encoding)


def feature(geometry, **props):
    return {"type": "Feature", "properties": props or {"name": "Site"}, "geometry": geometry}


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def square(lon, lat, size=0.01):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def collection(*features, **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", **extra, "features": list(features)}).encode()


def messages(result: up.UploadResult, level: str | None = None) -> str:
    return "\n".join(str(p) for p in result.problems if level in (None, p.level))
