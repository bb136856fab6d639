from django.tasks import task


@task()
def fetch_source_task(source_id: int):
    """Fetch one configured source of official figures, in the task worker."""
    from .fetching import fetch_run
    from .models import FetchSource

    source = FetchSource.objects.filter(pk=source_id, is_active=True).first()
    if source is not None:
        fetch_run(source=source)


@task()
def count_import_task(run_id: int):
    """Check or write a large upload of official figures, in the task worker."""
    from .services import count_import_process

    count_import_process(run_id=run_id)
