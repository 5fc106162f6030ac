"""The outbox: every email is a row, written with the event that causes it, sent later by the worker.

Delivery guarantee, stated exactly. A row is claimed (``sending``, with the worker's ``host:pid``) in its own
committed transaction, sent in one short SMTP transaction, then marked ``sent``. So:

- no email is lost: a row leaves ``pending``/``sending`` only as ``sent`` (the SMTP server said 250),
  ``failed`` (a permanent 5xx, or PARVIS_EMAIL_MAX_ATTEMPTS temporary failures) or ``dropped`` (nothing left to
  say: its comments were all rejected, its subscription removed);
- an email is never sent twice by a retry, a second worker or a replayed event: the unique ``key`` makes a
  second write a no-op and the claim is a conditional UPDATE only one worker wins;
- the one exception: a worker killed after the SMTP server accepted an email and before the ``sent`` mark was
  committed (a window of one database write). That row is sent again after the restart, with the same
  Message-ID (derived from ``key``), so a receiver that deduplicates on Message-ID shows it once. A killed worker
  holds one row at a time, so each kill can double at most one email; the fault test counts exactly this.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from parvis import conf
from parvis.core.models import Site
from parvis.notifications.backends.email import SendError, SmtpBackend
from parvis.notifications.models import OutboxMessage, OutboxStatus, Subscription

logger = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def message_id(key: str) -> str:
    """The Message-ID of the email with this outbox key: the same on every attempt."""
    domain = parseaddr(conf.email_from())[1].rpartition("@")[2] or "parvis.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def enqueue(
    key: str,
    *,
    site: Site,
    kind: str,
    recipient: str,
    language: str,
    payload: dict[str, Any] | None = None,
    subscription: Subscription | None = None,
    send_after: datetime | None = None,
) -> OutboxMessage | None:
    """Write one email to the outbox (in the caller's transaction); None when that key was written before."""
    when = send_after or timezone.now()
    try:
        with transaction.atomic():
            row = OutboxMessage.objects.create(
                key=key[:200], site=site, kind=kind, recipient=recipient, language=language,
                payload=payload or {}, subscription=subscription, send_after=when,
            )  # fmt: skip
    except IntegrityError:
        return None
    wake(when)
    return row


def wake(when: datetime) -> None:
    """Make sure a delivery task will run at ``when`` (one task row, however many emails are due then)."""
    from django_tasks_db.models import DBTaskResult

    from parvis.notifications import tasks

    if DBTaskResult.objects.filter(task_path=tasks.deliver.module_path, status="READY", run_after__lte=when).exists():
        return
    tasks.deliver.using(run_after=when).enqueue()


@dataclass
class Delivery:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    deferred: int = 0


def release_stale(now: datetime | None = None) -> int:
    """Put back rows a dead worker held: its lease ran out, or its process is gone from this machine."""
    moment = now or timezone.now()
    released = OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=moment - timedelta(seconds=conf.email_lease_seconds())
    ).update(status=OutboxStatus.PENDING, claimed_by="", claimed_at=None)
    host = socket.gethostname()
    held = OutboxMessage.objects.filter(status=OutboxStatus.SENDING, claimed_by__startswith=f"{host}:")
    for holder in set(held.values_list("claimed_by", flat=True)):
        if not _alive(holder.rpartition(":")[2]):
            released += held.filter(claimed_by=holder).update(
                status=OutboxStatus.PENDING, claimed_by="", claimed_at=None
            )
    return released


def _alive(pid_text: str) -> bool:
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0) until its parent reaps it; it will never finish a send.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in {"Z", "X"}
    except OSError:
        return True


def _claim(holder: str, now: datetime) -> OutboxMessage | None:
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, send_after__lte=now).order_by("send_after", "pk")
    for candidate in due.values_list("pk", flat=True)[:20]:
        won = OutboxMessage.objects.filter(pk=candidate, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SENDING, claimed_by=holder, claimed_at=now
        )
        if won:
            return OutboxMessage.objects.select_related("site", "subscription").get(pk=candidate)
    return None


def _held_back(row: OutboxMessage, now: datetime) -> datetime | None:
    """When the recipient's rate limit (PARVIS_RATELIMIT_EMAIL_RECIPIENT) lets this email go, if not now."""
    rate = conf.rate("PARVIS_RATELIMIT_EMAIL_RECIPIENT")
    since = now - timedelta(seconds=rate.seconds)
    recent = OutboxMessage.objects.filter(recipient=row.recipient, status=OutboxStatus.SENT, sent_at__gte=since)
    times = list(recent.order_by("-sent_at").values_list("sent_at", flat=True)[: rate.count])
    if len(times) < rate.count:
        return None
    oldest = times[-1]
    assert oldest is not None
    return oldest + timedelta(seconds=rate.seconds)


def _backoff(attempts: int) -> timedelta:
    first, longest, _ = conf.email_retry()
    return timedelta(seconds=min(longest, first * 2 ** max(0, attempts - 1)))


def _release(row: OutboxMessage, holder: str, **changes: Any) -> None:
    OutboxMessage.objects.filter(pk=row.pk, claimed_by=holder).update(claimed_by="", claimed_at=None, **changes)


def deliver_due(limit: int | None = None) -> Delivery:
    """Send every due email, one at a time; stop at the first connection failure (the rest would fail too)."""
    from parvis.notifications import compose

    holder = worker_id()
    result = Delivery()
    release_stale()
    with SmtpBackend() as backend:
        while limit is None or result.sent < limit:
            now = timezone.now()
            row = _claim(holder, now)
            if row is None:
                break
            later = _held_back(row, now)
            if later is not None:
                _release(row, holder, status=OutboxStatus.PENDING, send_after=later)
                result.deferred += 1
                continue
            built = compose.build(row)
            if built is None:
                _release(row, holder, status=OutboxStatus.DROPPED)
                result.dropped += 1
                continue
            try:
                backend.send(built.message, built.sender, built.recipient, smtputf8=built.smtputf8)
            except SendError as error:
                if _failed(row, holder, error, now):
                    result.failed += 1
                else:
                    result.retried += 1
                if error.connection:
                    break
                continue
            OutboxMessage.objects.filter(pk=row.pk, claimed_by=holder).update(
                status=OutboxStatus.SENT, sent_at=timezone.now(), attempts=row.attempts + 1, last_error=""
            )
            result.sent += 1
    upcoming = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING).order_by("send_after").values_list(
            "send_after", flat=True
        ).first()
    )  # fmt: skip
    if upcoming is not None:
        wake(max(upcoming, timezone.now()))
    return result


def _failed(row: OutboxMessage, holder: str, error: SendError, now: datetime) -> bool:
    """Record a failed attempt; True when the email is given up."""
    attempts = row.attempts + 1
    _, _, most = conf.email_retry()
    reason = str(error)[:500]
    if error.permanent or attempts >= most:
        logger.warning("email %s given up after %s attempt(s): %s", row.pk, attempts, reason)
        _release(row, holder, status=OutboxStatus.FAILED, attempts=attempts, last_error=reason)
        return True
    logger.info("email %s not sent (attempt %s), retrying: %s", row.pk, attempts, reason)
    _release(
        row, holder, status=OutboxStatus.PENDING, attempts=attempts, last_error=reason,
        send_after=now + _backoff(attempts),
    )  # fmt: skip
    if error.connection:
        # The server is down: the other due emails wait as long as this one, without spending their attempts.
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, send_after__lte=now).update(
            send_after=now + _backoff(attempts)
        )
    return False
