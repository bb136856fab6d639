from django.tasks import task


@task()
def import_run_task(run_id: int):
    """Check or write a large institution import outside the request."""
    from .imports import import_run_process

    import_run_process(run_id=run_id)
