"""The live Excel model: defined names, formulas, and a recomputation that re-ranks as the app.

The workbook is recomputed with the ``formulas`` package (an Excel formula engine in Python):
changing ``w_logistics`` must give the ranking ``python -m windrose_sites rank`` gives at that
weight (computed here in-process with :mod:`windrose_sites.pipeline`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest

from windrose_sites import cli, pipeline, workbook
from windrose_sites.cost.tables import cost_table, model_for_state

openpyxl = pytest.importorskip("openpyxl")
formulas = pytest.importorskip("formulas")

DAY = dt.date(2026, 12, 1)
GROUP_NAMES = ("w_logistics", "w_jobs", "w_port_access", "w_cost", "w_sustainability", "w_market")
HOSTILE = '=HYPERLINK("http://ev.il","x") <b>+@cmd</b> שלום'


@pytest.fixture(scope="module")
def inputs():
    return pipeline.load_inputs()


@pytest.fixture(scope="module")
def xlsx(inputs, tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "model.xlsx"
    path.write_bytes(workbook.workbook_xlsx("", inputs, today=DAY))
    return path


@pytest.fixture(scope="module")
def book(xlsx):
    return openpyxl.load_workbook(xlsx)


@pytest.fixture(scope="module")
def engine(xlsx):
    """The workbook compiled by ``formulas`` once (the slow step); calculate() is fast."""
    return formulas.ExcelModel().loads(str(xlsx)).finish()


def _cell_of(book, name: str) -> str:
    """The ``formulas`` key of a defined name's cell, e.g. ``'[model.xlsx]WEIGHTS'!B4``."""
    ((sheet, ref),) = book.defined_names[name].destinations
    return f"'[model.xlsx]{sheet.upper()}'!{ref.replace('$', '')}"


def _value(solution, sheet: str, cell: str):
    return solution[f"'[model.xlsx]{sheet.upper()}'!{cell}"].value[0, 0]


def test_defined_names_exist(book, inputs):
    names = set(book.defined_names)
    assert set(GROUP_NAMES) <= names
    for c in inputs.criteria.index:
        assert {f"c_{c}", f"d_{c}", f"share_{c}"} <= names
    assert "missing_margin" in names


def test_sheets_and_formats(book):
    assert book.sheetnames[:5] == ["Ranking", "Weights", "Values", "Used values", "Normalized"]
    assert {"Cost", "Cost inputs", "Cost assumptions"} <= set(book.sheetnames)
    values = book["Values"]
    assert [c.value for c in values[1]][:9] == [
        "site_id", "name", "criterion", "label", "unit", "value", "source", "year", "kind"
    ]  # fmt: skip
    assert values.freeze_panes == "A2"
    assert book["Used values"]["C1"].value.endswith("[nm]")  # units in headers


def test_ranking_scores_and_ranks_are_formulas(book):
    sheet = book["Ranking"]
    rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value]
    assert len(rows) >= 2
    for r in rows:
        assert str(sheet.cell(r, 3).value).startswith("=MIN(1,MAX(0,")
        assert str(sheet.cell(r, 4).value).startswith("=RANK(")
    assert "share_" in sheet.cell(2, 3).value
    weights = book["Weights"]
    assert str(weights["H" + str(_row(book, "share_sea_distance_nm"))].value).startswith("=IF(")


def _row(book, name: str) -> int:
    ((_, ref),) = book.defined_names[name].destinations
    return int(ref.split("$")[-1])


def _recomputed_ranking(engine, book, w_logistics: float | None) -> dict[str, tuple[int, float]]:
    inputs = {} if w_logistics is None else {_cell_of(book, "w_logistics"): w_logistics}
    sol = engine.calculate(inputs=inputs)
    sheet = book["Ranking"]
    out = {}
    for r in range(2, sheet.max_row + 1):
        site = sheet.cell(r, 1).value
        if site:
            out[site] = (
                int(_value(sol, "Ranking", f"D{r}")),
                float(_value(sol, "Ranking", f"C{r}")),
            )
    return out


