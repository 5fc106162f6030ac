"""Imported bodies: the importer's quick path gives exactly what the comment renderer gives, and HTML from
WordPress or Disqus becomes the markdown subset without letting anything active through."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parvis.comments import rendering
from parvis.importers import bodies

PROPERTY_SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None)
# Plain words and everything that could make the quick path wrong: markdown punctuation, list and quote starts,
# indentation, blank lines, URLs the linkifier finds, right-to-left text, no-break spaces, CR line ends.
PIECES = st.sampled_from(
    ["mot", "word", "שלום", "مرحبا", " ", "  ", "\t", "\n", "\n\n", "\r\n", ".", ",", "!", "?", ":", "-", "+", "=",
     "1.", "2)", ">", "*", "_", "~", "`", "#", "[", "]", "(", ")", "&", "<", "@", "//", "http://x.org", "example.com",
     "www.a.fr", "\u00a0", "\u200d", "3.5", "\\", "\"", "'", "😀"]
)  # fmt: skip
TEXTS = st.lists(PIECES, max_size=30).map("".join)


@PROPERTY_SETTINGS
@given(TEXTS)
@example("Un avis.\n\nDeux lignes\net une autre.")
@example("    indented code")
@example("1. a list")
def test_the_quick_path_renders_exactly_as_the_comment_renderer(text):
    markdown = bodies.clean(text)
    assert bodies.render(markdown) == rendering.render(markdown)


HTML_PIECES = st.sampled_from(
    ["<p>", "</p>", "<br>", "<b>", "</b>", "<a href='javascript:alert(1)'>", "</a>", "<script>alert(1)</script>",
     "<img src=x onerror=alert(1)>", "<blockquote>", "<li>", "</blockquote>", "<ul>", "</ul>", "text", "*", "&amp;",
     "&lt;script&gt;", "\n", "<![CDATA[", "<!--", "-->", "<pre>", "</pre>", "`"]
)  # fmt: skip


@PROPERTY_SETTINGS
@given(st.lists(HTML_PIECES, max_size=25).map("".join))
def test_any_imported_html_becomes_inert_markdown(text):
    markdown, html = bodies.prepare(text, "html")
    assert html == rendering.render(markdown)
    # Tags and attributes, not text: "&lt;script&gt;" shown as text is what the reader wrote.
    assert not re.search(r"<(script|img|iframe)|href=\"javascript|<[^>]*\son[a-z]+=", html)


@pytest.mark.parametrize(
    ("source", "markdown"),
    [
        ("<p>Hello <strong>World</strong> &amp; you</p>", "Hello **World** \\& you"),
        ('<a href="https://x.org/a">link</a> and <img src="x" alt="a picture">', "[link](https://x.org/a) and a picture"),  # noqa: E501
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("<blockquote>quoted\nline</blockquote>after", "> quoted\n> line\n\nafter"),
        ("<p>one\nline</p><blockquote><p>quoted</p></blockquote>", "one line\n\n> quoted"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("5 * 3 = 15\n- not a list\n\n\tindented", "5 \\* 3 = 15\n\\- not a list\n\nindented"),
        ("<h1>Title</h1><script>alert(1)</script>text", "Title\n\ntext"),
    ],
)  # fmt: skip
def test_wordpress_and_disqus_html_becomes_the_markdown_subset(source, markdown):
    assert bodies.prepare(source, "html")[0] == markdown
