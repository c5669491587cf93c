"""The fast paths of the decision summary give the answers of the plain ones.

``summary.decide`` reads the caveats of the leader and the runner-up only, and
``health.site_caveats`` filters the provenance with masks: a site's caveats must not depend on
which other sites are asked for, and must match a plain pandas filter row for row.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from windrose_sites import health, pipeline, summary
from windrose_sites.assumptions import USER_KIND


@pytest.fixture(scope="module")
def inputs():
    return pipeline.load_inputs()


@pytest.fixture(scope="module")
def edited(inputs):
    """Shipped sites with holes typed in (imputed in the ranking, user values in provenance)."""
    edits = {"onnaing": {"unemployment_pct": None}, "tucson_az": {"grid_gco2_kwh": None}}
    work = pipeline.working_set(inputs, None, edits)
    state = pipeline.default_state(inputs)
    ranking = pipeline.rank(work, inputs, state)
    return work, ranking, pipeline.criteria_for(state, inputs.criteria)


def _plain(provenance, criteria, weights, site_ids, imputed):
    """site_caveats written with a plain pandas filter and loops (the reference)."""
    used = [c for c, w in weights.items() if w > 0]
    prov = provenance[provenance["site_id"].isin(site_ids) & provenance["criterion"].isin(used)]
    rows = [
        (r.site_id, r.criterion, "fallback", health._short(r.note))
        for r in prov[prov["fallback"].fillna(False).astype(bool)].itertuples()
    ]
    rows += [
        (r.site_id, r.criterion, USER_KIND, "your value")
        for r in prov[prov["kind"] == USER_KIND].itertuples()
    ]
    mask = imputed.reindex(index=site_ids, columns=used, fill_value=False).astype(bool)
    for i, j in zip(*mask.to_numpy().nonzero(), strict=True):
        rows.append(
            (mask.index[i], mask.columns[j], "imputed", "missing: counted as worse than known")
        )
    frame = pd.DataFrame(rows, columns=["site_id", "criterion", "issue", "detail"])
    frame["label"] = frame["criterion"].map(criteria["label"])
    return frame


@pytest.mark.parametrize("pick", ["all", "reversed", "two", "one", "none", "unknown", "many"])
def test_site_caveats_match_a_plain_filter(edited, pick):
    work, ranking, crit = edited
    ids = ranking.result.index
    site_ids = {
        "all": ids,
        "reversed": ids[::-1],
        "two": ids[:2],
        "one": pd.Index(["onnaing"]),
        "none": ids[:0],
        "unknown": pd.Index(["no_such_site", "tucson_az"]),
        "many": ids[: len(ids) - 1],  # more than a few: the factorized lookup
    }[pick]
    args = (
        work.provenance,
        crit,
        ranking.weights.to_dict(),
        site_ids,
        ranking.result.attrs["imputed"],
    )
    got, want = health.site_caveats(*args), _plain(*args)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_site_caveats_see_every_issue(edited):
    work, ranking, crit = edited
    caveats = health.site_caveats(
        work.provenance, crit, ranking.weights.to_dict(), ranking.result.index,
        ranking.result.attrs["imputed"],
    )  # fmt: skip
    assert {"fallback", "imputed", USER_KIND} <= set(caveats["issue"])


def test_a_sites_caveats_do_not_depend_on_the_others_asked_for(edited):
    work, ranking, crit = edited
    args = (work.provenance, crit, ranking.weights.to_dict())
    imputed = ranking.result.attrs["imputed"]
    everyone = health.site_caveats(*args, ranking.result.index, imputed)
    for site in ("onnaing", "tucson_az", "antwerp_romeynsweel"):
        alone = health.site_caveats(*args, pd.Index([site]), imputed)
        own = everyone[everyone["site_id"] == site].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, own, check_exact=True)


def test_a_weight_of_zero_drops_the_criterions_caveats(edited):
    work, ranking, crit = edited
    weights = {**ranking.weights.to_dict(), "unemployment_pct": 0.0}
    caveats = health.site_caveats(
        work.provenance, crit, weights, ranking.result.index, ranking.result.attrs["imputed"]
    )
    assert "unemployment_pct" not in set(caveats["criterion"])


@pytest.mark.parametrize("method", ["wsm", "wpm", "topsis", "promethee"])
def test_decide_names_the_caveats_of_leader_and_runner_up(inputs, edited, method):
    work, _, crit = edited
    state = pipeline.default_state(inputs)
    state = dataclasses.replace(state, method=method)
    ranking = pipeline.rank(work, inputs, state)
    names = work.attributes["name"]
    s = summary.decide(ranking, work.table, crit, work.provenance, names, method=method)
    caveats = health.site_caveats(
        work.provenance, crit, ranking.weights.to_dict(), ranking.result.index,
        ranking.result.attrs["imputed"],
    )  # fmt: skip
    sentences = [
        health.summary_sentence(caveats, names.to_dict(), site) for site in (s.leader, s.runner_up)
    ]
    assert [x for x in sentences if x] == [c for c in s.caveats if "comparable" not in c]
