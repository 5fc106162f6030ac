"""The outbox's background jobs, run by `parvis worker` (django-tasks, database backend).

``deliver`` sends what is due; it is enqueued in the transaction that writes an email, and again for the
earliest retry. ``tick`` runs once a minute (it enqueues its own next run): it takes back emails a dead worker
held, deletes the subscriptions nobody confirmed in time, writes the daily digests and the staff alerts, and
delivers.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

TICK_SECONDS = 60


@task()
def deliver() -> str:
    from parvis.notifications import outbox

    result = outbox.deliver_due()
    return f"sent {result.sent}, retrying {result.retried}, failed {result.failed}, dropped {result.dropped}"


@task()
def tick() -> str:
    from parvis.notifications import actions, alerts, digests, outbox

    outbox.release_stale()
    expired = actions.expire_unconfirmed()
    written = digests.write_due()
    alerted = alerts.check_all()
    result = outbox.deliver_due()
    schedule_tick(TICK_SECONDS)
    return f"{expired} unconfirmed removed, {written} digest(s), {alerted} alert(s), sent {result.sent}"


def schedule_tick(seconds: float = 0) -> None:
    """Enqueue the next tick unless one is already waiting."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=tick.module_path, status="READY").exists():
        return
    tick.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue()


def on_worker_start() -> None:
    """Called by `parvis worker` before it polls: emails held by a worker that was killed go back to the queue
    at once, and the minute tick is scheduled."""
    from parvis.notifications import outbox

    released = outbox.release_stale()
    outbox.wake(timezone.now())
    schedule_tick()
    if released:
        import logging

        logging.getLogger(__name__).info("%s email(s) held by a stopped worker will be sent again", released)
