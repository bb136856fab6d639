from django.tasks import task


@task()
def batch_send_task(batch_id: int):
    """Send one chunk of a batch, then queue the next one after the rate limit's pause."""
    from .models import Batch
    from .services import batch_chunk_enqueue, batch_send_chunk, chunk_delay

    result = batch_send_chunk(batch_id=batch_id)
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != Batch.Status.SENDING:
        return {"sent": result.sent, "more": False}
    if result.more or result.error:
        batch_chunk_enqueue(batch_id, delay=chunk_delay(batch=batch, result=result))
    return {"sent": result.sent, "failed": result.failed, "error": result.error, "more": result.more}


@task()
def rsvp_confirmation_task(answer_id: int):
    """Mail the contact the answer we recorded, with the session as a calendar file."""
    from .services import rsvp_confirmation_send

    return rsvp_confirmation_send(answer_id=answer_id)
