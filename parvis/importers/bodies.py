"""Imported bodies become Parvis markdown and its rendered HTML, exactly as if a reader had typed them.

WordPress and Disqus store HTML (WordPress adds paragraphs at display time from blank lines, which is also
what Parvis's markdown does with them). ``html_to_markdown`` keeps what the markdown subset can say — paragraphs
and line breaks, emphasis, strong, strike-through, links, quotes, code, lists — and keeps the text of the rest
(headings, tables, images become their alt text); markdown characters in the text are escaped so they stay text.

``render`` gives what ``parvis.comments.rendering.render`` gives (the sanitizer always runs), but skips the
markdown parser for plain text — most comments — which is what makes an import of hundreds of thousands of
comments take seconds instead of minutes. A property test checks both agree.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser

import nh3

from parvis.comments import rendering
from parvis.core.text import clean_body

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Plain text the parser would leave as it is: no markdown punctuation, no entity, no link the linkifier finds
# (a scheme, "//", an @ of an address, a dot inside a word as in example.com).
_NOT_PLAIN = re.compile(r"[\\`*_~\[\]<>&#@]|//|mailto:|\.\w|^[ \t]|[ \t]$|^[-+=\d]", re.MULTILINE)
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_~\[\]<>&#]|^[ \t]*[-+=\d]", re.MULTILINE)
# What clean_body removes from bodies: bidi embeddings and overrides, invisible characters.
_SPOOFING = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060-\u2064\ufeff\u180e]")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_ESCAPE = re.compile(r"([\\`*_~\[\]<>&#])")
_AROUND_NEWLINE = re.compile(r"[ \t]*\n[ \t]*")
_BREAK_TAGS = re.compile(r"<(?:p|br|div|li)\b", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]+")
_LINE_START = re.compile(r"^([-+=]|\d{1,9}(?=[.)]))", re.MULTILINE)


def clean(text: str) -> str:
    """A body as the comment actions store it; characters the posting API refuses are dropped, not refused."""
    text = _FORBIDDEN.sub("", text)
    if not text.isascii() and (not unicodedata.is_normalized("NFC", text) or _SPOOFING.search(text)):
        return clean_body(text)
    # The same as clean_body for text with nothing to normalise or neutralise, without its Unicode machinery.
    text = _TRAILING_SPACE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def render(markdown: str) -> str:
    """Sanitized HTML of ``markdown`` (already cleaned), the same as the comment actions produce."""
    if _NOT_PLAIN.search(markdown):
        return rendering.render(markdown)
    paragraphs = [part for part in _PARAGRAPH_BREAK.split(markdown) if part.strip()]
    if "\xa0" not in markdown:
        # Plain text has no <, > or & (_NOT_PLAIN): the sanitizer would only add dir="auto" (it writes a no-break
        # space as &nbsp;, hence that case goes through it). The tests compare both ways on the sample exports.
        return "\n".join('<p dir="auto">' + "<br>\n".join(part.split("\n")) + "</p>" for part in paragraphs)
    raw = "\n".join("<p>" + "<br>\n".join(part.split("\n")) + "</p>" for part in paragraphs)
    return _cleaner().clean(raw).strip()


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    """The comment renderer's sanitizer settings, compiled once (nh3.clean builds them again on every call)."""
    return nh3.Cleaner(
        tags=rendering.ALLOWED_TAGS,
        attributes=rendering.ALLOWED_ATTRIBUTES,
        url_schemes=rendering.ALLOWED_SCHEMES,
        url_relative="deny",
        link_rel=rendering.LINK_REL,
        set_tag_attribute_values={tag: {"dir": "auto"} for tag in ("p", "blockquote", "li", "ul", "ol")},
        strip_comments=True,
    )


def escape_text(text: str) -> str:
    """Text that markdown shows as it is."""
    text = _ESCAPE.sub(r"\\\1", text)
    return _LINE_START.sub(r"\\\1", text)


_INLINE = {"strong": "**", "b": "**", "em": "*", "i": "*", "del": "~~", "s": "~~", "strike": "~~"}
_BLOCKS = {"p", "div", "blockquote", "ul", "ol", "li", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr",
           "hr", "figure", "section", "article"}  # fmt: skip
_DROP = {"script", "style", "head", "title", "iframe", "object", "noscript", "template", "svg", "math"}


