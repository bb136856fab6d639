"""Read queries of the core app that views, templates and other apps reuse."""

from django.db.models import Max

from .models import Campaign, Region


def campaign_get_active():
    """The campaign the public site shows, or None when no campaign is active; with the
    latest extension's end in the same query (``Campaign.effective_end`` reads it), as
    every admin and public page asks for it."""
    return (
        Campaign.objects.filter(is_active=True)
        .annotate(latest_extension_end=Max("extensions__new_end"))
        .first()
    )


def campaign_chosen_with_choices(*, value=None):
    """(the campaign a campaign selector names, else the active one; every campaign for
    the selector, latest first) in one query: earlier and upcoming campaigns stay
    readable in the dashboard and the reports. ``value`` is the id from ``?campaign=``.
    The chosen campaign is annotated as ``campaign_get_active``'s."""
    campaigns = list(
        Campaign.objects.annotate(latest_extension_end=Max("extensions__new_end")).order_by(
            "-online_start", "pk"
        )
    )
    try:
        pk = int(value) if value else None
    except (TypeError, ValueError):
        pk = None
    chosen = next((c for c in campaigns if c.pk == pk), None) or next(
        (c for c in campaigns if c.is_active), None
    )
    choices = [
        {
            "pk": c.pk,
            "name": c.name,
            "active": c.is_active,
            "selected": chosen is not None and c.pk == chosen.pk,
        }
        for c in campaigns
    ]
    return chosen, choices


def campaign_chosen(*, value=None):
    """The campaign a campaign selector names (``?campaign=``), else the active one."""
    return campaign_chosen_with_choices(value=value)[0]


def home_sections(*, home):
    """The live, public pages directly under the home page that appear in menus."""
    return home.get_children().live().public().in_menu().specific().order_by("path")


def regions_by_code(*, codes):
    return Region.objects.in_bulk(list(codes), field_name="code")


def tasks_pending_count():
    """Tasks enqueued in the database backend and not yet picked up by a worker.

    None when the configured backend keeps no queue (immediate or dummy backends).
    """
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    backend = task_backends["default"]
    if not isinstance(backend, DatabaseBackend):
        return None
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
