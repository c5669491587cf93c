import pytest

from windrose_sites import pipeline, summary


@pytest.fixture(scope="module")
def inputs():
    return pipeline.load_inputs()


def _decide(inputs, query: str, seed: int = 0):
    state, _ = pipeline.parse_state(query, inputs)
    work = pipeline.working_set(inputs)
    ranking = pipeline.rank(work, inputs, state)
    crit = pipeline.criteria_for(state, inputs.criteria)
    names = work.attributes["name"]
    return (
        ranking,
        names,
        summary.decide(
            ranking, work.table, crit, work.provenance, names, method=state.method, seed=seed
        ),
    )


def test_the_answer_names_leader_runner_up_and_margin(inputs):
    ranking, names, s = _decide(inputs, "")
    order = ranking.result.sort_values("rank").index
    assert s.leader == order[0]
    assert s.runner_up == order[1]
    assert names[order[0]] in s.answer
    assert names[order[1]] in s.answer
    gap = ranking.result.at[order[0], "score"] - ranking.result.at[order[1], "score"]
    assert s.margin == pytest.approx(gap)
    assert f"{gap:.3f} behind" in s.answer
    assert 0.0 <= s.first_share <= 1.0
    assert names[order[0]] in s.robustness


def test_the_same_seed_gives_the_same_sentences(inputs):
    assert _decide(inputs, "", seed=3)[2] == _decide(inputs, "", seed=3)[2]


def test_method_disagreement_names_the_method_and_its_leader(inputs):
    _, _names, s = _decide(inputs, "")
    if s.methods_agree:
        assert s.methods.startswith("All 4 methods")
    else:
        assert "puts" in s.methods
        assert "first" in s.methods


def test_a_single_site_has_nothing_to_be_robust_against(inputs):
    ranking, _, s = _decide(inputs, "country=BE")
    assert len(ranking.result) == 1
    assert s.runner_up is None
    assert s.margin is None
    assert "only site" in s.answer


def test_caveats_name_the_fallbacks_of_the_leaders(inputs):
    _, _names, s = _decide(inputs, "")
    assert any("fallback" in c for c in s.caveats)
    assert all(isinstance(c, str) and c for c in s.caveats)