class _Converter(HTMLParser):
    """A small HTML → markdown writer: a stack of open block prefixes (quotes, list items) and inline marks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.quote = 0
        self.lists: list[list[int]] = []  # per open list: [next number] or [] for a bullet list
        self.dropping = 0
        self.link: str | None = None
        self.link_text: list[str] = []
        self.pre = 0
        self.code = 0
        self.newlines_matter = True

    def _prefix(self) -> str:
        return "> " * self.quote + "   " * max(len(self.lists) - 1, 0)

    def _block_break(self) -> None:
        self.out.append("\n\n" + self._prefix())

    def _emit(self, text: str) -> None:
        if self.link is not None:
            self.link_text.append(text)
        else:
            self.out.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self.dropping += 1
            return
        if self.dropping:
            return
        if tag in _INLINE and not self.pre:
            self._emit(_INLINE[tag])
        elif tag == "br":
            self._emit("\n" + self._prefix())
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.lower().startswith(("http://", "https://", "mailto:")) and self.link is None and not self.pre:
                self.link, self.link_text = href, []
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt:
                self._emit(escape_text(alt))
        elif tag == "code" and not self.pre:
            self.code += 1
            self._emit("`")
        elif tag == "pre":
            self.pre += 1
            self._block_break()
            self.out.append("```\n" + self._prefix())
        elif tag == "blockquote":
            self.quote += 1
            self._block_break()
        elif tag in ("ul", "ol"):
            self.lists.append([1] if tag == "ol" else [])
            self._block_break()
        elif tag == "li":
            self.out.append("\n" + self._prefix())
            if self.lists and self.lists[-1]:
                self.out.append(f"{self.lists[-1][0]}. ")
                self.lists[-1][0] += 1
            else:
                self.out.append("- ")
        elif tag in _BLOCKS:
            self._block_break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.dropping = max(self.dropping - 1, 0)
            return
        if self.dropping:
            return
        if tag in _INLINE and not self.pre:
            self._emit(_INLINE[tag])
        elif tag == "a" and self.link is not None:
            text = "".join(self.link_text).strip() or escape_text(self.link)
            href = self.link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
            self.link = None
            self.out.append(f"[{text}]({href})")
        elif tag == "code" and self.code and not self.pre:
            self.code -= 1
            self._emit("`")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.out.append("\n" + self._prefix() + "```")
            self._block_break()
        elif tag == "blockquote" and self.quote:
            self.quote -= 1
            self._block_break()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._block_break()
        elif tag in _BLOCKS and tag != "li":
            self._block_break()

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.pre or self.code:
            self._emit(data.replace("`", "'"))
            return
        # WordPress keeps the writer's line breaks in the HTML: they are the paragraphs and breaks readers saw.
        # In HTML that marks its paragraphs and breaks with tags (Disqus, an export), a newline is only a space.
        data = _AROUND_NEWLINE.sub("\n" if self.newlines_matter else " ", data)
        if not self.out or self.out[-1].endswith(("\n", " ")):
            data = data.lstrip(" ")
        text = escape_text(_SPACES.sub(" ", data))
        self._emit(text.replace("\n", "\n" + self._prefix()) if self.quote or self.lists else text)


def html_to_markdown(text: str) -> str:
    """The markdown subset for a comment stored as HTML; plain text passes through with its line breaks."""
    if "<" not in text and "&" not in text:
        text = _AROUND_NEWLINE.sub("\n", text)
        return escape_text(text) if _MARKDOWN_SPECIAL.search(text) else text
    converter = _Converter()
    converter.newlines_matter = _BREAK_TAGS.search(text) is None
    try:
        converter.feed(text)
        converter.close()
    except AssertionError:  # html.parser gives up on some malformed declarations ("<![ ..."): keep the text
        return escape_text(html.unescape(nh3.clean(text, tags=set())))
    markdown = "".join(converter.out)
    # Empty quote/list prefixes left on blank lines, and runs of blank lines, are noise.
    markdown = re.sub(r"^(?:> ?)+$", "", markdown, flags=re.MULTILINE)
    return markdown


def prepare(body: str, body_format: str) -> tuple[str, str]:
    """(markdown, html) for an imported body."""
    markdown = clean(html_to_markdown(body) if body_format == "html" else body)
    return markdown, render(markdown)
