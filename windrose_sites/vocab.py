"""The project's vocabulary, defined once: methods, directions, kinds, groups, bounds and keys.

Every module that names a scoring method, a criterion direction, a provenance kind, a criterion
group, a map view, a filter bound or a URL/widget key takes it from here, so a new method or a
renamed key changes one line. Each set is a :class:`typing.Literal` type (for the type checker)
and a tuple of its values in display order (for validation and widgets), the tuple read off the
type so the two cannot drift apart.

Examples
--------
>>> METHODS
('wsm', 'wpm', 'topsis', 'promethee')
>>> group_key("port access"), criterion_key("sea_distance_nm"), direction_key("duty_pct")
('w_port_access', 'c_sea_distance_nm', 'd_duty_pct')
"""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = [
    "DIRECTIONS",
    "GROUPS",
    "KINDS",
    "MAX_AREA_HA",
    "MAX_PORT_KM",
    "MAX_WEIGHT",
    "METHODS",
    "VIEWS",
    "Direction",
    "Group",
    "Kind",
    "Method",
    "View",
    "criterion_key",
    "direction_key",
    "group_key",
]

#: A scoring method of :func:`windrose_sites.scoring.score`.
Method = Literal["wsm", "wpm", "topsis", "promethee"]
METHODS: Final[tuple[Method, ...]] = get_args(Method)

#: Whether more of a criterion is better (``"benefit"``) or worse (``"cost"``).
Direction = Literal["benefit", "cost"]
DIRECTIONS: Final[tuple[Direction, ...]] = get_args(Direction)

#: Provenance kind of a value in ``data/``: ``missing`` where no source exists.
Kind = Literal["official", "derived", "estimate", "missing"]
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)

#: Criterion group of ``criteria.csv``; a group weight is set per group.
Group = Literal["logistics", "jobs", "port access", "cost", "sustainability", "market"]
GROUPS: Final[tuple[Group, ...]] = get_args(Group)

#: A view of the Map page (:func:`windrose_sites.map_views.view_spec`).
View = Literal["Europe", "United States", "Supply chain"]
VIEWS: Final[tuple[View, ...]] = get_args(View)

#: Slider range of group and criterion weights, 0 to this (relative; shares are shown in %).
MAX_WEIGHT: Final = 100.0
#: Largest minimum plot area a filter accepts (ha).
MAX_AREA_HA: Final = 1e6
#: Largest maximum geodesic distance to the gateway port a filter accepts (km).
MAX_PORT_KM: Final = 1e5


def group_key(group: str) -> str:
    """URL and widget key of a group weight: ``"port access"`` -> ``"w_port_access"``.

    >>> group_key("jobs")
    'w_jobs'
    """
    return "w_" + group.replace(" ", "_")


def criterion_key(cid: str) -> str:
    """URL and widget key of a criterion's within-group weight: ``"c_<criterion id>"``.

    >>> criterion_key("unemployment_pct")
    'c_unemployment_pct'
    """
    return f"c_{cid}"


def direction_key(cid: str) -> str:
    """URL and widget key of a flip of a criterion's direction: ``"d_<criterion id>"``.

    >>> direction_key("unemployment_pct")
    'd_unemployment_pct'
    """
    return f"d_{cid}"
