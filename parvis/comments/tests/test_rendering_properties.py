"""Whatever a reader types, the HTML Parvis stores and shows for it is inert, well formed and labelled.

Property tests feed `render` text built from markdown syntax, raw HTML, script-bearing links in every form
markdown knows, character references and right-to-left text with bidi controls, and check the output as a
browser would read it. Hypothesis runs derandomized (the same examples on every run) with no example
database, so a failure always reproduces.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parvis.comments import rendering
from parvis.comments.rendering import render

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None)

LINK_REL = "nofollow ugc noopener"
SAFE_SCHEMES = {"http", "https", "mailto"}
ACTIVE_ELEMENTS = {"script", "style", "iframe", "img", "svg", "math", "object", "embed", "form", "input", "link"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# What the WHATWG URL parser makes of an href: tabs and line ends removed anywhere, C0 controls and spaces
# trimmed at both ends, then an optional `scheme:`.
_URL_NOISE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_RAW_ACTIVE_TAG = re.compile(r"<\s*/?\s*(script|style|iframe|img)\b", re.IGNORECASE)
_RAW_TAG = re.compile(r"<[^>]*>")
# nh3 double-quotes every attribute value (and escapes quotes inside), so outside "..." only names remain.
_QUOTED_VALUE = re.compile(r'"[^"]*"')
_RAW_EVENT_HANDLER = re.compile(r"[\s/]on[a-z]+\s*=", re.IGNORECASE)


class _Inspector(HTMLParser):
    """Collects the elements of a fragment and every way it is not balanced, as a browser tokenizer sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))
        if tag not in VOID_ELEMENTS:
            self.problems.append(f"<{tag}/> is not a void element")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            self.problems.append(f"</{tag}> closes a void element")
        elif not self.open:
            self.problems.append(f"</{tag}> closes nothing")
        elif self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1]}>")
        else:
            self.open.pop()

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration <!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration <![{data}]>")


def inspect(html: str) -> _Inspector:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    if inspector.open:
        inspector.problems.append(f"never closed: {inspector.open}")
    return inspector


def href_scheme(href: str) -> str | None:
    """The scheme a browser would follow `href` with, or None for a relative reference."""
    match = _SCHEME.match(_URL_NOISE.sub("", href).strip(_C0_AND_SPACE))
    return match.group(1).lower() if match else None


def assert_inert(html: str) -> None:
    """No element or attribute that runs code or loads anything, only http/https/mailto links, balanced."""
    assert isinstance(html, str)
    assert not _RAW_ACTIVE_TAG.search(html), html
    for tag in _RAW_TAG.findall(html):
        assert not _RAW_EVENT_HANDLER.search(_QUOTED_VALUE.sub('""', tag)), tag
    inspector = inspect(html)
    assert inspector.problems == [], (inspector.problems, html)
    for tag, attrs in inspector.elements:
        assert tag not in ACTIVE_ELEMENTS, html
        names = [name for name, _ in attrs]
        assert not [name for name in names if name.startswith("on")], (tag, attrs)
        assert len(names) == len(set(names)), (tag, attrs)
        values = dict(attrs)
        if "href" in values:
            scheme = href_scheme(values["href"] or "")
            assert scheme is None or scheme in SAFE_SCHEMES, (tag, attrs)
        if tag == "a":
            assert values.get("rel") == LINK_REL, (tag, attrs)


# --- What readers could type -------------------------------------------------------------------------------

