"""The registry: institutions to reach, the people to invite, media partners."""

import functools
import re
import unicodedata

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from campaign.core.phones import PhoneNumberField


def normalise_name(value: str) -> str:
    """Case-, accent- and whitespace-insensitive form of a name, for matching."""
    value = unicodedata.normalize("NFKD", value or "")
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    value = re.sub(r"[^\w]+", " ", value.casefold())
    return " ".join(value.split())


class InstitutionKind(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("description"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("institution kind")
        verbose_name_plural = _("institution kinds")

    def __str__(self):
        return self.name


class Institution(models.Model):
    class Status(models.TextChoices):
        NOT_CONTACTED = "not_contacted", _("Not contacted")
        INVITED = "invited", _("Invited")
        SESSION_PLANNED = "session_planned", _("Session planned")
        GUIDED = "guided", _("Guided")
        COMPLETED_REPORTED = "completed_reported", _("Completion reported")

    external_id = models.CharField(
        _("external ID"),
        max_length=64,
        blank=True,
        help_text=_("The institution's ID in the source list, if it has one."),
    )
    name = models.CharField(_("name"), max_length=255)
    name_normalised = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.ForeignKey(
        InstitutionKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="institutions",
        limit_choices_to={"level__in": ["regency", "district"]},
        help_text=_("The district (kecamatan), or the regency when the district is unknown."),
    )
    address = models.TextField(_("address"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    employees = models.PositiveIntegerField(_("number of employees"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("campaign status"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_CONTACTED,
        db_index=True,
    )
    # The latest staff completion report (``CompletionReport``), kept here for lists,
    # the dashboard and the weekly PDF; written only by ``completion_report_record``.
    staff_completed = models.PositiveIntegerField(
        _("staff who completed the online form"), null=True, blank=True, editable=False
    )
    staff_total = models.PositiveIntegerField(
        _("staff in total (reported)"), null=True, blank=True, editable=False
    )
    completion_reported_at = models.DateTimeField(
        _("staff progress reported"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("status")]),
        FieldPanel("region"),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
        FieldRowPanel([FieldPanel("employees"), FieldPanel("external_id")]),
        FieldPanel("notes"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        permissions = [("export_institution", _("Can export institutions"))]
        constraints = [
            models.UniqueConstraint(
                fields=["name_normalised", "region"],
                name="institution_unique_name_in_region",
                violation_error_message=_("This region already has an institution of this name."),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="institution_unique_external_id",
                violation_error_message=_("Another institution has this external ID."),
            ),
        ]
        indexes = [
            # Also covers the dashboard's count by region, kind and status (no table read).
            models.Index(fields=["region", "kind", "status"], name="institution_region_kind_status"),
            # The dashboard's staff completion sum: only the institutions that reported.
            models.Index(
                fields=["staff_total", "staff_completed"],
                condition=models.Q(staff_total__isnull=False),
                name="institution_staff_completion",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Derived, not a business rule: the matching key always follows the name.
        self.name_normalised = normalise_name(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.name_normalised = normalise_name(self.name)

    @property
    def completion_percent(self) -> float | None:
        """The share of its staff the institution last reported done, in percent."""
        if not self.staff_total:
            return None
        return 100 * (self.staff_completed or 0) / self.staff_total


class MediaPartner(models.Model):
    class Medium(models.TextChoices):
        PRINT = "print", _("Print")
        RADIO = "radio", _("Radio")
        TV = "tv", _("Television")
        ONLINE = "online", _("Online")

    name = models.CharField(_("outlet"), max_length=200, unique=True)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("medium"),
        FieldPanel("region"),
        FieldPanel("website"),
        FieldPanel("notes"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("media partner")
        verbose_name_plural = _("media partners")

    def __str__(self):
        return self.name


class Contact(models.Model):
    """A person to invite: at an institution, or at a media partner (exactly one)."""

    class LawfulBasis(models.TextChoices):
        # UU No. 27/2022 on Personal Data Protection, article 20(2).
        CONSENT = "consent", _("Explicit consent")
        CONTRACT = "contract", _("Contract")
        LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
        VITAL_INTEREST = "vital_interest", _("Vital interest")
        PUBLIC_TASK = "public_task", _("Public task (official statistics)")
        LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Indonesian")
        ENGLISH = "en", _("English")

    class PreferredChannel(models.TextChoices):
        EMAIL = "email", _("Email")
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("SMS")

    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    media_partner = models.ForeignKey(
        MediaPartner,
        verbose_name=_("media partner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(
        _("phone / WhatsApp"),
        blank=True,
        help_text=_("Stored in international format, e.g. +6281234567890."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.INDONESIAN
    )
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=10,
        choices=PreferredChannel.choices,
        default=PreferredChannel.EMAIL,
        # Optional in forms (a form posted without it, as before the field existed, keeps
        # email): contact_save fills it.
        blank=True,
        help_text=_("How the contact asked to be reached, e.g. for session reminders."),
    )
    whatsapp_opt_in_at = models.DateTimeField(
        _("WhatsApp opt-in"),
        null=True,
        blank=True,
        help_text=_("When the contact agreed to receive WhatsApp messages from the office."),
    )
    whatsapp_opt_in_source = models.CharField(
        _("how the WhatsApp opt-in was given"),
        max_length=200,
        blank=True,
        help_text=_("E.g. a signed attendance list, a WhatsApp message to the office, the RSVP page."),
    )
    whatsapp_opt_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("WhatsApp opt-in recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purpose = models.CharField(
        _("purpose of processing"),
        max_length=200,
        default="Sosialisasi dan pendampingan Sensus Penduduk Online",
    )
    consent_source = models.CharField(
        _("source of the data"),
        max_length=200,
        help_text=_("Where the details came from, e.g. a regional government list."),
    )
    lawful_basis = models.CharField(
        _("lawful basis"), max_length=20, choices=LawfulBasis.choices, default=LawfulBasis.PUBLIC_TASK
    )
    consent_date = models.DateField(_("recorded on"))
    opted_out_at = models.DateTimeField(_("opted out"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("institution"), FieldPanel("media_partner")],
            heading=_("Organisation (one of the two)"),
        ),
        FieldPanel("name"),
        FieldPanel("position"),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldRowPanel([FieldPanel("preferred_language"), FieldPanel("preferred_channel")]),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("whatsapp_opt_in_at"), FieldPanel("whatsapp_opt_in_source")])],
            heading=_("WhatsApp opt-in"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("purpose"),
                FieldPanel("consent_source"),
                FieldRowPanel([FieldPanel("lawful_basis"), FieldPanel("consent_date")]),
                FieldPanel("opted_out_at"),
            ],
            heading=_("Personal data record"),
        ),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [("export_contact", _("Can export contacts"))]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(institution__isnull=False, media_partner__isnull=True)
                    | models.Q(institution__isnull=True, media_partner__isnull=False)
                ),
                name="contact_has_one_organisation",
                violation_error_message=_(
                    "A contact belongs to an institution or to a media partner, not both."
                ),
            ),
        ]
        indexes = [
            models.Index(Lower("email"), name="contact_email_lower"),
            models.Index(fields=["phone"], name="contact_phone"),
        ]

    def __str__(self):
        return self.name

    @property
    def organisation(self):
        return self.institution or self.media_partner

    @property
    def is_erased(self):
        return self.erased_at is not None


class ErasedIdentity(models.Model):
    """A keyed hash of an erased person's email or phone, so imports can refuse them.

    Stores no readable personal data: HMAC-SHA256 under SECRET_KEY (rotating the key
    means re-hashing is impossible; keep ``SECRET_KEY_FALLBACKS`` out of this).
    """

    digest = models.CharField(max_length=64, unique=True)
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("erased identity")
        verbose_name_plural = _("erased identities")

    def __str__(self):
        return f"{self.digest[:12]}…"


@functools.cache
def _models_by_name() -> dict:
    """Every model by its label and its bare name (the first app's wins a shared name),
    built once: the log's list names the data of each of its rows."""
    from django.apps import apps

    found = {}
    for model in apps.get_models():
        found.setdefault(model._meta.model_name, model)
        found[model._meta.label_lower] = model
    return found


class PersonalDataLog(models.Model):
    """Who viewed, exported, merged or erased personal data, and how much."""

    class Action(models.TextChoices):
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        MERGE = "merge", _("Merge")
        ERASE = "erase", _("Erase")
        CONFIRM = "confirm", _("Purpose confirmed")
        OPT_IN = "opt_in", _("WhatsApp opt-in changed")
        # A contact stopped a channel (or every channel) from its unsubscribe link: the
        # withdrawal of consent UU 27/2022 lets them make at any time.
        WITHDRAW = "withdraw", _("Unsubscribed (consent withdrawn)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    model = models.CharField(_("data"), max_length=100)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data log entry")
        verbose_name_plural = _("personal data log")

    def __str__(self):
        when = f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} · " if self.created_at else ""
        return f"{when}{self.get_action_display()} · {self.data_label()} ({self.row_count})"

    def data_label(self) -> str:
        """The data's name as people read it ("contacts"), from the model stored as a
        label ("institutions.contact") or a bare model name ("contact")."""
        model = _models_by_name().get(self.model.lower())
        return str(model._meta.verbose_name_plural) if model else self.model


class ImportRun(models.Model):
    """One upload of an institution list, from validation to the written result."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        VALIDATING = "validating", _("Checking rows")
        INVALID = "invalid", _("Rows have errors")
        VALID = "valid", _("Ready to import")
        WRITING = "writing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    source = models.CharField(_("source of the data"), max_length=200)
    lawful_basis = models.CharField(_("lawful basis"), max_length=20, choices=Contact.LawfulBasis.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    commit = models.BooleanField(default=False, help_text="Write after validating.")
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_percent(self):
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
