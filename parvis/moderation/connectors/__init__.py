"""Optional outside opinions on a comment (Akismet-compatible, Perspective-compatible), off by default.

Each connector is one module with `enabled()` and `check(...) -> list[Finding]`; this module is the only entry
point the rest of Parvis uses:

- `findings(text, site=..., comment=..., language=...)` asks every enabled service at once and returns their
  answers as Findings (rule "akismet.spam", "perspective.TOXICITY", ...) for the engine to combine with its own.
  It never raises and never waits much longer than PARVIS_CONNECTOR_TIMEOUT: a service that is slow, down or
  answers nonsense is logged and skipped, and the local engine decides alone. The comment itself is never at risk.
- `report(comment, is_spam)` tells the Akismet-compatible service a moderator's verdict (submit-spam/submit-ham).

The requests are made from a worker thread each, so one slow service does not delay the other; they read no
database (the forms are built before), so they need no connection of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from parvis import conf
from parvis.moderation.connectors import akismet, perspective
from parvis.moderation.findings import Finding

if TYPE_CHECKING:
    from parvis.comments.models import Comment
    from parvis.core.models import Site

logger = logging.getLogger(__name__)

# Beyond the per-request timeout, the time allowed for threads to start and answers to be parsed.
GRACE_SECONDS = 0.5


def enabled() -> bool:
    return akismet.enabled() or perspective.enabled()


def findings(text: str, *, site: Site, comment: Comment | None = None, language: str = "") -> list[Finding]:
    """What the enabled services say about ``text``; [] when none is enabled or none answered in time."""
    calls: dict[str, Callable[[], list[Finding]]] = {}
    try:
        if akismet.enabled():
            form = akismet.fields(text, site=site, comment=comment, language=language)
            calls["akismet"] = lambda: akismet.check(form)
        if perspective.enabled():
            calls["perspective"] = lambda: perspective.check(text, language)
    except Exception:  # a connector must never cost a comment, whatever went wrong preparing it
        logger.exception("connector request could not be prepared")
        return []
    if not calls:
        return []
    pool = ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="parvis-connector")
    futures: dict[Future[list[Finding]], str] = {pool.submit(call): name for name, call in calls.items()}
    done, pending = wait(futures, timeout=conf.connector_timeout() + GRACE_SECONDS)
    # Do not wait for stragglers: their sockets time out on their own and their answers are dropped.
    pool.shutdown(wait=False, cancel_futures=True)
    result: list[Finding] = []
    for future in done:
        try:
            result += future.result()
        except Exception as error:  # any failure of a service is the same: skip it
            logger.warning("%s connector skipped: %s", futures[future], error)
    for future in pending:
        logger.warning("%s connector skipped: no answer within %s s", futures[future], conf.connector_timeout())
    return sorted(result, key=lambda finding: finding.rule)


def report(comment: Comment, is_spam: bool) -> bool:
    """Report a moderator's spam / not-spam verdict to the Akismet-compatible service; True when acknowledged.

    Never raises: feedback is a courtesy to the service, and a moderator's decision must not fail because of it.
    """
    if not akismet.enabled():
        return False
    try:
        form = akismet.fields(
            comment.body_markdown, site=comment.thread.site, comment=comment, language=comment.language
        )
        return akismet.submit(form, is_spam=is_spam)
    except Exception:
        logger.exception("akismet report on comment %s failed", comment.pk)
        return False
