import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import tasks_pending_count

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness for load balancers: the database answers, and how many
    background tasks wait for a worker (a growing number means no worker runs)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        pending = tasks_pending_count()
    except Exception:
        logger.exception("Health check failed")
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "tasks_pending": pending})
