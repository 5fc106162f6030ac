"""The retention job, run by `parvis worker` (django-tasks, database backend).

``expire_hashes`` runs once an hour and enqueues its own next run, like the notifications' minute tick; the
worker schedules the first one when it starts. Hourly rather than daily so that a worker that was stopped for a
while catches up soon after it starts, and no hash outlives its PARVIS_PRIVACY_HASH_DAYS by more than an hour.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

INTERVAL_SECONDS = 3600


@task()
def expire_hashes() -> str:
    from parvis.privacy import retention

    done = retention.expire()
    schedule(INTERVAL_SECONDS)
    return f"{done.comments} comment(s), {done.votes} vote(s), {done.flags} report(s), {done.requests} request(s)"


def schedule(seconds: float = 0) -> None:
    """Enqueue the next run unless one is already waiting (several workers, restarts: still one)."""
    from django_tasks_db.models import DBTaskResult

    if DBTaskResult.objects.filter(task_path=expire_hashes.module_path, status="READY").exists():
        return
    expire_hashes.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue()


def on_worker_start() -> None:
    """Called by `parvis worker` before it polls: the first retention run is due at once."""
    schedule()
