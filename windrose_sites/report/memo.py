"""The decision memo as a PDF (A4): the question, the map, the ranking, money, robustness,
data health and sources, with the state's query, data version and date in every footer.

Laid out with fpdf2: pure Python, it embeds (and subsets) a TrueType font, so every character
of a site name prints (DejaVu Sans, shipped in matplotlib's ``mpl-data``: full Latin, Greek,
Cyrillic, Hebrew and Arabic, "→" and "–"), and it never interprets text as markup (no
Markdown, no HTML), so a hostile site name is printed as the characters it is.

>>> from windrose_sites.report import memo_pdf
>>> pdf = memo_pdf("w_logistics=80&method=topsis")   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from windrose_sites import pipeline
from windrose_sites.report.content import MemoContent, memo_content

__all__ = ["FOOTER_QUERY_CHARS", "font_path", "memo_pdf", "render"]

#: Longest query printed in a footer; the whole query is on page 1.
FOOTER_QUERY_CHARS = 110
_FONT = "DejaVu"
_BODY, _SMALL, _TINY = 9.5, 7.5, 6.5
_INK, _MUTED, _ACCENT = (20, 20, 20), (90, 90, 90), (26, 82, 118)
_CONTROL = dict.fromkeys(list(range(9)) + list(range(11, 32)) + [127], None)


def font_path(bold: bool = False) -> Path:
    """DejaVu Sans from matplotlib's bundled data (offline, full Unicode coverage)."""
    import matplotlib as mpl

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(mpl.get_data_path()) / "fonts" / "ttf" / name


def _clean(text: object) -> str:
    """Text as printable characters: control characters dropped, nothing interpreted."""
    return str(text).translate(_CONTROL)


def _pdf_class():
    from fpdf import FPDF

    class _Memo(FPDF):
        footer_text = ""

        def footer(self) -> None:
            self.set_y(-13)
            self.set_font(_FONT, size=_TINY)
            self.set_text_color(*_MUTED)
            self.multi_cell(0, 3, f"{self.footer_text} · page {self.page_no()}/{{nb}}", align="L")

    return _Memo


