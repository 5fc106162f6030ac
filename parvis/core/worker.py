"""`parvis worker`: django-tasks' db_worker, started again after a database error instead of ending the process.

The tasks are rows: a database that is unreachable for a while (PostgreSQL restarting, SQLite's write lock held
past its timeout by a bulk import) only delays them, but a worker that exited would leave every held comment and
every email waiting with nothing to start it again. A task the error interrupted is put back in the queue (the
tasks are written to be run twice: an email in flight is sent at most twice, a decision taken again is the same),
and the start-up work runs again, so the minute tick, which enqueues its own next run, cannot be lost with it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

RESTART_SECONDS = 2.0


def _on_start() -> None:
    from parvis.notifications.tasks import on_worker_start
    from parvis.privacy import tasks as privacy_tasks

    on_worker_start()
    privacy_tasks.on_worker_start()


def _requeue_interrupted(worker_ids: set[str]) -> int:
    """Put back in the queue the tasks these runs of db_worker had claimed and not finished."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("worker_ids")
    interrupted = [found.pk for found in running if found.worker_ids and found.worker_ids[-1] in worker_ids]
    return DBTaskResult.objects.filter(pk__in=interrupted, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )


def run_until_stopped(interval: float, run_db_worker: Callable[..., int]) -> int:
    """Run db_worker (through ``run_db_worker``, the CLI's command caller) until it ends without a database error."""
    from django.db import DatabaseError, connections
    from django.utils.crypto import get_random_string

    interrupted: set[str] = set()
    while True:
        worker_id = get_random_string(32)
        try:
            if interrupted:
                _requeue_interrupted(interrupted)
                interrupted.clear()
            _on_start()
            # Polls twice a second: a comment held for a second opinion is decided within a second or two.
            return run_db_worker(
                "db_worker", "--interval", str(interval), "--no-startup-delay", "--worker-id", worker_id
            )
        except DatabaseError as error:
            interrupted.add(worker_id)
            print(f"parvis worker: database error ({error}); starting again in {RESTART_SECONDS:.0f} s",
                  file=sys.stderr, flush=True)  # fmt: skip
            connections.close_all()
            time.sleep(RESTART_SECONDS)
