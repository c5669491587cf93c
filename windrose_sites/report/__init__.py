"""The board pack's decision memo: content, charts, static map and the PDF.

- :mod:`~windrose_sites.report.content`: what the memo says (sentences and tables);
- :mod:`~windrose_sites.report.charts`: Altair specs shared with the pages, PNG via vl-convert;
- :mod:`~windrose_sites.report.staticmap`: the sites coloured by score, matplotlib, offline;
- :mod:`~windrose_sites.report.memo`: the A4 PDF (:func:`memo_pdf`);
- :mod:`~windrose_sites.report.cli`: ``python -m windrose_sites report``.
"""

from __future__ import annotations

from windrose_sites.report.content import MemoContent, data_version, memo_content
from windrose_sites.report.memo import memo_pdf

__all__ = ["MemoContent", "data_version", "memo_content", "memo_pdf"]
