"""Text that came from a user, a file or a URL, made safe to put into a Markdown message.

Streamlit renders the body of ``st.warning``, ``st.error``, ``st.success``, ``st.info``,
``st.markdown`` and friends as Markdown: a site named ``[Sign in](https://ev.il)`` would show
a live link, and ``![x](https://ev.il/p.png)`` would make the browser fetch an outside image.
Every message that echoes such text passes it through :func:`md` first; a lint-style test
(``tests/test_text.py``) fails when a page builds a message from unescaped input.
"""

from __future__ import annotations

import re

__all__ = ["MARKDOWN_SPECIALS", "WORD_JOINER", "md"]

#: Characters with a meaning in CommonMark / GitHub-flavoured Markdown (and ``$`` for the math
#: that Streamlit's Markdown renders, ``~`` for strikethrough, ``<``/``>`` for raw HTML and
#: autolinks, ``:`` for Streamlit's ``:material/…:`` icons and ``:red[…]`` colours).
MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$:&=\"'"
_SPECIAL = re.compile("([" + re.escape(MARKDOWN_SPECIALS) + "])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_BREAK = re.compile(r"[\r\n\t]+")
#: Where GitHub-flavoured Markdown turns plain text into a link even when every special
#: character is escaped (its "autolink literals": ``https://…``, ``www.…``, ``a@b.co``). An
#: invisible word joiner (U+2060) breaks the pattern and leaves the visible text unchanged.
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")
WORD_JOINER = "\u2060"


def md(value: object, *, max_chars: int = 200) -> str:
    r"""``value`` as literal text inside Markdown: every special character backslash-escaped.

    Text that GitHub-flavoured Markdown would turn into a link by itself (``https://``,
    ``www.``, an e-mail address) gets an invisible word joiner (U+2060) that stops it. Line
    breaks and tabs become one space (a message stays one paragraph, so no heading, list
    or block quote can start), control characters are dropped, and the text is cut to
    ``max_chars`` characters with an ellipsis.

    Parameters
    ----------
    value
        Anything; it is converted with ``str``.
    max_chars
        Longest text kept, before escaping.

    Returns
    -------
    str
        Markdown that renders as exactly the (shortened) text.

    Examples
    --------
    >>> md("[Sign in](https://ev.il/x)").replace(WORD_JOINER, "")
    '\\[Sign in\\]\\(https\\://ev\\.il/x\\)'
    >>> md("line one\n# heading")
    'line one \\# heading'
    """
    text = _CONTROL.sub("", _BREAK.sub(" ", str(value)))
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    text = _AUTOLINK.sub(lambda m: m.group(0)[0] + WORD_JOINER + m.group(0)[1:], text)
    return _SPECIAL.sub(r"\\\1", text)
