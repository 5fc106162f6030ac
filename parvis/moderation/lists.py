"""A site's block and allow lists: checking an entry before it is saved, the actions that add and remove entries
(each audited), the compiled lists the pipeline reads (cached per site), and the test box's preview.

The compiled lists are kept per process and checked against a stamp (how many entries the site has, its newest
entry's id and time: entries are only ever added or removed) — one indexed read per comment, so an entry added in
one server process is in force in every other one for the very next comment.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import regex
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from parvis.comments.models import Comment, Status
from parvis.core.models import Site
from parvis.moderation.models import Action, AuditEntry, ListEntry, ListKind, ListMatch
from parvis.moderation.normalise import normalise
from parvis.moderation.policy import active_policy
from parvis.moderation.rules import links
from parvis.moderation.rules import lists as rule

VALUE_MAX = 200
PATTERN_MAX = 200
MAX_ENTRIES = 500
MAX_PATTERNS = 50
# Checking a pattern on save: each probe may take this long before the pattern is refused as too slow.
PROBE_TIMEOUT = 0.1
PREVIEW_COMMENTS = 1000
PREVIEW_SAMPLES = 10
_DOMAIN = regex.compile(r"^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$")
_LETTER_OR_DIGIT = regex.compile(r"[\p{L}\p{N}]")
_CONTROL = regex.compile(r"[\p{Cc}\p{Cs}]")


class ListError(ValueError):
    """An entry that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


# Checking entries ----------------------------------------------------------------------------------------------


def _nested_quantifier(pattern: str) -> bool:
    """Whether a repeated group contains a repetition itself ("(a+)+", "(\\w*\\s?)*"): the shape of patterns that
    backtrack exponentially on a near-match. The `regex` engine survives some of them, but not all, and not
    whatever the next version does; a list entry never needs one."""
    groups: list[bool] = []  # per open group: does it hold a repetition?
    escaped = in_class = False
    closed_with_repeat = False
    for index, character in enumerate(pattern):
        follows_group, closed_with_repeat = closed_with_repeat, False
        if escaped:
            escaped = False
            continue
        if character == "\\":
            escaped = True
            continue
        if in_class:
            in_class = character != "]"
            continue
        if character == "[":
            in_class = True
        elif character == "(":
            groups.append(False)
        elif character == ")" and groups:
            inner = groups.pop()
            closed_with_repeat = inner
            if groups and inner:
                groups[-1] = True
        elif character in "*+" or (character == "{" and regex.match(r"\{\d*,\d*\}", pattern[index:])):
            if follows_group:
                return True
            if groups:
                groups[-1] = True
        elif character == "?" and follows_group:
            closed_with_repeat = True  # "(a+)?" repeats nothing; but "(a+)?+" would: keep looking
    return False


def _probes(pattern: str) -> list[str]:
    """Inputs that make a backtracking pattern slow: long runs of the characters it names, then one that fails."""
    characters = {c for c in pattern if c.isalnum()} | {"a", "1", " ", "x"}
    probes = []
    for character in sorted(characters)[:12]:
        for length in (32, 3000):
            probes += [character * length + "!", character * length + "\x00"]
    probes.append(" ".join(["word"] * 400) + "!")
    return probes


def check_pattern(pattern: str) -> regex.Pattern[str]:
    """The compiled pattern, or ListError when it is too long, invalid, or could stall a post."""
    if len(pattern) > PATTERN_MAX:
        raise ListError("value", _("A pattern is at most 200 characters long."))
    try:
        compiled = regex.compile(pattern, rule.REGEX_FLAGS)
    except (regex.error, OverflowError, RecursionError) as error:
        raise ListError("value", _("This is not a valid regular expression: %(error)s.") % {"error": error}) from None
    if _nested_quantifier(pattern):
        raise ListError(
            "value", _("A repetition inside a repetition (like “(a+)+”) can make matching take forever: simplify it.")
        )
    if compiled.search("") is not None:
        raise ListError("value", _("This pattern matches an empty text, so it would catch every comment."))
    for probe in _probes(pattern):
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT)
        except TimeoutError:
            raise ListError("value", _("This pattern takes too long on some texts: simplify it.")) from None
    return compiled


def domain_of(value: str) -> str:
    """The domain a typed link or domain names ("https://www.Example.com/a" → "example.com"), or ListError."""
    host = links.domain(value.strip())
    if not host or not _DOMAIN.match(host):
        raise ListError("value", _("This is not a domain name (e.g. example.com)."))
    return host


@dataclass(frozen=True)
class Draft:
    """An entry as typed, cleaned: what `add_entry` saves and the test box previews."""

    kind: str
    match: str
    value: str
    action: str = ""
    category: str = ""
    note: str = ""

    def item(self, pk: int = 0) -> rule.Item:
        return rule.Item(pk, self.kind, self.match, self.value, self.action, self.category)