@pytest.mark.parametrize("w_logistics", [None, 0.0, 90.0, 100.0])
def test_recomputed_ranking_equals_the_cli_ranking(engine, book, inputs, w_logistics):
    query = "" if w_logistics is None else f"w_logistics={w_logistics:g}"
    expected = pipeline.run(query, inputs).ranking.result
    got = _recomputed_ranking(engine, book, w_logistics)
    assert set(got) == set(expected.index)
    for site, (rank, score) in got.items():
        assert rank == int(expected.at[site, "rank"]), site
        assert score == pytest.approx(float(expected.at[site, "score"]), abs=1e-9)


def test_changed_logistics_weight_changes_the_scores(engine, book):
    base, heavy = _recomputed_ranking(engine, book, None), _recomputed_ranking(engine, book, 100.0)
    assert any(abs(base[s][1] - heavy[s][1]) > 1e-6 for s in base)


def test_cost_components_recompute_to_the_model_totals(engine, book, inputs):
    state, _ = pipeline.parse_state("", inputs)
    model, _ = model_for_state(state, inputs)
    table = cost_table(model).set_index("site_id")
    sol = engine.calculate()
    sheet = book["Cost"]
    header = [c.value for c in sheet[1]]
    assert str(sheet.cell(2, header.index("duty [EUR/truck]") + 1).value).startswith("=")
    total_col = header.index("total [EUR/truck]") + 1
    npv_col = header.index("npv_10y [EUR m]") + 1
    checked = 0
    for r in range(2, sheet.max_row + 1):
        site = sheet.cell(r, 1).value
        if site in table.index:
            col = openpyxl.utils.get_column_letter
            total = float(_value(sol, "Cost", f"{col(total_col)}{r}"))
            npv = float(_value(sol, "Cost", f"{col(npv_col)}{r}"))
            assert total == pytest.approx(table.at[site, "total_eur_per_truck"], rel=1e-9)
            assert npv == pytest.approx(table.at[site, "npv_10y_eur_m"], rel=1e-9)
            checked += 1
    assert checked == len(table)


def test_site_names_cannot_become_formulas(inputs):
    work = pipeline.working_set(inputs)
    leader = pipeline.run("", inputs).ranking.result["rank"].idxmin()
    attrs = work.attributes.copy()
    attrs.loc[leader, "name"] = HOSTILE
    data = workbook.workbook_xlsx("", inputs, work=replace(work, attributes=attrs), today=DAY)
    book = openpyxl.load_workbook(io.BytesIO(data))
    names = [c.value for c in book["Ranking"]["B"][1:] if c.value]
    assert "'" + HOSTILE in names
    for sheet in ("Ranking", "Values", "Used values", "Normalized"):
        for row in book[sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and HOSTILE in cell.value:
                    assert cell.data_type == "s"
                    assert cell.value.startswith("'")


def test_other_methods_write_values_and_say_so(inputs):
    data = workbook.workbook_xlsx("method=topsis", inputs, today=DAY)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Ranking"]
    expected = pipeline.run("method=topsis", inputs).ranking.result
    site = sheet["A2"].value
    assert isinstance(sheet["C2"].value, float)
    assert sheet["C2"].value == pytest.approx(float(expected.at[site, "score"]))
    notes = " ".join(str(c.value) for c in sheet["I"] if c.value)
    assert "app's values for TOPSIS" in notes


def test_safe_text():
    assert workbook.safe_text("+1") == "'+1"
    assert workbook.safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert workbook.safe_text("-2") == "'-2"
    assert workbook.safe_text("Onnaing") == "Onnaing"


def test_cli_writes_the_same_bytes_and_warns(tmp_path, inputs, capsys):
    out = tmp_path / "model.xlsx"
    code = cli.main(["workbook", "--state", "w_logistics=80&bogus=1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0
    assert "warning: Link parameter: Ignored unknown parameter 'bogus'." in err
    assert out.read_bytes() == workbook.workbook_xlsx("w_logistics=80&bogus=1", inputs)


def test_cli_nothing_to_rank_is_one_line(tmp_path, capsys):
    out = tmp_path / "model.xlsx"
    code = cli.main(["workbook", "--state", "min_area_ha=1000000&unknown_area=drop",
                     "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == cli.EXIT_NO_RESULT
    assert "Traceback" not in err
    assert "filtered out" in err
    assert not out.exists()
