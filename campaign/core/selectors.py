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


def campaign_chosen(*, value=None):
    """The campaign a campaign selector names (``value``: its id, from ``?campaign=``),
    else the active one; earlier and upcoming campaigns stay readable in the dashboard
    and the reports. Annotated as ``campaign_get_active``'s."""
    if value:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = None
        if pk is not None:
            found = (
                Campaign.objects.filter(pk=pk)
                .annotate(latest_extension_end=Max("extensions__new_end"))
                .first()
            )
            if found is not None:
                return found
    return campaign_get_active()


def campaign_choices(*, selected=None) -> list[dict]:
    """Every campaign, latest first, for a campaign selector: id, name, whether it is the
    active one and whether it is ``selected``."""
    chosen = getattr(selected, "pk", None)
    rows = Campaign.objects.order_by("-online_start").values_list("pk", "name", "is_active")
    return [{"pk": pk, "name": name, "active": active, "selected": pk == chosen} for pk, name, active in rows]


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