MARKDOWN_SYNTAX = st.sampled_from(
    [
        "*", "**", "_", "__", "~~", "`", "``", "```", "~~~", "[", "]", "(", ")", "![", "]: ", "<", ">", "> ",
        "- ", "+ ", "* ", "1. ", "2) ", "    ", "\t", "\n", "\n\n", "  \n", "\\", "\\\n", "#", "## ", "---",
        "***", "|", "\"", "'", "=", "&", ";", "!", " ", "x", "mot", "\u00a0",
    ]
)  # fmt: skip
RAW_HTML = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<img src="x" onerror="alert(1)"/>',
        "<iframe src=javascript:alert(1)></iframe>",
        "<style>body{display:none}</style>",
        "<svg onload=alert(1)>",
        "<math><mtext><script>alert(1)</script></mtext></math>",
        '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
        "<p onmouseover=alert(1)>survol</p>",
        "<div style=\"background:url(javascript:alert(1))\">",
        "<body onload=alert(1)>",
        "<object data=evil.swf>",
        "<embed src=evil.swf>",
        "<form action=//evil.example><input name=q></form>",
        "<!-- <script>alert(1)</script> -->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<!DOCTYPE html>",
        "<?xml version='1.0'?>",
        "</p>", "</li></ol>", "<p>", "<ul><li>", "</blockquote>", "<br/>", "<a>", "</a>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<<script>>", "< script>", "<script/xss src=x>",
    ]
)  # fmt: skip
DANGEROUS_SCHEMES = st.sampled_from(
    [
        "javascript", "JavaScript", "JAVASCRIPT", "vbscript", "VBScript", "data", "DATA", "file", "livescript",
        "java\tscript", "java\nscript", "java\x00script", "\x01javascript", " javascript", "&#106;avascript",
        "&#x6A;avascript", "&#0000106;avascript", "javascript&#58;", "java%09script", "jav&#x09;ascript",
        "\\javascript", "javas\u200bcript",
    ]
)  # fmt: skip
PAYLOADS = st.sampled_from(
    ["alert(1)", "alert(document.cookie)", "//%0aalert(1)", "text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
     "text/html,<script>alert(1)</script>", "msgbox(1)", "void(0)", "", "/etc/passwd"]
)  # fmt: skip
SAFE_DESTINATIONS = st.sampled_from(
    ["https://news.example/article", "http://example.com/a?b=c&d=e", "mailto:redaction@news.example",
     "www.example.org", "//cdn.example/x", "/relative/path", "#fragment", "https://ex.example/(paren)"]
)  # fmt: skip
LINK_TEXT = st.sampled_from(["clic", "", "x", "*gras*", "`code`", "<script>", "[imbriqué](https://a.example)", "עברית"])


@st.composite
def links(draw: st.DrawFn) -> str:
    """A link in every form markdown has: inline, angle-bracketed, titled, reference, autolink, image, bare."""
    scheme = draw(DANGEROUS_SCHEMES)
    destination = draw(st.one_of(st.builds(lambda s, p: f"{s}:{p}", st.just(scheme), PAYLOADS), SAFE_DESTINATIONS))
    text = draw(LINK_TEXT)
    form = draw(
        st.sampled_from(
            [
                "[{text}]({url})",
                "[{text}](<{url}>)",
                '[{text}]({url} "titre")',
                "[{text}][ref]\n\n[ref]: {url}",
                "[ref]\n\n[ref]: <{url}>",
                "<{url}>",
                "![{text}]({url})",
                "{url}",
                "[{text}](  {url}  )",
                "[{text}]({url})[{text}]({url})",
            ]
        )
    )
    return form.format(text=text, url=destination)


ENTITIES = st.sampled_from(
    ["&lt;", "&gt;", "&amp;", "&quot;", "&#39;", "&#60;script&#62;", "&#x3C;img src=x onerror=alert(1)&#x3E;",
     "&nbsp;", "&#0;", "&#xD800;", "&#1114112;", "&#9999999999;", "&NotAnEntity;", "&amp;lt;", "&colon;", "&#x",
     "&lt;script&gt;alert(1)&lt;/script&gt;"]
)  # fmt: skip
WORLD_TEXT = st.sampled_from(
    ["שלום עולם", "مرحبا بالعالم", "سلام دنیا", "Ελληνικά", "日本語のテキスト", "👩\u200d👩\u200d👧", "e\u0301",
     "\u202eevil.exe\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c",
     "\u200b", "\u200c", "\u200d", "\ufeff", "\u2028", "\u2029", "\x85", "\U0001d54f", "\uffff", "\x00"]
)  # fmt: skip
FRAGMENT = st.one_of(
    MARKDOWN_SYNTAX,
    RAW_HTML,
    links(),
    ENTITIES,
    WORLD_TEXT,
    st.text(max_size=12),
    st.text("[]()<>*_`!:\n ", max_size=12),
)
COMMENT_TEXT = st.lists(FRAGMENT, max_size=40).map("".join)
LINK_HEAVY_TEXT = st.lists(st.one_of(links(), MARKDOWN_SYNTAX, ENTITIES), min_size=1, max_size=20).map("".join)


# --- Properties ---------------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(COMMENT_TEXT)
@example("<script>alert(1)</script>")
@example("<img src=x onerror=alert(1)>")
@example("[clic](javascript:alert(1))")
@example("<javascript:alert(1)>")
@example("[clic](&#106;avascript:alert(1))")
@example("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)")
@example("[a](vbscript:msgbox(1)) <vbscript:msgbox(1)>")
@example("> <iframe src=//evil.example>\n- <style>*{}</style>")
@example("\u202eevil.exe\u202c [שלום](https://news.example/\u202e)")
def test_no_comment_can_put_a_script_an_event_handler_or_a_foreign_link_on_the_page(text: str) -> None:
    assert_inert(render(text))


