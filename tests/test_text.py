"""Text stays text: user, file and URL input never reaches a Markdown message unescaped.

Two layers: :func:`windrose_sites.text.md` escapes what it is given (tested on hostile
strings), and a lint over every page's source fails when a message is built from a value that
did not pass through ``md`` (or is not a number formatted with a format spec).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from windrose_sites.text import WORD_JOINER, md

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py")])
UI_DIRS = [ROOT / "windrose_ui"]
#: Streamlit calls whose text argument is rendered as Markdown.
MESSAGE_CALLS = {
    "warning",
    "error",
    "success",
    "info",
    "toast",
    "markdown",
    "caption",
    "write",
    "title",
    "header",
    "subheader",
}
#: Calls whose result is safe inside Markdown: the escaper and integer counts.
SAFE_CALLS = {"md", "len"}


def _is_safe(node: ast.expr) -> bool:
    """Whether an expression is literal text, escaped text or a formatted number."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (str, int, float))
    if isinstance(node, ast.JoinedStr):
        return all(_is_safe(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = node.format_spec
        # a numeric format spec (":.3f", ":,", ":g", ":.1%") turns any value into a number
        if spec is not None and any(
            isinstance(v, ast.Constant) and re.search(r"[dfeg%,]$", str(v.value))
            for v in getattr(spec, "values", [])
        ):
            return True
        return _is_safe(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_safe(node.left) and _is_safe(node.right)
    if isinstance(node, ast.IfExp):
        return _is_safe(node.body) and _is_safe(node.orelse)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in SAFE_CALLS:
            return True
        # "; ".join(md(x) for x in ...) and "...".format(...) of safe parts
        if name == "join" and isinstance(func, ast.Attribute) and _is_safe(func.value):
            arg = node.args[0] if node.args else None
            if isinstance(arg, (ast.GeneratorExp, ast.ListComp)):
                return _is_safe(arg.elt)
            if isinstance(arg, (ast.List, ast.Tuple)):
                return all(_is_safe(e) for e in arg.elts)
        return False
    return False


def _message_funcs(tree: ast.Module) -> set[str]:
    """Local names bound to a message call, e.g. ``show = st.error if bad else st.warning``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            attrs = {a.attr for a in ast.walk(node.value) if isinstance(a, ast.Attribute)}
            if isinstance(target, ast.Name) and attrs & MESSAGE_CALLS:
                names.add(target.id)
    return names


#: A message may be marked as built from trusted or already-escaped text with this comment on
#: its first line, followed by the reason, e.g. ``# md-safe: shipped method notes``.
PRAGMA = "# md-safe:"


def unsafe_messages(source: str) -> list[tuple[int, str]]:
    """(line, code) of every message call whose text is not provably safe."""
    tree = ast.parse(source)
    lines = source.splitlines()
    local = _message_funcs(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            is_message = func.attr in MESSAGE_CALLS
        elif isinstance(func, ast.Name):
            is_message = func.id in local
        elif isinstance(func, ast.IfExp):  # (st.error if bad else st.success)(...)
            is_message = any(
                isinstance(a, ast.Attribute) and a.attr in MESSAGE_CALLS for a in ast.walk(func)
            )
        else:
            is_message = False
        if not is_message:
            continue
        texts = node.args[:1] + [k.value for k in node.keywords if k.arg == "body"]
        if PRAGMA in lines[node.lineno - 1]:
            continue
        if any(not _is_safe(t) for t in texts):
            found.append((node.lineno, ast.get_source_segment(source, node) or ""))
    return found


def _ui_files() -> list[Path]:
    files = list(PAGE_FILES)
    for d in UI_DIRS:
        files += sorted(d.glob("*.py")) if d.exists() else []
    return files


@pytest.mark.parametrize("path", _ui_files(), ids=lambda p: p.name)
def test_every_message_escapes_what_it_echoes(path: Path) -> None:
    bad = unsafe_messages(path.read_text(encoding="utf-8"))
    listing = "\n".join(f"{path.name}:{line}: {code[:120]}" for line, code in bad)
    assert not bad, f"messages built from unescaped text (wrap the value in md()):\n{listing}"


def test_the_lint_catches_unescaped_values_and_accepts_escaped_ones() -> None:
    bad = 'st.warning(f"Ignored {w}")\nst.error(str(exc))\nshow = st.error\nshow(name)\n'
    assert [line for line, _ in unsafe_messages(bad)] == [1, 2, 4]
    good = (
        'st.warning(f"Ignored {md(w)}")\nst.success(f"Score {s:.3f}, {len(x)} sites")\n'
        'st.info("; ".join(md(c) for c in cells))\n(st.error if a else st.success)("done")\n'
    )
    assert unsafe_messages(good) == []


HOSTILE = [
    "[Sign in again](https://ev.il/x)",
    "![x](https://evil.example/pixel.png)",
    "<img src=x onerror=alert(1)>",
    "**bold** _it_ `code` ~~s~~ $x^2$",
    ":red[alarm] :material/warning:",
    "# heading\n- item\n> quote",
    "https://autolink.example",
    "&lt;script&gt;",
    "mail me: a@b.co or www.evil.example",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_leaves_no_markdown_syntax_active(text: str) -> None:
    out = md(text)
    # every special character is escaped, so no link, image, emphasis or HTML can form
    unescaped = re.findall(r"(?<!\\)[\[\]()!<>*_`~$:#&]", out)
    assert unescaped == [], out
    assert "\n" not in out
    assert not re.search(r"(?i)(://|www\\?\.|@[a-z0-9])", out)  # no autolink literal forms


@given(st.text(max_size=300))
def test_md_round_trips_to_the_same_visible_text(text: str) -> None:
    out = md(text, max_chars=1000)
    visible = re.sub(r"\\(.)", r"\1", out).replace(WORD_JOINER, "")
    expected = re.sub(r"[\r\n\t]+", " ", text)
    expected = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", "", expected)
    assert visible == expected.replace(WORD_JOINER, "")


def test_md_cuts_long_text() -> None:
    assert len(md("x" * 500, max_chars=50)) == 50
    assert md("x" * 500, max_chars=50).endswith("…")
