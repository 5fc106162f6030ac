"""Importing comments into a site: the one action behind `parvis import` (and the browser test's seeding).

Failure semantics: **all or nothing.** The whole import is one database transaction. Records that cannot be
used (a pingback, a comment of a thread the file does not have, a 10 MB body ...) are skipped and listed in the
report; anything that makes the file itself unreadable (not XML, truncated, a DOCTYPE, not UTF-8) stops the
import, rolls everything back and says why. Running the same import again is always safe: source ids are
mapped to what they became, so nothing is doubled and only comments the source changed are updated. On SQLite
the transaction holds the write lock while it runs (other writers wait, readers do not).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction

from parvis.comments.models import Comment, Status
from parvis.core.models import Site
from parvis.importers.records import ImportFailed, Record, Source
from parvis.importers.report import Report
from parvis.importers.writer import Writer
from parvis.moderation.models import AuditEntry

logger = logging.getLogger(__name__)
MODERATION_LINES = 100


class _DryRun(Exception):
    pass


def import_comments(
    site: Site,
    source: Source,
    *,
    dry_run: bool = False,
    keep_pings: bool = False,
    moderate: bool = False,
    apply: bool = False,
    label: str = "",
    on_record: Callable[[Record], None] | None = None,
) -> Report:
    """Import everything ``source`` yields into ``site``; never sends an email nor subscribes anyone."""
    report = Report(source=source.name, dry_run=dry_run)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with transaction.atomic():
            writer = Writer(site, source.name, report, keep_pings=keep_pings, collect_published=moderate)
            try:
                for record in source.records():
                    writer.add(record)
                    if on_record is not None:
                        on_record(record)
                writer.finish()
            finally:
                writer.close()
            report.seconds = time.perf_counter() - started
            report.cpu_seconds = time.process_time() - cpu
            if moderate:
                report.moderation = moderate_imported(site, writer.published, apply=apply and not dry_run)
            AuditEntry.objects.create(
                site=site, actor_label="import", action="import.completed", details={**report.summary(), "file": label}
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except ImportFailed as error:
        report.fatal = str(error)
    except OSError as error:
        report.fatal = f"the file could not be read ({error.strerror or error}); nothing was imported."
    return report


def moderate_imported(site: Site, comment_ids: Sequence[int], *, apply: bool) -> dict[str, Any]:
    """Run the moderation engine over published imported comments: what it would hold or remove (and, with
    ``apply``, hold or remove them — audited, as the engine's decisions, without teaching the site's model)."""
    # The engine (its models, numpy, scikit-learn) is loaded only when asked for: a plain import stays light.
    from parvis.moderation import actions as moderation
    from parvis.moderation import pipeline
    from parvis.moderation.models import Action, Stage

    # Holds that say something about how a comment is being posted today, not about what an old comment says.
    context_holds = {pipeline.PREMODERATION, pipeline.FIRST_COMMENT, pipeline.SURGE, pipeline.THREAD_PREMODERATED}
    actions: Counter[str] = Counter()
    lines: list[str] = []
    checked = 0
    for start in range(0, len(comment_ids), 500):
        chunk = list(comment_ids[start : start + 500])
        for comment in Comment.objects.filter(pk__in=chunk, status=Status.APPROVED).select_related("thread"):
            checked += 1
            scored = pipeline.assess_text(site, comment.body_markdown)
            verdict = pipeline.decide(site, scored, pipeline.Sending(), thread=None, commenter_id=None, behaviour=[])
            if verdict.action == Action.PUBLISH or set(verdict.categories) <= context_holds:
                continue
            actions[verdict.action] += 1
            if len(lines) < MODERATION_LINES:
                excerpt = comment.body_markdown[:60].replace("\n", " ")
                lines.append(f"comment #{comment.pk} ({', '.join(verdict.categories)}): {verdict.action} — {excerpt!r}")
            if apply:
                before = comment.status
                moderation.set_status(comment, verdict.status)
                decision = moderation.record(comment, verdict, Stage.SYNC)
                AuditEntry.objects.create(
                    site=site, actor_label="import", action=f"comment.{verdict.action}", thread_id=comment.thread_id,
                    comment=comment, details={"note": "moderation of imported history", "decision": decision.pk,
                                              "category": verdict.categories[0] if verdict.categories else None,
                                              "status": {"before": before, "after": comment.status}},
                )  # fmt: skip
    return {"checked": checked, "flagged": sum(actions.values()), "actions": dict(actions), "applied": apply,
            "lines": lines}  # fmt: skip
