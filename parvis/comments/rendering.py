"""Comment markdown → safe HTML, done once when a comment is written.

The subset: paragraphs and line breaks, emphasis, strikethrough, links and bare URLs, block quotes,
inline and fenced code, lists. No images, no headings, no raw HTML. markdown-it-py parses in linear time
with a nesting cap; nh3 (Ammonia) then enforces the allow-list, so a parser bug cannot become a script.
Every block carries dir="auto" so each paragraph of mixed Hebrew/Arabic/French text finds its own direction.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {"p", "br", "em", "strong", "s", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_DIRECTIONAL_BLOCKS = ("p", "blockquote", "li", "ul", "ol")
# markdown-it stops parsing (and drops the rest of the text) at this depth of nested quotes, lists or
# emphasis. It bounds the work on hostile input; a comment that reaches it is shown as plain text
# instead, so no word a reader typed is ever lost.
MAX_NESTING = 20
_RULES = ["emphasis", "strikethrough", "link", "autolink", "linkify", "blockquote", "backticks", "fence", "code",
          "list", "newline", "escape", "entity"]  # fmt: skip


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"breaks": True, "linkify": True, "html": False, "maxNesting": MAX_NESTING})
    parser.enable(_RULES)
    return parser


def _deepest(tokens: list[Token]) -> int:
    deepest = 0
    for token in tokens:
        deepest = max(deepest, token.level, _deepest(token.children) if token.children else 0)
    return deepest


def _as_plain_text(markdown: str) -> str:
    paragraphs = [part for part in markdown.split("\n\n") if part.strip()]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)


def render(markdown: str) -> str:
    """Sanitized HTML for a comment's markdown. Never raises on any text."""
    # A lone surrogate cannot be encoded; callers refuse them earlier, this keeps the promise anyway.
    text = markdown.encode("utf-8", "replace").decode("utf-8")
    parser = _parser()
    tokens = parser.parse(text)
    if _deepest(tokens) >= MAX_NESTING - 1:
        raw = _as_plain_text(text)
    else:
        raw = parser.renderer.render(tokens, parser.options, {})
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        url_relative="deny",
        link_rel=LINK_REL,
        set_tag_attribute_values={tag: {"dir": "auto"} for tag in _DIRECTIONAL_BLOCKS},
        strip_comments=True,
    ).strip()
