from django.tasks import task


@task()
def guide_pack_build_task(pack_id: int):
    """Draw a district's guide pack outside the request: a regency has thousands of
    institutions."""
    from .services import guide_pack_build

    guide_pack_build(pack_id=pack_id)
