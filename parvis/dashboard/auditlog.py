"""The audit log as the dashboard shows and exports it: filters, what changed in an entry, and CSV rows.

Entries are shown only for the user's sites. An entry's ``details`` hold what changed as ``{"field": {"before": …,
"after": …}}`` (a policy save: ``{"changes": {"dotted.path": {"before": …, "after": …}}}``); `changes` turns them
into rows, with a word diff when a text changed.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from parvis.core.models import Site
from parvis.dashboard.permissions import sites_for
from parvis.moderation.models import AuditEntry

MAX_ID = 2**63 - 1
# A family (``comment`` or ``comment.*``) or one action (``comment.reject``).
ACTION_PATTERN = r"^[a-z_]{1,30}(\.([a-z_]{1,40}|\*))?$"
# Texts longer than this are diffed on their beginning only: the log stays fast on a pasted novel.
DIFF_LIMIT = 5000
# A cell starting with one of these is a formula to Excel and LibreOffice: prefixed with ' to stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = ["id", "time (UTC)", "site", "actor", "action", "thread id", "thread", "comment id", "details"]


class AuditFilters(forms.Form):
    """The audit log's query string. Unlike the queue's, a malformed filter is an error the user sees (400): an
    export that silently ignored "since" would hand over the wrong log."""

    site = forms.ChoiceField(label=_("Site"), required=False)
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.RegexField(
        ACTION_PATTERN, label=_("Action"), required=False, max_length=72,
        widget=forms.TextInput(attrs={"list": "dash-actions"}),
        error_messages={"invalid": _("An action family (comment, thread, policy …) or one action (comment.reject).")},
    )  # fmt: skip
    comment = forms.IntegerField(label=_("Comment id"), required=False, min_value=1, max_value=MAX_ID)
    thread = forms.IntegerField(label=_("Thread id"), required=False, min_value=1, max_value=MAX_ID)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any, *, sites: list[Site]) -> None:
        super().__init__(data)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ChoiceField)
        site_field.choices = [("", _("All my sites")), *((site.slug, site.name) for site in sites)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned


def entries_for(user: Any, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The entries of ``user``'s sites matching cleaned ``filters``, newest first."""
    entries = AuditEntry.objects.filter(site__in=sites_for(user))
    if filters.get("site"):
        entries = entries.filter(site__slug=filters["site"])
    if filters.get("actor"):
        entries = entries.filter(actor_label__iexact=filters["actor"].strip())
    action = filters.get("action") or ""
    if action:
        family = action.removesuffix(".*")
        wanted = Q(action=action) if "." in family else Q(action__startswith=f"{family}.")
        entries = entries.filter(wanted)
    if filters.get("comment"):
        entries = entries.filter(comment_id=filters["comment"])
    if filters.get("thread"):
        entries = entries.filter(thread_id=filters["thread"])
    if filters.get("since"):
        entries = entries.filter(created_at__date__gte=filters["since"])
    if filters.get("until"):
        entries = entries.filter(created_at__date__lte=filters["until"])
    return entries.select_related("site", "thread").order_by("-created_at", "-pk")


def action_names(user: Any) -> list[str]:
    """Families and actions present in the user's log, for the filter's suggestions."""
    names = set(AuditEntry.objects.filter(site__in=sites_for(user)).values_list("action", flat=True).distinct())
    return sorted(names | {name.split(".")[0] for name in names})


# ---- what changed ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One row of an entry's details: a value, or a value before and after (with a word diff for text)."""

    name: str
    value: str = ""
    before: str = ""
    after: str = ""
    changed: bool = False
    diff: tuple[tuple[str, str], ...] = ()


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


_TOKENS = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
# Spaces stick to the word before them, so a lone space never "matches" between two unrelated phrases.


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """Segments ("" kept, "del" removed, "ins" added) turning ``before`` into ``after``, word by word."""
    old, new = _TOKENS.findall(before[:DIFF_LIMIT]), _TOKENS.findall(after[:DIFF_LIMIT])
    segments: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(("", "".join(old[a1:a2])))
            continue
        if a2 > a1:
            segments.append(("del", "".join(old[a1:a2])))
        if b2 > b1:
            segments.append(("ins", "".join(new[b1:b2])))
    return tuple(segments)


def _before_after(name: str, pair: dict[str, Any]) -> Change:
    before, after = pair.get("before"), pair.get("after")
    text = isinstance(before, str) and isinstance(after, str) and (" " in before + after or len(before + after) > 40)
    return Change(
        name, before=_text(before), after=_text(after), changed=True,
        diff=word_diff(before, after) if text else (),  # type: ignore[arg-type]
    )  # fmt: skip


def _is_pair(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"before", "after"}


def changes(details: Any) -> list[Change]:
    if not isinstance(details, dict):
        return [Change("details", value=_text(details))] if details else []
    rows = []
    for name, value in details.items():
        if name == "changes" and isinstance(value, dict) and all(_is_pair(pair) for pair in value.values()):
            rows += [_before_after(path, pair) for path, pair in value.items()]
        elif _is_pair(value):
            rows.append(_before_after(name, value))
        elif value not in (None, "", [], {}):
            rows.append(Change(name, value=_text(value)))
    return rows


# ---- CSV export ------------------------------------------------------------------------------------------------
def safe_cell(value: Any) -> str:
    """The cell as text that a spreadsheet never evaluates (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """csv.writer writes to this and gets the line back, so rows are yielded one by one."""

    def write(self, line: str) -> str:
        return line


def csv_lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    """The export, streamed: a byte-order mark (Excel then reads UTF-8: Hebrew, Arabic), the header, one line per
    entry read in chunks, so the table is never in memory."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(CSV_HEADER)
    for entry in entries.iterator(chunk_size=500):
        thread = entry.thread
        yield writer.writerow(
            safe_cell(cell)
            for cell in (
                entry.pk,
                entry.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                entry.site.slug if entry.site else "",
                entry.actor_label,
                entry.action,
                entry.thread_id or "",
                (thread.title or thread.key) if thread else "",
                entry.comment_id or "",
                json.dumps(entry.details, ensure_ascii=False, sort_keys=True) if entry.details else "",
            )
        )
