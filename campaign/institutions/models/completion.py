"""What institutions report after a guided visit: how many of their staff have completed
the online census form so far (counts only, never an NIK or KK number)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CompletionReport(models.Model):
    """One report of "X of Y staff done". The latest is the institution's figure (kept on
    the institution for lists and the dashboard); the earlier ones are the log of what
    changed."""

    class Source(models.TextChoices):
        LINK = "link", _("Institution's own link")
        STAFF = "staff", _("Recorded by staff")

    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="completion_reports",
    )
    staff_completed = models.PositiveIntegerField(_("staff who completed the online form"))
    staff_total = models.PositiveIntegerField(_("staff in total"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.LINK)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("staff completion report")
        verbose_name_plural = _("staff completion reports")
        indexes = [models.Index(fields=["institution", "-reported_at"], name="completion_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(staff_total__gte=1),
                name="completion_total_positive",
                violation_error_message=_("The institution has at least one staff member."),
            ),
            models.CheckConstraint(
                condition=models.Q(staff_completed__lte=models.F("staff_total")),
                name="completion_at_most_total",
                violation_error_message=_("More staff completed than the institution has."),
            ),
        ]

    def __str__(self):
        return f"{self.institution}: {self.staff_completed}/{self.staff_total}"

    @property
    def percent(self) -> float:
        return 100 * self.staff_completed / self.staff_total
