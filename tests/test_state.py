import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from windrose_sites import state as ws

GROUPS = ["logistics", "jobs", "port access"]
DEFAULT = ws.default_state(GROUPS, {"sea_distance_nm": 50, "unemployment_pct": 50})


def parse(params):
    return ws.parse_query_params(params, DEFAULT, site_ids=["a", "b"], countries=["BE", "US"])


def test_round_trip():
    s, w = parse(
        {
            "w_logistics": "80",
            "w_port_access": "10",
            "c_sea_distance_nm": "20",
            "method": "topsis",
            "min_area_ha": "5",
            "max_port_km": "200",
            "country": "BE",
            "sel": "b,a",
        }
    )
    assert w == []
    assert s.group_weights["logistics"] == 80
    assert s.group_weights["port access"] == 10
    assert s.method == "topsis"
    assert s.filters.countries == ("BE",)
    assert s.selected == ("b", "a")
    assert parse(ws.to_query_params(s, DEFAULT))[0] == s


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"w_jobs": "abc"}, "not a number"),
        ({"w_jobs": "-5"}, "from 0 to 100"),
        ({"w_jobs": "1e308"}, "from 0 to 100"),
        ({"w_jobs": "nan"}, "from 0 to 100"),
        ({"w_jobs": "inf"}, "from 0 to 100"),
        ({"method": "magic"}, "allowed are"),
        ({"w_weather": "5"}, "unknown parameter"),
        ({"sel": "a,zzz"}, "unknown site"),
        ({"country": "XX"}, "unknown country"),
        ({"w_jobs": "1" * 10_000}, "characters"),
        ({"w_jobs": ["10", "20"]}, "appears 2 times"),
    ],
)
def test_hostile_values_are_ignored_with_a_warning(params, fragment):
    s, warnings = parse(params)
    assert any(fragment in w for w in warnings), warnings
    assert s.group_weights["jobs"] == DEFAULT.group_weights["jobs"]
    assert s.method == "wsm"


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=30),
        st.one_of(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=3)),
        max_size=6,
    )
)
def test_parser_never_raises(params):
    s, warnings = parse(params)
    assert isinstance(s, ws.AppState)
    assert all(0 <= w <= ws.MAX_WEIGHT for w in s.group_weights.values())
    assert s.method in ws.METHODS
    assert all(isinstance(w, str) for w in warnings)
