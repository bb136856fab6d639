"""What was printed (district packs) and what was scanned (QR codes)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


class Scan(models.Model):
    """One scan of a printed QR code. Deliberately no IP address and no user agent:
    the campaign needs counts per material and institution, not who scanned."""

    class Material(models.TextChoices):
        SHEET = "s", _("Guide sheet")
        POSTER = "p", _("Poster")
        INSTITUTION = "i", _("Institution's guide sheet")

    scanned_at = models.DateTimeField(_("scanned at"), default=timezone.now)
    material = models.CharField(_("material"), max_length=1, choices=Material.choices)
    guide = models.ForeignKey(
        "materials.GuidePage",
        verbose_name=_("guide"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scans",
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guide_scans",
    )

    class Meta:
        ordering = ["-scanned_at"]
        verbose_name = _("QR code scan")
        verbose_name_plural = _("QR code scans")
        indexes = [
            models.Index(fields=["scanned_at"]),
            models.Index(fields=["guide", "scanned_at"]),
            models.Index(fields=["institution", "scanned_at"]),
        ]

    def __str__(self):
        return f"{self.get_material_display()} {self.scanned_at:%Y-%m-%d %H:%M}"


def _pack_path(instance, filename):
    # Unguessable: a pack lists institutions, and media may be served by the web server.
    return f"materials/packs/{uuid.uuid4().hex}/{filename}"


class GuidePack(models.Model):
    """The guide sheets of every institution in a region, or of a team's week of visits,
    as one PDF built by a task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Size(models.TextChoices):
        A4 = "a4", _("A4 sheet")
        A5 = "a5", _("A5 half sheet")

    guide = models.ForeignKey(
        "materials.GuidePage", verbose_name=_("guide"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "institutions.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    week = models.DateField(_("week starting"), null=True, blank=True)
    size = models.CharField(_("paper size"), max_length=2, choices=Size.choices, default=Size.A4)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("sheets"), default=0)
    done = models.PositiveIntegerField(_("sheets drawn"), default=0)
    file = models.FileField(_("file"), upload_to=_pack_path, blank=True)
    file_size = models.PositiveIntegerField(_("size in bytes"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # Written when a worker claims the pack and at every progress step: a building pack
    # whose heartbeat stopped lost its worker (see services.guide_packs_recover).
    heartbeat_at = models.DateTimeField(_("last sign of the worker"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("guide pack")
        verbose_name_plural = _("guide packs")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(region__isnull=False, team__isnull=True, week__isnull=True)
                    | models.Q(region__isnull=True, team__isnull=False, week__isnull=False)
                ),
                name="guidepack_region_or_team_week",
                violation_error_message=_("A pack is for a region, or for a team's week."),
            ),
        ]

    def __str__(self):
        return f"{self.guide} — {self.scope_label}"

    @property
    def scope_label(self):
        """What the pack covers, as shown in the admin: a region or a team's week."""
        if self.region_id:
            return f"{self.region.name} ({self.region.code})"
        if self.team_id:
            return _("%(team)s, week of %(week)s") % {
                "team": self.team.name,
                "week": formats.date_format(self.week, "j M Y"),
            }
        return ""

    @property
    def progress_percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))

    @property
    def in_progress(self):
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
