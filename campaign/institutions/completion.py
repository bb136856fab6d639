"""Follow-up after a guided visit: the institution reports, through a signed link and
as often as it likes, how many of its staff have completed the online census form so
far ("X of Y", counts only). The latest report is the institution's figure; passing
``INSTITUTION_COMPLETION_THRESHOLD_PERCENT`` moves it to "completion reported".

The link carries the institution's id only: anyone the institution forwards it to (its
head, its personnel section) may report for it, which is what the link is for.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.core import tokens as signed
from campaign.core.services import validated_save

from .models import CompletionReport, Institution

COMPLETION = signed.Purpose(
    "jemputbola.institutions.completion-report",
    datetime.timedelta(days=getattr(settings, "INSTITUTION_COMPLETION_LINK_DAYS", 180)),
)


def completion_token(*, institution_id: int) -> str:
    return signed.make(COMPLETION, {"i": institution_id}, compress=True)


def completion_token_read(token: str) -> int:
    """The institution id; raises ``campaign.core.tokens.TokenError``."""
    return signed.read_ids(COMPLETION, token, ("i",))[0]


def completion_url(*, institution_id: int) -> str:
    """The absolute link an institution reports its staff's progress through."""
    token = completion_token(institution_id=institution_id)
    return settings.BASE_URL + reverse("institutions:completion_report", args=[token])


def threshold_percent() -> float:
    return float(settings.INSTITUTION_COMPLETION_THRESHOLD_PERCENT)


@transaction.atomic
def completion_report_record(
    *,
    institution: Institution,
    staff_completed: int,
    staff_total: int,
    source: str = CompletionReport.Source.LINK,
    user=None,
    now=None,
) -> CompletionReport:
    """Record "``staff_completed`` of ``staff_total`` staff done" for ``institution``.

    The report replaces the institution's figure (earlier reports stay as the log). At
    or above the threshold the institution becomes "completion reported"; a later, lower
    report corrects the figure but does not take that status back (the status is never
    downgraded, as elsewhere in the registry: staff may still change it by hand).
    """
    errors = {}
    if staff_total is None or staff_total < 1:
        errors["staff_total"] = _("Give the number of staff, at least 1.")
    if staff_completed is None or staff_completed < 0:
        errors["staff_completed"] = _("Give the number of staff who have completed the form (0 or more).")
    elif staff_total and staff_completed > staff_total:
        errors["staff_completed"] = _("This is more than the institution's staff in total.")
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    # One writer at a time per institution: two reports a second apart end in the later.
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    report = validated_save(
        CompletionReport(
            institution=locked,
            staff_completed=staff_completed,
            staff_total=staff_total,
            source=source,
            reported_at=now,
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        ),
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    update = {
        "staff_completed": staff_completed,
        "staff_total": staff_total,
        "completion_reported_at": now,
        "updated_at": now,
    }
    if 100 * staff_completed >= threshold_percent() * staff_total:
        update["status"] = Institution.Status.COMPLETED_REPORTED
    Institution.objects.filter(pk=locked.pk).update(**update)
    for name, value in update.items():
        setattr(institution, name, value)
    return report
