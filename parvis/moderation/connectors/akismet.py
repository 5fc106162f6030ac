"""An Akismet-compatible spam check (comment-check) and its feedback (submit-spam, submit-ham).

Akismet's REST API takes a form-encoded POST to <url>/1.1/<method> with the key as `api_key` and the site as
`blog`; comment-check answers the word `true` (spam) or `false`, with `X-akismet-pro-tip: discard` for blatant
spam, and `invalid` (plus `X-akismet-debug-help`) for a bad key or request. The feedback methods answer a thank-you.

What is sent: the comment's text, its author's name, email and website, the article's URL, the comment's date
and the site's language. Never the reader's IP address or user agent: Parvis keeps only keyed hashes of them,
by design, so Akismet's IP reputation is not used (its documentation asks for `user_ip`; the service still
judges the content without it).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from parvis import conf
from parvis.moderation.categories import Category
from parvis.moderation.connectors.transport import ConnectorError, post
from parvis.moderation.findings import Finding

if TYPE_CHECKING:
    from parvis.comments.models import Comment
    from parvis.core.models import Site

logger = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded; charset=utf-8"
# How sure a "spam" answer makes Parvis: high, not certain, since Akismet reads no IP here; "discard" is Akismet
# saying it is sure.
SPAM_SCORE = 0.9
DISCARD_SCORE = 0.99


def enabled() -> bool:
    return bool(conf.akismet_key())


def _blog(site: Site) -> str:
    return site.allowed_origins[0] if site.allowed_origins else conf.public_url()


def fields(text: str, *, site: Site, comment: Comment | None = None, language: str = "") -> dict[str, str]:
    """The comment-check/submit form for ``text`` (the comment's body unless told otherwise)."""
    form = {
        "api_key": conf.akismet_key(),
        "blog": _blog(site),
        "blog_lang": language or site.default_language,
        "blog_charset": "UTF-8",
        "comment_type": "comment",
        "comment_content": text,
    }
    if comment is not None:
        form["comment_type"] = "reply" if comment.parent_id else "comment"
        form["comment_author"] = comment.author_name
        if comment.author_website:
            form["comment_author_url"] = comment.author_website
        email = comment.commenter.email if comment.commenter_id and comment.commenter else ""
        if email:
            form["comment_author_email"] = email
        if comment.thread.url:
            form["permalink"] = comment.thread.url
        if comment.created_at:
            form["comment_date_gmt"] = comment.created_at.isoformat()
    return form


def _call(method: str, form: dict[str, str]) -> tuple[str, dict[str, str]]:
    answer = post(f"{conf.akismet_url()}/1.1/{method}", urlencode(form).encode("utf-8"), FORM, conf.connector_timeout())
    return answer.body.decode("utf-8", "replace").strip(), answer.headers


def check(form: dict[str, str]) -> list[Finding]:
    """Ask comment-check; a spam answer becomes a spam Finding. Raises ConnectorError when there is no verdict."""
    word, headers = _call("comment-check", form)
    if word == "false":
        return []
    if word != "true":
        help_text = headers.get("x-akismet-debug-help", "")
        raise ConnectorError(f"comment-check answered {word[:40]!r} {help_text[:200]}".strip())
    if headers.get("x-akismet-pro-tip", "").lower() == "discard":
        return [Finding("akismet.spam", Category.SPAM, DISCARD_SCORE, "Akismet: blatant spam (discard).")]
    return [Finding("akismet.spam", Category.SPAM, SPAM_SCORE, "Akismet: spam.")]


def submit(form: dict[str, str], *, is_spam: bool) -> bool:
    """Tell the service a moderator's verdict (submit-spam or submit-ham); True when it acknowledged it."""
    method = "submit-spam" if is_spam else "submit-ham"
    try:
        word, _ = _call(method, form)
    except ConnectorError as error:
        logger.warning("akismet %s failed: %s", method, error)
        return False
    return bool(word) and word != "invalid"
