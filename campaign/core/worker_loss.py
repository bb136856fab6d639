"""The task rows of workers that died.

django-tasks-db marks a task RUNNING when a worker claims it and FAILED or SUCCESSFUL when
that worker finishes it; a worker killed in between (SIGKILL, out of memory, host lost)
leaves the row RUNNING for ever. The apps' recovery (invitations' stale claims, guide
packs' heartbeats) knows when the work was lost and calls this to close the row too, so
the task list tells the truth.
"""

from django.tasks import TaskResultStatus
from django.utils import timezone


class WorkerLost(Exception):
    """The worker running this task stopped before it finished (found by recovery)."""


def task_results_mark_lost(*, task, started_before) -> int:
    """Mark FAILED the RUNNING rows of ``task`` started before ``started_before``: their
    work was found lost and has been recovered. Nothing happens on other task backends."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the database backend is a dependency
        return 0
    error = WorkerLost("the worker stopped before the task finished; the work was recovered")
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=task.module_path, started_at__lt=started_before
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        return_value=None,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=f"{WorkerLost.__qualname__}: {error}\n",
    )
