"""The decision memo: pages, contents in the issue's order, footer, sources, hostile names, CLI.

The PDF's text is extracted with pypdf, as a reader's copy-paste would see it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace

import pytest

from windrose_sites import cli, pipeline
from windrose_sites.report import charts, content, memo, memo_pdf

pypdf = pytest.importorskip("pypdf")

DAY = dt.date(2026, 12, 1)
QUERY = "w_logistics=80&bogus=1"
HOSTILE = '<script>alert(1)</script> =HYPERLINK("x") +@cmd שלום עולם'
URL = re.compile(r"https?://\S+")


def _pages(data: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def inputs():
    return pipeline.load_inputs()


@pytest.fixture(scope="module")
def decision(inputs):
    return pipeline.run(QUERY, inputs)


@pytest.fixture(scope="module")
def pdf(inputs):
    return memo_pdf(QUERY, inputs, today=DAY)


@pytest.fixture(scope="module")
def pages(pdf):
    return _pages(pdf)


@pytest.fixture(scope="module")
def text(pages):
    return re.sub(r"\s+", " ", " ".join(pages))


def test_memo_has_three_pages_or_more_on_a4(pdf, pages):
    assert pdf.startswith(b"%PDF")
    assert len(pages) >= 3
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_memo_names_the_leader_runner_up_and_method(text, decision):
    names = decision.work.attributes["name"]
    order = decision.ranking.result.sort_values("rank").index
    assert f"{names[order[0]]} ranks first" in text
    assert f"The runner-up is {names[order[1]]}" in text
    assert "Weighted sum (WSM)" in text


def test_memo_gives_every_group_weight(text, decision, inputs):
    groups = inputs.criteria["group"].reindex(decision.ranking.weights.index)
    shares = decision.ranking.weights.groupby(groups).sum()
    for group, share in shares.items():
        assert f"{group} {100 * share:.1f} %" in text, group


def test_memo_gives_money_robustness_and_health(text):
    assert "Tariff scenario in force: today" in text
    assert re.search(r"Cheapest landed cost per truck: .+ at EUR [\d,]+ per truck", text)
    assert re.search(r"EUR [\d,]+ – EUR [\d,]+", text)  # P10–P90
    assert "10-year cost (PV)" in text
    assert re.search(r"is first in \d+\.\d % of 10,000 weight samples", text)
    assert "stays first" in text  # stability intervals
    assert re.search(r"The methods (agree|disagree)", text)
    assert "ranked sites rest on at least one fallback" in text


def test_memo_sections_are_in_the_issue_order(text):
    heads = ["1. The question and the answer", "2. Map", "3. The ranking and the weights",
             "4. The money", "5. Robustness", "6. What rests", "7. Sources"]  # fmt: skip
    positions = [text.index(h) for h in heads]
    assert positions == sorted(positions)


def test_memo_lists_at_least_ten_source_addresses(text):
    sources = text[text.index("7. Sources") :]
    assert len(set(URL.findall(sources))) >= 10


def test_memo_embeds_images(pdf):
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    images = [im for page in reader.pages for im in page.images]
    assert len(images) >= 2  # the map and at least one chart
    assert images[0].image.size[0] > 500


def test_footer_on_every_page(pages):
    version = content.data_version()
    for k, page in enumerate(pages, start=1):
        flat = re.sub(r"\s+", " ", page)
        assert "State: ?w_logistics=80" in flat
        assert version in flat
        assert DAY.isoformat() in flat
        assert f"page {k}/{len(pages)}" in flat
    assert "bogus" not in re.sub(r"\s+", " ", pages[0]).split("Link parameter")[0]


def test_link_warnings_are_in_the_memo(text):
    assert "Link parameter: Ignored unknown parameter 'bogus'." in text


def test_hostile_site_name_is_printed_as_text(inputs, decision):
    work = decision.work
    leader = decision.ranking.result["rank"].idxmin()
    attrs = work.attributes.copy()
    attrs.loc[leader, "name"] = HOSTILE
    c = content.memo_content(QUERY, inputs, work=replace(work, attributes=attrs), today=DAY,
                             images=False)  # fmt: skip
    assert c.leader == HOSTILE
    flat = re.sub(r"\s+", " ", " ".join(_pages(memo.render(c))))
    assert '<script>alert(1)</script> =HYPERLINK("x") +@cmd' in flat
    # fpdf2 stores right-to-left runs in visual order (as displayed); extraction returns that
    for word in ("שלום", "עולם"):
        assert word in flat or word[::-1] in flat


def test_data_version_and_formats():
    assert re.fullmatch(r"data [0-9a-f]{12} \(\d+ files\)", content.data_version())
    assert content.fmt_value(10510.9458, "nm") == "10,511 nm"
    assert content.fmt_value(None, "km") == "—"
    assert content.eur(-549.6) == "−EUR 550"


def test_contribution_chart_spec_is_the_compare_pages(decision, inputs):
    from windrose_sites import comparison

    result = decision.ranking.result
    contrib = comparison.contributions_long(result, decision.work.attributes["name"],
                                            inputs.criteria)  # fmt: skip
    spec = charts.contribution_chart(contrib).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "contribution"


def test_cli_gives_the_same_text_and_warns(tmp_path, pages, capsys):
    out = tmp_path / "memo.pdf"
    code = cli.main(["report", "--state", QUERY, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    assert "warning: Link parameter: Ignored unknown parameter 'bogus'." in err
    got = _pages(out.read_bytes())
    today = dt.date.today().isoformat()
    assert [p.replace(today, DAY.isoformat()) for p in got] == pages


def test_cli_bad_state_is_one_line_not_a_traceback(tmp_path, capsys):
    out = tmp_path / "memo.pdf"
    code = cli.main(["report", "--state", "country=ZZ&min_area_ha=1000000&unknown_area=drop",
                     "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == cli.EXIT_NO_RESULT
    assert "warning: Link parameter: Ignored unknown country code(s): ZZ." in err
    assert "Traceback" not in err
    assert not out.exists()