@PROPERTY_SETTINGS
@given(LINK_HEAVY_TEXT)
@example("[site](https://news.example/a) <https://news.example/b> www.example.org mailto:x@news.example")
def test_every_link_in_a_comment_is_web_or_mail_and_tells_search_engines_not_to_follow_it(text: str) -> None:
    # assert_inert checks each href's scheme and each <a>'s rel; this input is mostly links.
    assert_inert(render(text))


@PROPERTY_SETTINGS
@given(st.text(max_size=400))
def test_any_text_at_all_renders_to_balanced_inert_html(text: str) -> None:
    assert_inert(render(text))


def test_html_a_reader_types_is_shown_as_text() -> None:
    assert render("<script>alert(1)</script>") == '<p dir="auto">&lt;script&gt;alert(1)&lt;/script&gt;</p>'


def test_safe_links_stay_clickable_with_the_nofollow_rel() -> None:
    html = render("[site](https://news.example/a) et <mailto:redaction@news.example>")
    anchors = [dict(attrs) for tag, attrs in inspect(html).elements if tag == "a"]
    assert [anchor["href"] for anchor in anchors] == ["https://news.example/a", "mailto:redaction@news.example"]
    assert {anchor["rel"] for anchor in anchors} == {LINK_REL}


# --- Pathological input: it renders (nothing raises); no timing is asserted ------------------------------------

PATHOLOGICAL = {
    "unclosed brackets": "[" * 32_000,
    "emphasis bomb": "*a **" * 6_000,
    "quote markers": ">" * 32_000,
    "unclosed links": "[a](" * 10_000,
    "nested lists": "- " * 10_000 + "fond",
    "backticks": "`" * 32_000,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_still_renders_to_balanced_inert_html(text: str) -> None:
    html = render(text)
    assert isinstance(html, str)
    assert_inert(html)


def test_32000_unclosed_brackets_are_kept_as_text() -> None:
    assert render("[" * 32_000).count("[") == 32_000


def test_quotes_nested_past_the_limit_are_shown_as_text_without_losing_a_word() -> None:
    html = render(">" * 32_000 + " bonjour")
    assert "<blockquote" not in html
    assert html.endswith("&gt; bonjour</p>")


def test_quotes_and_lists_within_the_limit_keep_their_structure() -> None:
    html = render("> > > cité\n\n- a\n  - b")
    assert html.count("<blockquote") == 3 and html.count("<ul") == 2
    assert "cité" in html


@pytest.mark.parametrize(
    "text",
    [
        ">" * 14 + " mot",
        "> " * 30 + "mot",
        "".join("  " * i + "- a\n" for i in range(40)) + "mot",
        "*a **" * 400 + "mot",
    ],
)
def test_deep_nesting_never_drops_text(text: str) -> None:
    assert "mot" in render(text)


def test_relative_links_lose_their_target() -> None:
    html = render("[admin](/admin/) [autre](//evil.example/x)")
    assert "href" not in html and "admin" in html


def test_a_lone_surrogate_does_not_make_rendering_fail() -> None:
    assert render("a\ud800b") == '<p dir="auto">a?b</p>'


# --- Reading never renders: the HTML is made once, when the comment is written ---------------------------------


class RenderedOnRead(AssertionError):
    pass


@pytest.mark.django_db
def test_reading_a_thread_serves_the_stored_html_without_rendering_markdown_again(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    comment = api.post_comment("Voir **ceci** : https://news.example/a")
    assert comment.status_code == 201
    comment_id = comment.json()["comment"]["id"]
    reply = api.post_comment("> cité\n\nD'accord, *vraiment*.", name="Bob", parent=comment_id)
    assert reply.status_code == 201
    stored = {item.json()["comment"]["id"]: item.json()["comment"]["html"] for item in (comment, reply)}

    def refuse(markdown: str) -> str:
        raise RenderedOnRead(markdown)

    # The actions call `rendering.render` through the module, so this reaches every place that renders.
    monkeypatch.setattr(rendering, "render", refuse)
    assert api.post_comment("Encore un.", name="Carol").status_code == 500

    for sort in ("oldest", "newest", "best"):
        page = api.thread(sort=sort)
        assert page.status_code == 200
        [top] = page.json()["comments"]
        assert {top["id"]: top["html"], **{r["id"]: r["html"] for r in top["replies"]}} == stored