def _new_pdf(c: MemoContent):
    pdf = _pdf_class()(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(_FONT, "", str(font_path()))
    pdf.add_font(_FONT, "B", str(font_path(bold=True)))
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_creation_date(dt.datetime.fromisoformat(c.date).replace(tzinfo=dt.UTC))
    pdf.set_title("Windrose site selection: decision memo")
    pdf.set_author("windrose_sites")
    query = c.query or "(default state)"
    if len(query) > FOOTER_QUERY_CHARS:
        query = query[: FOOTER_QUERY_CHARS - 1] + "… (full query on page 1)"
    pdf.footer_text = _clean(f"State: ?{query} · {c.data_version} · {c.date}")
    pdf.alias_nb_pages()
    return pdf


def _heading(pdf, text: str) -> None:
    if pdf.get_y() > pdf.h - 45:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(_FONT, "B", 12)
    pdf.set_text_color(*_ACCENT)
    pdf.cell(0, 7, _clean(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*_INK)


def _para(pdf, text: str, size: float = _BODY, bold: bool = False) -> None:
    pdf.set_font(_FONT, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.48, _clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _bullets(pdf, items: Sequence[str], size: float = _BODY) -> None:
    pdf.set_font(_FONT, "", size)
    for item in items:
        pdf.multi_cell(0, size * 0.48, "• " + _clean(item), align="L",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(1)


def _table(pdf, rows: Sequence[Sequence[str]], widths: Sequence[float], size=_SMALL) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font(_FONT, "", size)
    with pdf.table(
        col_widths=tuple(widths),
        text_align="LEFT",
        line_height=size * 0.45,
        padding=0.8,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 242)),
        borders_layout="HORIZONTAL_LINES",
        width=pdf.epw,
    ) as table:
        for row in rows:
            line = table.row()
            for cell in row:
                line.cell(_clean(cell))
    pdf.ln(2)


def _image(pdf, png: bytes | None, width: float) -> None:
    if png is None:
        return
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        height = width * im.height / im.width
    if pdf.get_y() + height > pdf.h - 20:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=(pdf.w - width) / 2, w=width)
    pdf.ln(2)


def render(c: MemoContent) -> bytes:
    """Lay out :class:`MemoContent` as PDF bytes (A4 portrait)."""
    pdf = _new_pdf(c)
    pdf.add_page()
    pdf.set_font(_FONT, "B", 16)
    pdf.cell(0, 9, "Windrose site selection: decision memo", new_x="LMARGIN", new_y="NEXT")
    _para(pdf, f"{c.date} · method: {c.method} · {c.data_version}", _SMALL)
    _heading(pdf, "1. The question and the answer")
    _para(pdf, c.answer)
    _para(pdf, "Group weights: " + "; ".join(f"{g} {w}" for g, w in c.group_weights), _SMALL)
    _para(pdf, "Reproduce: python -m windrose_sites report --state " + repr(c.query), _SMALL)
    if c.warnings:
        _bullets(pdf, [f"Link parameter: {w}" for w in c.warnings], _SMALL)
    _heading(pdf, "2. Map: the candidates coloured by score")
    _image(pdf, c.map_png, 180)
    _para(pdf, "Labels: rank and place name (see the table). One colour scale, the ranking's, "
          "on both panels. Outlines: Natural Earth (shipped).", _SMALL)  # fmt: skip
    _heading(pdf, "3. The ranking and the weights")
    _table(pdf, [["Rank", "Site", "Country", "Score"], *c.ranking_rows], (8, 60, 12, 12))
    _table(
        pdf,
        [["Criterion", "Group", "Unit", "Direction", "Weight"], *c.weight_rows],
        (50, 22, 18, 22, 12),
    )
    _bullets(pdf, c.weight_notes, _SMALL)
    if c.contribution_png is not None:
        _para(pdf, "Contribution of each criterion to the score (as on the Compare page):",
              _SMALL)  # fmt: skip
        _image(pdf, c.contribution_png, 170)
    _money(pdf, c)
    _heading(pdf, "5. Robustness")
    _bullets(pdf, c.robustness)
    _para(pdf, "Stability interval of each group weight (the others keep their proportions):",
          _SMALL, bold=True)  # fmt: skip
    _bullets(pdf, c.stability, _SMALL)
    _para(pdf, "Break-even weights (where the leader changes):", _SMALL, bold=True)
    _bullets(pdf, c.crossings, _SMALL)
    if c.method_rows:
        _table(pdf, [["Site", "WSM", "WPM", "TOPSIS", "PROMETHEE II"], *c.method_rows],
               (60, 12, 12, 12, 16))  # fmt: skip
    _heading(pdf, "6. What rests on estimates")
    _bullets(pdf, c.health_sentences)
    if len(c.health_rows) > 1:
        _table(pdf, c.health_rows, (52, *[13] * (len(c.health_rows[0]) - 1)), _TINY)
    _sources(pdf, c)
    return bytes(pdf.output())


def _money(pdf, c: MemoContent) -> None:
    _heading(pdf, "4. The money")
    _para(pdf, f"Tariff scenario in force: {c.tariff}.", _SMALL, bold=True)
    _bullets(pdf, c.money_sentences)
    if c.component_rows:
        _table(pdf, [c.component_header, *c.component_rows],
               (34, *[20] * (len(c.component_header) - 1)))  # fmt: skip
    _image(pdf, c.cost_png, 170)
    if c.money_rows:
        header = ["Site", "Landed cost per truck", "P10 – P90", "10-year cost (PV)",
                  "P(cheapest)"]  # fmt: skip
        _table(pdf, [header, *c.money_rows], (46, 18, 30, 18, 16))
    if c.break_even:
        _para(pdf, "Break-even values of single cost parameters:", _SMALL, bold=True)
        _bullets(pdf, c.break_even, _SMALL)


def _sources(pdf, c: MemoContent) -> None:
    _heading(pdf, "7. Sources: every value shown, with its source, year and kind")
    _para(pdf, "Numbers in brackets refer to the addresses listed after the table. The cost "
          "parameters are those the cost model reads for the sites shown.", _SMALL)  # fmt: skip
    _table(pdf, [["Site / row", "Criterion / parameter", "Value", "Year", "Kind", "Source"],
                 *c.value_rows], (42, 44, 18, 9, 14, 22), _TINY)  # fmt: skip
    _para(pdf, "Addresses", _SMALL, bold=True)
    _bullets(pdf, c.addresses, _TINY)
    if len(c.query) > FOOTER_QUERY_CHARS or c.given_query.strip() != c.query:
        _para(pdf, "The state's full query: ?" + (c.query or "(default state)"), _TINY)


def memo_pdf(
    query: str,
    inputs: pipeline.Inputs | None = None,
    *,
    work: pipeline.WorkingSet | None = None,
    edits: Mapping[str, Mapping[str, float | None]] | None = None,
    tariff: str = "today",
    today: dt.date | None = None,
) -> bytes:
    """The decision memo of a shared link's state, as PDF bytes.

    Parameters
    ----------
    query : str
        The link's query string (or the whole link), as ``python -m windrose_sites rank``.
    inputs : Inputs, optional
        The loaded catalog (:func:`windrose_sites.pipeline.load_inputs`; the app's cached one).
    work : WorkingSet, optional
        The session's working set (the user's sites and edits); default the shipped sites.
    edits : mapping, optional
        The session's edited values, for the cost model.
    tariff : str
        A tariff scenario of :data:`windrose_sites.cost.TARIFF_SCENARIOS` (default ``today``).
    today : datetime.date, optional
        The date printed (default today).

    Raises
    ------
    NoRankingError
        When the state leaves nothing to rank.
    """
    return render(memo_content(query, inputs, work=work, edits=edits, tariff=tariff, today=today))
