"""Task rows of dead workers are closed by the apps' recovery (django-tasks-db leaves them
RUNNING for ever)."""

import datetime

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campaign.core.worker_loss import task_results_mark_lost
from campaign.invitations import services as invitation_services
from campaign.invitations.tasks import batch_send_task
from campaign.materials import services as material_services
from campaign.materials.tasks import guide_pack_build_task

pytestmark = pytest.mark.django_db


def _row(task, *, minutes_ago, status=TaskResultStatus.RUNNING):
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        started_at=now - datetime.timedelta(minutes=minutes_ago),
        args_kwargs={"args": [1], "kwargs": {}},
        task_path=task.module_path,
        worker_ids=["dead-worker"],
        queue_name="default",
        backend_name="database",
        run_after=now,
        exception_class_path="",
        traceback="",
    )


def test_only_old_running_rows_of_that_task_are_closed():
    old = _row(batch_send_task, minutes_ago=60)
    young = _row(batch_send_task, minutes_ago=1)
    other_task = _row(guide_pack_build_task, minutes_ago=60)
    finished = _row(batch_send_task, minutes_ago=60, status=TaskResultStatus.SUCCESSFUL)

    cutoff = timezone.now() - datetime.timedelta(minutes=15)
    assert task_results_mark_lost(task=batch_send_task, started_before=cutoff) == 1

    old.refresh_from_db()
    assert old.status == TaskResultStatus.FAILED and old.finished_at is not None
    assert old.exception_class_path == "campaign.core.worker_loss.WorkerLost"
    assert "recovered" in old.traceback
    for row, status in ((young, "RUNNING"), (other_task, "RUNNING"), (finished, "SUCCESSFUL")):
        row.refresh_from_db()
        assert row.status == status


def test_the_recoveries_close_their_dead_workers_rows():
    chunk = _row(batch_send_task, minutes_ago=60)
    pack = _row(guide_pack_build_task, minutes_ago=60)
    assert invitation_services.batches_recover_interrupted()["lost_tasks"] == 1
    assert material_services.guide_packs_recover()["lost_tasks"] == 1
    assert set(DBTaskResult.objects.filter(pk__in=[chunk.pk, pack.pk]).values_list("status", flat=True)) == {
        "FAILED"
    }
