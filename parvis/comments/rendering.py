"""Comment markdown → safe HTML, done once when a comment is written.

The subset: paragraphs and line breaks, emphasis, strikethrough, links and bare URLs, block quotes,
inline and fenced code, lists. No images, no headings, no raw HTML. markdown-it-py parses in linear time
with a nesting cap; nh3 (Ammonia) then enforces the allow-list, so a parser bug cannot become a script.
Every block carries dir="auto" so each paragraph of mixed Hebrew/Arabic/French text finds its own direction.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "s", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_DIRECTIONAL_BLOCKS = ("p", "blockquote", "li", "ul", "ol")
# Quotes and lists nested deeper than this are shown as text: no human needs more, and it bounds work.
MAX_NESTING = 12


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("zero", {"breaks": True, "linkify": True, "html": False, "maxNesting": MAX_NESTING})
    parser.enable(
        [
            "emphasis",
            "strikethrough",
            "link",
            "autolink",
            "linkify",
            "blockquote",
            "backticks",
            "fence",
            "code",
            "list",
            "newline",
            "escape",
            "entity",
        ]
    )
    return parser


def render(markdown: str) -> str:
    """Sanitized HTML for a comment's markdown. Never raises on any text."""
    html = _parser().render(markdown)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
        set_tag_attribute_values={tag: {"dir": "auto"} for tag in _DIRECTIONAL_BLOCKS},
        strip_comments=True,
    ).strip()
