"""Official online figures by region and day, the imports that brought them, the log of
corrections, and each area's goal."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


class OfficialCount(models.Model):
    """The official census system's cumulative figures for one region on one day.

    Regions are provinces, regencies or districts. Totals are never stored twice:
    ``selectors`` take a regency's own row when there is one, else the sum of its
    districts; the province's own row when there is one, else the sum of its regencies.
    """

    # The public progress page shows them: one saved or deleted by hand (the admin)
    # purges the page cache (CoreConfig); imports write in bulk and send
    # ``signals.figures_changed`` instead.
    purges_page_cache = True

    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="official_counts"
    )
    date = models.DateField(_("date"))
    persons = models.PositiveIntegerField(_("persons enumerated online"))
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    accessed = models.PositiveIntegerField(_("accessed but not completed"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["region", "date"]
        verbose_name = _("official online count")
        verbose_name_plural = _("official online counts")
        constraints = [models.UniqueConstraint(fields=["region", "date"], name="official_count_region_date")]
        indexes = [models.Index(fields=["date", "region"], name="official_count_date")]

    def __str__(self):
        return f"{self.region} {self.date:%Y-%m-%d}: {self.persons}"


def import_upload_to(instance, filename):
    return f"response/imports/{timezone.now():%Y/%m}/{filename}"


class CountImport(models.Model):
    """One upload of official figures: checked (preview), then confirmed (written). A
    large file is checked and written by the task worker, not in the upload's request."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        INVALID = "invalid", _("Rows have errors")
        VALID = "valid", _("Ready to import")
        WRITING = "writing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    # Kept in the storage under a random name (never served: campaign.materials.media),
    # read row by row by the check and the confirmation; a year of district figures is
    # 100 MB, which a database column would hand around whole.
    file = models.FileField(_("stored file"), upload_to=import_upload_to, max_length=255, editable=False)
    source = models.CharField(_("source of the figures"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    # Handed to the task worker: when, and how often (a worker that died is replaced by
    # ``count_imports_recover``, three times at most).
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import of official figures")
        verbose_name_plural = _("imports of official figures")

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"


class CountChange(models.Model):
    """A correction: a later file gave other figures for a region and day it had."""

    count = models.ForeignKey(OfficialCount, on_delete=models.CASCADE, related_name="changes")
    source = models.CharField(_("source"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("changed at"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    old = models.JSONField(_("before"))
    new = models.JSONField(_("after"))

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("correction of an official count")
        verbose_name_plural = _("corrections of official counts")

    def __str__(self):
        return f"{self.count}: {self.old} → {self.new}"


class AreaGoal(models.Model):
    """An area's goal in persons when it differs from the campaign goal percent × the
    area's population (e.g. a district, whose population the region table lacks)."""

    purges_page_cache = True  # shown on the public progress page: see CoreConfig

    campaign = models.ForeignKey(
        "core.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="area_goals"
    )
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the region's SP2020 population."),
    )
    goal_persons = models.PositiveIntegerField(
        _("goal (persons)"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the campaign goal percent × population."),
    )

    class Meta:
        verbose_name = _("area goal")
        verbose_name_plural = _("area goals")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "region"], name="area_goal_campaign_region")
        ]

    def __str__(self):
        return f"{self.campaign}: {self.region}"


class FetchSource(models.Model):
    """A URL the official figures are fetched from on a schedule (CSV or JSON), with the
    mapping of its columns to ours; the last fetch's outcome is kept for staff."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        JSON = "json", _("JSON (a list of objects)")

    class Outcome(models.TextChoices):
        NEVER = "", _("Not fetched yet")
        OK = "ok", _("Stored")
        FAILED = "failed", _("Failed; previous figures kept")

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.CSV)
    region_column = models.CharField(_("column with the region code"), max_length=100, default="region_code")
    date_column = models.CharField(_("column with the date"), max_length=100, default="date")
    persons_column = models.CharField(_("column with the persons online"), max_length=100, default="persons")
    households_column = models.CharField(_("column with the households"), max_length=100, blank=True)
    accessed_column = models.CharField(
        _("column with “accessed but not completed”"), max_length=100, blank=True
    )
    every_minutes = models.PositiveIntegerField(_("fetch every (minutes)"), default=60)
    timeout_seconds = models.PositiveIntegerField(_("timeout (seconds)"), default=30)
    is_active = models.BooleanField(_("active"), default=True)
    last_run_at = models.DateTimeField(_("last fetch"), null=True, blank=True, editable=False)
    last_outcome = models.CharField(
        _("last outcome"), max_length=10, choices=Outcome.choices, blank=True, editable=False
    )
    last_message = models.TextField(_("last message"), blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled fetch")
        verbose_name_plural = _("scheduled fetches")

    def __str__(self):
        return self.name

    def mapping(self):
        """Our column → the source's column."""
        mapping = {
            "region_code": self.region_column,
            "date": self.date_column,
            "persons": self.persons_column,
        }
        if self.households_column:
            mapping["households"] = self.households_column
        if self.accessed_column:
            mapping["accessed"] = self.accessed_column
        return mapping


@register_setting(icon="view")
class PublicProgressSettings(BaseSiteSetting):
    """Whether the site publishes the campaign's progress: a public page and a widget
    that partners and regional governments embed in their own sites. Off by default:
    an office shows its figures only once it has decided to."""

    purges_page_cache = True  # turning it on or off shows at once: see CoreConfig

    enabled = models.BooleanField(
        _("publish the progress page and widget"),
        default=False,
        help_text=_(
            "The province's official online count against its goal and every regency's rate, "
            "at /progres/, with a widget other sites can embed. Off: both answer “not found”."
        ),
    )

    panels = [FieldPanel("enabled")]

    class Meta:
        verbose_name = _("public progress")
