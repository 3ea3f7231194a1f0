"""Markdown outputs as GitHub shows them: rendered with markdown-it-py (CommonMark with
GitHub's pipe tables), names from the user are text, never markup, and `check
--mermaid` is Markdown from top to bottom (its verdicts a table, not a rule and a
paragraph)."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from leaderless.checker.cli import main
from leaderless.checker.gate_report import markdown
from leaderless.checker.render import markdown_code, markdown_fence, markdown_table, markdown_text

GITHUB = MarkdownIt("commonmark").enable(["table", "strikethrough"])
AWKWARD = [
    "<b>bold</b>",
    "a\\|b",
    "x | y",
    "`code`",
    "*star* _under_",
    "# heading",
    "1. first",
    "- item",
    "> quote",
    "&amp;",
    "~~gone~~",
    "[link](x)",
    "back\\",
    "<!-- c -->",
    "===",
    "12) x",
]


def cells(rendered: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", rendered, re.DOTALL)]


@pytest.mark.parametrize("text", AWKWARD)
def test_text_renders_as_itself_in_a_paragraph_and_a_cell(text):
    paragraph = GITHUB.render(markdown_text(text))
    assert paragraph == f"<p>{html.escape(text, quote=False)}</p>\n"
    assert cells(GITHUB.render(markdown_table(["h"], [[text]]))) == [text]


def test_code_and_fences_hold_backticks_verbatim():
    assert GITHUB.render(markdown_code("a`b")) == "<p><code>a`b</code></p>\n"
    inner = "x\n```\ny ````"
    assert GITHUB.render(markdown_fence(inner)) == f"<pre><code>{inner}\n</code></pre>\n"


def _results(names: list[str]) -> dict:
    check = {
        "id": "stale-read",
        "expected": "holds",
        "verdict": "violated",
        "outcome": "fail",
        "length": 2,
        "reason": "r",
        "details": "1. step ```\n<b>not bold</b>",
    }
    return {
        "file": "gate `x`.toml",
        "scenarios": [
            {"name": name, "description": "", "seconds": 0.0, "checks": [dict(check)]}
            for name in names
        ],
    }


def test_gate_summary_shows_scenario_names_as_written():
    rendered = GITHUB.render(markdown(_results(AWKWARD)))
    table = cells(rendered)
    assert table[0::5] == AWKWARD
    summaries = [html.unescape(s) for s in re.findall(r"<summary>(.*?): <code>", rendered)]
    assert summaries == AWKWARD
    assert "<b>" not in rendered.replace("&lt;b&gt;", "")
    assert rendered.count(
        "<pre><code>1. step ```\n&lt;b&gt;not bold&lt;/b&gt;\n</code></pre>"
    ) == len(AWKWARD)
    assert "<code>gate `x`.toml</code>" in rendered


def test_check_mermaid_is_github_markdown(capsys):
    argv = ["check", "--quiet", "--n", "3", "--w", "1", "--r", "1", "--clients", "w,r", "--mermaid"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    tokens = GITHUB.parse(out)
    kinds = [t.type for t in tokens if t.level == 0 and t.nesting >= 0]
    # Three paragraphs of counts, one table, then a title and a diagram per trace.
    assert kinds[:4] == ["paragraph_open"] * 3 + ["table_open"]
    assert "hr" not in kinds and "heading_open" not in kinds
    fences = [t for t in tokens if t.type == "fence"]
    assert [f.info for f in fences] == ["mermaid", "mermaid"]
    assert all(f.content.startswith("sequenceDiagram\n") for f in fences)
    rows = cells(GITHUB.render(out))
    assert rows[:4] == ["stale-read", "VIOLATED", "6", rows[3]] and rows[3].startswith("no ok")
