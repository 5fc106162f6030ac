"""Synthetic WordPress exports of any size, written as a stream: for the speed benchmark and the streaming test.

Threads of ``per_thread`` comments; about a third are replies (to a comment a few places before), one in 50 has
some HTML (a link, emphasis), one in 40 is pending, one in 100 is spam; texts in French, English, Hebrew and
Arabic. Deterministic for a given size, so two runs compare.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

_WORDS = {
    "fr": [
        "le",
        "conseil",
        "municipal",
        "a",
        "voté",
        "le",
        "budget",
        "participatif",
        "hier",
        "soir",
        "et",
        "les",
        "habitants",
        "attendent",
        "la",
        "suite",
    ],
    "en": [
        "the",
        "council",
        "voted",
        "the",
        "participatory",
        "budget",
        "last",
        "night",
        "and",
        "residents",
        "wait",
        "for",
        "what",
        "comes",
        "next",
    ],
    "he": ["מועצת", "העיר", "אישרה", "אתמול", "את", "התקציב", "המשתתף", "והתושבים", "מחכים", "להמשך"],
    "ar": ["صوت", "المجلس", "البلدي", "أمس", "على", "الميزانية", "التشاركية", "وينتظر", "السكان", "ما", "سيأتي"],
}
_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Synthetic newsroom</title>
<wp:wxr_version>1.2</wp:wxr_version>
"""


def _text(rng: random.Random, index: int) -> str:
    words = _WORDS[("fr", "en", "he", "ar")[index % 4]]
    sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(6, 16))).capitalize() for _ in range(3)]
    text = ". ".join(sentences[:2]) + ".\n\n" + sentences[2] + "."
    if index % 50 == 0:
        text = f'Voir <a href="https://example.org/{index}">ce lien</a>, <em>vraiment</em>.\n\n' + text
    return text


def write_wxr(path: Path, comments: int, *, per_thread: int = 100, base: str = "https://news.example") -> Path:
    """Write a WXR file with ``comments`` comments to ``path``."""
    rng = random.Random(comments)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        out.write(_HEAD)
        made = 0
        post = 0
        while made < comments:
            post += 1
            out.write(f"<item>\n<title>Article {post}</title>\n<link>{base}/articles/{post}/</link>\n"
                      f"<wp:post_id>{post}</wp:post_id>\n<wp:post_type>post</wp:post_type>\n"
                      "<wp:comment_status>open</wp:comment_status>\n")  # fmt: skip
            first = made + 1
            for _ in range(min(per_thread, comments - made)):
                made += 1
                parent = rng.randint(max(first, made - 5), made - 1) if made > first and rng.random() < 0.33 else 0
                status = "spam" if made % 100 == 0 else "0" if made % 40 == 0 else "1"
                date = (start + timedelta(minutes=made)).strftime("%Y-%m-%d %H:%M:%S")
                out.write(
                    "<wp:comment>\n"
                    f"<wp:comment_id>{made}</wp:comment_id>\n"
                    f"<wp:comment_author><![CDATA[Reader {made % 997}]]></wp:comment_author>\n"
                    f"<wp:comment_author_email>reader{made % 997}@example.org</wp:comment_author_email>\n"
                    "<wp:comment_author_url></wp:comment_author_url>\n"
                    f"<wp:comment_date>{date}</wp:comment_date>\n<wp:comment_date_gmt>{date}</wp:comment_date_gmt>\n"
                    f"<wp:comment_content>{escape(_text(rng, made))}</wp:comment_content>\n"
                    f"<wp:comment_approved>{status}</wp:comment_approved>\n"
                    "<wp:comment_type>comment</wp:comment_type>\n"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>\n"
                    "</wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")
    return path