def clean(site: Site, data: dict[str, Any]) -> Draft:
    """Validate a typed entry; ListError names the field and says what is wrong."""
    kind = str(data.get("kind", ""))
    match = str(data.get("match", ""))
    value = str(data.get("value", "")).strip()
    action = str(data.get("action", "") or "")
    category = str(data.get("category", "") or "").strip()
    note = str(data.get("note", "") or "").strip()
    if kind not in ListKind.values:
        raise ListError("kind", _("Choose block or allow."))
    if match not in ListMatch.values:
        raise ListError("match", _("Choose a word, a link or a pattern."))
    if not value:
        raise ListError("value", _("The entry is empty."))
    if len(value) > VALUE_MAX or _CONTROL.search(value):
        raise ListError("value", _("An entry is at most 200 characters of text."))
    if len(note) > 300:
        raise ListError("note", _("The note is longer than 300 characters."))
    if match == ListMatch.WORD:
        if not _LETTER_OR_DIGIT.search(rule.word_key(value)):
            raise ListError("value", _("This entry has no letters or digits to match."))
    elif match == ListMatch.LINK:
        value = domain_of(value)
    elif kind == ListKind.ALLOW:
        raise ListError("match", _("An allow entry is a word or a domain, not a pattern."))
    else:
        check_pattern(value)
    if kind == ListKind.ALLOW:
        return Draft(kind, match, value, "", "", note)
    if action not in (Action.HOLD, Action.REJECT):
        raise ListError("action", _("Choose whether a match is held for review or rejected."))
    if category and active_policy(site).config.rule(category) is None:
        raise ListError("category", _("The site's policy has no category %(category)s.") % {"category": category})
    return Draft(kind, match, value, action, category, note)


# Actions -------------------------------------------------------------------------------------------------------


def _require_moderator(actor: Any, site: Site) -> None:
    from parvis.dashboard.models import DECIDING_ROLES
    from parvis.dashboard.permissions import role_on

    if role_on(actor, site) not in DECIDING_ROLES:
        raise PermissionDenied


def _snapshot(entry: ListEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "match": entry.match,
        "value": entry.value,
        "action": entry.action,
        "category": entry.category,
        "note": entry.note,
    }


def _audit(actor: Any, site: Site, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    AuditEntry.objects.create(
        site=site,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", "") or "system",
        action=action,
        details={"before": before, "after": after},
    )


def add_entry(actor: Any, site: Site, draft: Draft) -> ListEntry:
    """Put a checked entry (`clean`) on the site's list; in force for the next comment."""
    _require_moderator(actor, site)
    counts = ListEntry.objects.filter(site=site).aggregate(
        total=Count("pk"), patterns=Count("pk", filter=Q(match=ListMatch.REGEX))
    )
    if counts["total"] >= MAX_ENTRIES:
        raise ListError("value", _("The site's lists are full (500 entries)."))
    if draft.match == ListMatch.REGEX and counts["patterns"] >= MAX_PATTERNS:
        raise ListError("value", _("The site has 50 patterns already: remove one first."))
    try:
        with transaction.atomic():
            entry = ListEntry.objects.create(
                site=site,
                kind=draft.kind,
                match=draft.match,
                value=draft.value,
                action=draft.action,
                category=draft.category,
                note=draft.note,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            _audit(actor, site, "list.add", None, _snapshot(entry))
    except IntegrityError:
        raise ListError("value", _("This entry is already on the list.")) from None
    forget(site)
    return entry


def remove_entry(actor: Any, entry: ListEntry) -> None:
    """Take an entry off its site's list (the audit entry keeps what it was)."""
    site = entry.site
    _require_moderator(actor, site)
    with transaction.atomic():
        before = _snapshot(entry)
        ListEntry.objects.filter(pk=entry.pk).delete()
        _audit(actor, site, "list.remove", before, None)
    forget(site)


# The compiled lists, per site ------------------------------------------------------------------------------------

_compiled: dict[int, tuple[tuple[Any, ...], rule.CompiledLists]] = {}
_lock = threading.Lock()


def items(site: Site) -> tuple[rule.Item, ...]:
    return tuple(
        rule.Item(entry.pk, entry.kind, entry.match, entry.value, entry.action, entry.category)
        for entry in ListEntry.objects.filter(site=site).order_by("pk")
    )


def for_site(site: Site) -> rule.CompiledLists | None:
    """The site's lists compiled, or None when it has none; rebuilt only when its entries changed."""
    stamp = ListEntry.objects.filter(site=site).aggregate(total=Count("pk"), last=Max("pk"), newest=Max("created_at"))
    key = (int(stamp["total"]), int(stamp["last"] or 0), stamp["newest"])
    if key[0] == 0:
        return None
    cached = _compiled.get(site.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    compiled = rule.compile_lists(items(site))
    with _lock:
        _compiled[site.pk] = (key, compiled)
    return compiled


def forget(site: Site) -> None:
    """Drop this process's compiled lists of ``site`` (the stamp would catch the change too; this frees them)."""
    with _lock:
        _compiled.pop(site.pk, None)


# The test box -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    comment: Comment
    text: SafeString


@dataclass(frozen=True)
class Preview:
    scanned: int
    caught: int
    samples: list[Sample]


def preview(site: Site, draft: Draft, limit: int = PREVIEW_COMMENTS) -> Preview:
    """What ``draft`` would match in the site's last ``limit`` comments, without saving anything."""
    from parvis.moderation.admin import highlighted  # the admin's marking, without importing the admin at start-up

    compiled = rule.compile_lists((draft.item(),))
    recent = list(
        Comment.objects.filter(thread__site=site)
        .exclude(status=Status.DELETED)
        .order_by("-created_at", "-pk")
        .values_list("pk", "body_markdown")[:limit]
    )
    caught: list[tuple[int, str, list[tuple[int, int]]]] = []
    for pk, body in recent:
        spans = rule.matches(compiled, body, normalise(body)).get(0)
        if spans:
            caught.append((pk, body, spans))
    shown = {comment.pk: comment for comment in Comment.objects.filter(pk__in=[pk for pk, _, _ in caught[:10]])}
    reason = draft.item().describe()
    samples = [
        Sample(shown[pk], highlighted(body, [{"rule": "lists", "reason": reason, "spans": spans}]))
        for pk, body, spans in caught[:PREVIEW_SAMPLES]
        if pk in shown
    ]
    return Preview(scanned=len(recent), caught=len(caught), samples=samples)
