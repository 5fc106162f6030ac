"""`parvis worker` comes back from a database error with the task it was running queued again and its start-up
work (the minute tick) done again: nothing waits forever behind a lock that outlasted the worker's timeout."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from parvis.core import worker
from parvis.notifications.tasks import deliver, tick

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_task_interrupted_by_a_database_error_runs_again_after_the_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(worker, "RESTART_SECONDS", 0)
    seen: list[list[str]] = []
    interrupted_id = DBTaskResult.objects.get(pk=deliver.enqueue().id).pk

    def db_worker(*args: str) -> int:
        """The first run claims the email task and loses the database under it; the second finds it queued."""
        seen.append([found.task_path for found in DBTaskResult.objects.filter(status=TaskResultStatus.READY)])
        if len(seen) == 1:
            DBTaskResult.objects.get(pk=interrupted_id).claim(args[args.index("--worker-id") + 1])
            raise OperationalError("database is locked")
        return 0

    assert worker.run_until_stopped(0.5, db_worker) == 0
    assert len(seen) == 2
    assert deliver.module_path in seen[1]
    assert DBTaskResult.objects.get(pk=interrupted_id).status == TaskResultStatus.READY
    # The tick the start-up work schedules is waiting both times, once (not one per restart).
    assert [paths.count(tick.module_path) for paths in seen] == [1, 1]


def test_a_task_another_worker_is_running_is_left_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "RESTART_SECONDS", 0)
    other = DBTaskResult.objects.get(pk=deliver.enqueue().id)
    other.claim("another-worker-process")
    runs: list[str] = []

    def db_worker(*args: str) -> int:
        runs.append(args[args.index("--worker-id") + 1])
        if len(runs) == 1:
            raise OperationalError("database is locked")
        return 0

    worker.run_until_stopped(0.5, db_worker)
    assert runs[0] != runs[1]
    assert DBTaskResult.objects.get(pk=other.pk).status == TaskResultStatus.RUNNING
