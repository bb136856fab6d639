"""What is sent: email templates, saved audiences, batches and their recipients."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField

from ..forms import AudienceForm, BatchForm, ChannelSuppressionForm
from ..merge import block_errors, unknown_merge_fields

EMAIL_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "hr"]


def validate_header_text(value):
    """A subject is one header line: CR/LF (or other line breaks) would let a value
    inject headers."""
    if any(ch in value for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        raise ValidationError(_("Line breaks are not allowed here."), code="header_injection")


def validate_merge_fields(value):
    unknown = unknown_merge_fields(value or "")
    if unknown:
        raise ValidationError(
            _("Unknown merge fields: %(fields)s."),
            params={"fields": ", ".join("{{ " + name + " }}" for name in unknown)},
            code="unknown_merge_field",
        )
    errors = block_errors(value or "")
    if errors:
        raise ValidationError(errors, code="optional_block")


def _field_names(text: str) -> list[str]:
    """The merge fields of a comma-separated list (a WhatsApp template's parameters)."""
    return [name.strip() for name in text.split(",") if name.strip()]


def _unknown_fields_error(names: list[str]) -> str | None:
    from ..merge import MERGE_FIELDS

    unknown = [name for name in names if name not in MERGE_FIELDS]
    return _("Unknown merge fields: %(fields)s.") % {"fields": ", ".join(unknown)} if unknown else None


# The languages a WhatsApp template is approved in, the first for every other contact.
validate_whatsapp_languages = RegexValidator(
    r"^[a-z]{2,3}(_[A-Z]{2})?(\s*,\s*[a-z]{2,3}(_[A-Z]{2})?)*$",
    _("Language codes such as id, en or en_US, separated by commas."),
)
WHATSAPP_LANGUAGES_HELP = _(
    "The languages the template is approved in, separated by commas; the first is sent to "
    "everyone whose language is not listed. “id, en” sends the English version to contacts "
    "who prefer English."
)


def whatsapp_languages_field():
    """The languages a WhatsApp template is approved in, as a batch and the reminder
    template both name them."""
    return models.CharField(
        _("WhatsApp template languages"),
        max_length=40,
        blank=True,
        default="id",
        validators=[validate_whatsapp_languages],
        help_text=WHATSAPP_LANGUAGES_HELP,
    )


def whatsapp_language_for(languages: str, language: str) -> str:
    """The template language to send a contact who prefers ``language`` (id, en)."""
    codes = [code.strip() for code in (languages or "").split(",") if code.strip()] or ["id"]
    return next((code for code in codes if code.split("_")[0] == language), codes[0])


class EmailTemplate(models.Model):
    """Subject and body of an invitation, in Indonesian and English."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    subject_id = models.CharField(
        _("subject (Indonesian)"), max_length=200, validators=[validate_header_text, validate_merge_fields]
    )
    body_id = RichTextField(
        _("body (Indonesian)"), features=EMAIL_FEATURES, validators=[validate_merge_fields]
    )
    subject_en = models.CharField(
        _("subject (English)"),
        max_length=200,
        blank=True,
        validators=[validate_header_text, validate_merge_fields],
        help_text=_("Leave empty to send the Indonesian version to everyone."),
    )
    body_en = RichTextField(
        _("body (English)"), features=EMAIL_FEATURES, blank=True, validators=[validate_merge_fields]
    )
    button_label_id = models.CharField(_("button text (Indonesian)"), max_length=60, default="Jawab undangan")
    button_label_en = models.CharField(_("button text (English)"), max_length=60, default="Reply")
    campaign = models.ForeignKey(
        "core.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: usable in every campaign."),
    )
    for_session_reminders = models.BooleanField(
        _("send as the reminder the day before a session"),
        default=False,
        help_text=_(
            "Contacts who accepted a guided session get this message the day before it (from "
            "08.00 WITA). With several such templates, the one changed last is used."
        ),
    )
    # The same reminder for contacts who chose WhatsApp or SMS (session_reminders):
    # the template marked for reminders says what every channel sends.
    whatsapp_template = models.CharField(
        _("WhatsApp template name for the reminder"),
        max_length=512,
        blank=True,
        help_text=_(
            "Only for the reminder the day before a session: the name of a template approved "
            "for the WhatsApp Business account. Contacts who prefer WhatsApp and opted in get "
            "it; empty: they get the email."
        ),
    )
    whatsapp_language = whatsapp_languages_field()
    whatsapp_parameters = models.CharField(
        _("WhatsApp body parameters"),
        max_length=300,
        blank=True,
        default="contact_name, team, session_date",
        help_text=_("Merge fields for {{1}}, {{2}}, … of the template body, separated by commas."),
    )
    sms_text = models.TextField(
        _("SMS text of the reminder"),
        blank=True,
        validators=[validate_merge_fields],
        help_text=_(
            "Only for the reminder the day before a session, to contacts who prefer SMS; "
            "empty: they get the email. {{ rsvp_link }} becomes a short link."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("campaign")]),
        FieldPanel("for_session_reminders"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("whatsapp_template"), FieldPanel("whatsapp_language")]),
                FieldPanel("whatsapp_parameters"),
                FieldPanel("sms_text"),
            ],
            heading=_("Session reminder by WhatsApp and SMS"),
            classname="collapsed",
        ),
        HelpPanel(heading=_("Merge fields"), template="invitations/admin/merge_fields_panel.html"),
        MultiFieldPanel(
            [FieldPanel("subject_id"), FieldPanel("body_id"), FieldPanel("button_label_id")],
            heading=_("Indonesian"),
        ),
        MultiFieldPanel(
            [FieldPanel("subject_en"), FieldPanel("body_en"), FieldPanel("button_label_en")],
            heading=_("English"),
        ),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")

    def __str__(self):
        return self.name

    def whatsapp_fields(self) -> list[str]:
        return _field_names(self.whatsapp_parameters)

    def clean(self):
        error = _unknown_fields_error(self.whatsapp_fields())
        if error:
            raise ValidationError({"whatsapp_parameters": error})

    def version(self, language):
        """(subject, body, button label) in ``language``, falling back to Indonesian."""
        if language == "en" and self.subject_en and self.body_en:
            return self.subject_en, self.body_en, self.button_label_en
        return self.subject_id, self.body_id, self.button_label_id


class Audience(models.Model):
    """A saved filter: who a batch goes to. Counted again when a batch starts."""

    class Target(models.TextChoices):
        INSTITUTIONS = "institutions", _("Institution contacts")
        MEDIA = "media", _("Media partner contacts")

    name = models.CharField(_("name"), max_length=120, unique=True)
    campaign = models.ForeignKey(
        "core.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Empty: every campaign. A campaign carried over from another reaches only the "
            "contacts whose purpose was confirmed for it."
        ),
    )
    target = models.CharField(_("who"), max_length=12, choices=Target.choices, default=Target.INSTITUTIONS)
    kinds = models.ManyToManyField(
        "institutions.InstitutionKind", verbose_name=_("institution kinds"), blank=True, related_name="+"
    )
    regions = models.ManyToManyField(
        "core.Region",
        verbose_name=_("regions"),
        blank=True,
        related_name="+",
        limit_choices_to={"level__in": ["province", "regency", "district"]},
        help_text=_("A regency includes all its districts."),
    )
    statuses = models.JSONField(_("campaign statuses"), default=list, blank=True)
    teams = models.ManyToManyField("institutions.Team", verbose_name=_("teams"), blank=True, related_name="+")
    week = models.DateField(
        _("planned week"),
        null=True,
        blank=True,
        help_text=_("Only institutions planned for this week (a Monday)."),
    )
    mediums = models.JSONField(_("media"), default=list, blank=True)
    office = models.ForeignKey(
        "core.Office",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Its creator's office: a regency office's audiences reach only its area."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    base_form_class = AudienceForm

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("campaign")]),
        FieldPanel("target"),
        MultiFieldPanel(
            [
                FieldPanel("kinds"),
                FieldPanel("regions"),
                FieldPanel("statuses"),
                FieldRowPanel([FieldPanel("teams"), FieldPanel("week")]),
            ],
            heading=_("Institutions"),
        ),
        MultiFieldPanel([FieldPanel("mediums")], heading=_("Media partners")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self):
        return self.name


class Channel(models.TextChoices):
    """How a batch reaches its recipients. WhatsApp and SMS go to the contact's phone
    (E.164) through the backend the settings name (``WHATSAPP_BACKEND``, ``SMS_BACKEND``)."""

    EMAIL = "email", _("Email")
    LETTER = "letter", _("Official letter")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


PHONE_CHANNELS = (Channel.WHATSAPP, Channel.SMS)


class Batch(models.Model):
    """One sending of a template to an audience; one Recipient row per address (per
    institution for a letter batch)."""

    Channel = Channel

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Done")

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        SESSION = "session", _("Reminder the day before a session")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVITATION)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.EMAIL,
        help_text=_(
            "An official letter is numbered and printed (one per institution, to its head) "
            "instead of being emailed."
        ),
    )
    template = models.ForeignKey(
        EmailTemplate,
        verbose_name=_("email template"),
        on_delete=models.PROTECT,
        related_name="batches",
        null=True,
        blank=True,
    )
    whatsapp_template = models.CharField(
        _("WhatsApp template name"),
        max_length=512,
        blank=True,
        help_text=_(
            "The name of a template approved for the WhatsApp Business account. Its body "
            "parameters are filled in the order given below."
        ),
    )
    whatsapp_language = whatsapp_languages_field()
    whatsapp_parameters = models.CharField(
        _("WhatsApp body parameters"),
        max_length=300,
        blank=True,
        default="contact_name, institution, rsvp_link",
        help_text=_("Merge fields for {{1}}, {{2}}, … of the template body, separated by commas."),
    )
    sms_text = models.TextField(
        _("SMS text"),
        blank=True,
        help_text=_(
            "With merge fields; {{ rsvp_link }} becomes a short link. More than 160 characters "
            "(70 with characters outside the GSM alphabet) are sent as several parts."
        ),
    )
    letter_template = models.ForeignKey(
        "invitations.LetterTemplate",
        verbose_name=_("letter template"),
        on_delete=models.PROTECT,
        related_name="batches",
        null=True,
        blank=True,
    )
    audience = models.ForeignKey(
        Audience,
        verbose_name=_("audience"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reminder of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
    )
    team = models.ForeignKey(
        "institutions.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Guides institutions that have no visit plan."),
    )
    proposed_at = models.DateTimeField(
        _("proposed session time"),
        null=True,
        blank=True,
        help_text=_("Used when an institution's visit plan has no day."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    days_before_end = models.PositiveSmallIntegerField(
        _("days before the online phase closes"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "Instead of a date: send this many days before the last day of the online phase, "
            "at 09.00 WITA. An extension of the campaign moves the sending with it."
        ),
    )
    rate_per_minute = models.PositiveIntegerField(
        _("messages per minute"), default=600, help_text=_("0 sends as fast as the provider accepts.")
    )
    chunk_size = models.PositiveIntegerField(
        _("messages per task"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("At most the provider's batch size."),
    )
    max_consecutive_errors = models.PositiveSmallIntegerField(
        _("pause after this many errors in a row"), default=5, validators=[MinValueValidator(1)]
    )
    consecutive_errors = models.PositiveSmallIntegerField(default=0, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    excluded = models.JSONField(default=dict, blank=True, editable=False)
    office = models.ForeignKey(
        "core.Office",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Its creator's office: a regency office's batches reach only its area."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)

    base_form_class = BatchForm

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("channel")]),
        FieldRowPanel([FieldPanel("template"), FieldPanel("letter_template")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("whatsapp_template"), FieldPanel("whatsapp_language")]),
                FieldPanel("whatsapp_parameters"),
                FieldPanel("sms_text"),
            ],
            heading=_("WhatsApp and SMS"),
        ),
        FieldPanel("audience"),
        FieldRowPanel([FieldPanel("team"), FieldPanel("proposed_at")]),
        FieldRowPanel([FieldPanel("scheduled_at"), FieldPanel("days_before_end")]),
        FieldRowPanel(
            [FieldPanel("rate_per_minute"), FieldPanel("chunk_size"), FieldPanel("max_consecutive_errors")]
        ),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        permissions = [("send_batch", _("Can send, pause and cancel batches"))]

    def __str__(self):
        return self.name

    @property
    def template_name(self):
        if self.channel == Channel.WHATSAPP:
            return self.whatsapp_template
        if self.channel == Channel.SMS:
            return str(Channel.SMS.label)
        return str(self.letter_template if self.channel == Channel.LETTER else self.template or "")

    @property
    def is_letter(self):
        return self.channel == Channel.LETTER

    @property
    def is_phone(self):
        return self.channel in PHONE_CHANNELS

    def whatsapp_fields(self) -> list[str]:
        return _field_names(self.whatsapp_parameters)

    def _related(self, name):
        if name in self._state.fields_cache:
            return self._state.fields_cache[name]
        return getattr(self, name) if getattr(self, f"{name}_id") is not None else None

    def clean(self):
        errors = {}
        # The related objects, not only their ids: a template saved after the batch was
        # built has an id the batch has not read yet.
        template, letter_template = self._related("template"), self._related("letter_template")
        if self.channel == Channel.LETTER:
            if letter_template is None:
                errors["letter_template"] = _("A letter batch needs a letter template.")
            if template is not None:
                errors["template"] = _("A letter batch uses a letter template, not an email one.")
            if self.kind != self.Kind.INVITATION:
                errors["channel"] = _("Reminders go by email.")
        elif self.channel in PHONE_CHANNELS:
            errors.update(self._phone_errors(template, letter_template))
        else:
            if template is None:
                errors["template"] = _("An email batch needs an email template.")
            if letter_template is not None:
                errors["letter_template"] = _("Only a letter batch uses a letter template.")
        if self.status == self.Status.DRAFT and self.scheduled_at and self.days_before_end is not None:
            errors["days_before_end"] = _(
                "Give a date to send at or a number of days before the end, not both."
            )
        if errors:
            raise ValidationError(errors)

    def _phone_errors(self, template, letter_template) -> dict:
        errors = {}
        if template is not None or letter_template is not None:
            errors["template"] = _(
                "A WhatsApp or SMS batch uses its own text, not an email or letter template."
            )
        if self.channel == Channel.WHATSAPP:
            if not self.whatsapp_template.strip():
                errors["whatsapp_template"] = _("A WhatsApp batch needs the name of an approved template.")
            error = _unknown_fields_error(self.whatsapp_fields())
            if error:
                errors["whatsapp_parameters"] = error
        else:
            if not self.sms_text.strip():
                errors["sms_text"] = _("An SMS batch needs a text.")
            else:
                try:
                    validate_merge_fields(self.sms_text)
                except ValidationError as error:
                    errors["sms_text"] = error.messages
        return errors


class ChannelSuppression(models.Model):
    """A phone number that one channel (WhatsApp or SMS) never reaches again: the contact
    unsubscribed from it, or the provider refused it for good. Other channels still reach
    the contact unless a row for them exists too ("all channels" on the unsubscribe page)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        # The recipient stopped us in the app itself: WhatsApp error 131050 (marketing
        # messages stopped), Twilio error 21610 (the number replied STOP to an SMS).
        STOPPED = "stopped", _("Stopped by the recipient")
        MANUAL = "manual", _("Added by staff")

    wagtail_reference_index_ignore = True

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        help_text=_("Any Indonesian notation, e.g. 0812-3456-7890 or +62 812 3456 7890."),
    )
    reason = models.CharField(_("reason"), max_length=100, choices=Reason.choices, default=Reason.MANUAL)
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("Provider, link or person that reported it.")
    )
    created_at = models.DateTimeField(_("suppressed"), auto_now_add=True)

    base_form_class = ChannelSuppressionForm

    panels = [FieldRowPanel([FieldPanel("channel"), FieldPanel("phone")]), FieldPanel("source")]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppressed phone number")
        verbose_name_plural = _("suppressed phone numbers")
        constraints = [models.UniqueConstraint(fields=["channel", "phone"], name="channel_suppression_once")]

    def __str__(self):
        return f"{self.phone} ({self.get_channel_display()})"

    def source_display(self) -> str:
        from .tracking import source_label

        return source_label(self.source)


class Recipient(models.Model):
    """One address in one batch. The status only moves forward; opens and clicks are
    separate facts, so a late "opened" never hides a bounce."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        # Handed to the provider without a clear answer (a worker lost mid-send, a
        # timeout after the request went out): never sent again automatically; the
        # provider's webhook or staff, after checking its log, settle it.
        UNCERTAIN = "uncertain", _("Uncertain: check the provider's log")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")
        COMPLAINED = "complained", _("Marked as spam")
        SKIPPED = "skipped", _("Not sent")

    class Answer(models.TextChoices):
        ACCEPT = "accept", _("Accepted")
        DECLINE = "decline", _("Declined")
        PROPOSE = "propose", _("Proposed another time")

    # Written in bulk by senders and webhooks: keep Wagtail's reference index out of it.
    wagtail_reference_index_ignore = True

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="recipients"
    )
    contact = models.ForeignKey(
        "institutions.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    media_partner = models.ForeignKey(
        "institutions.MediaPartner",
        verbose_name=_("media partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "institutions.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    email = models.EmailField(_("email"), blank=True, help_text=_("Empty for a letter."))
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("WhatsApp and SMS (E.164)."))
    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, default="id")
    proposed_at = models.DateTimeField(_("proposed session time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_at = models.DateTimeField(_("status since"), null=True, blank=True)
    message_id = models.CharField(_("message ID"), max_length=255, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    # The worker run that claimed the row (pending → sending): it alone may send it.
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    bounce_kind = models.CharField(_("bounce"), max_length=4, blank=True)  # "hard" / "soft"
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    human_opened_at = models.DateTimeField(_("first opened by a person"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("opens"), default=0)
    machine_open_count = models.PositiveIntegerField(_("machine opens"), default=0)
    clicked_at = models.DateTimeField(_("first clicked"), null=True, blank=True)
    click_count = models.PositiveIntegerField(_("clicks"), default=0)
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_time = models.DateTimeField(_("proposed by the contact"), null=True, blank=True)
    session = models.ForeignKey(
        "institutions.GuidedSession",
        verbose_name=_("guided session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        permissions = [("export_recipient", _("Can export recipients"))]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "email"], condition=~models.Q(email=""), name="recipient_once_per_batch"
            ),
            models.UniqueConstraint(
                fields=["batch", "institution"],
                condition=models.Q(channel="letter"),
                name="letter_once_per_institution",
            ),
            models.UniqueConstraint(
                fields=["batch", "contact"],
                condition=models.Q(channel__in=["whatsapp", "sms"]),
                name="phone_once_per_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="recipient_batch_status"),
            models.Index(fields=["email"], name="recipient_email"),
        ]

    def __str__(self):
        if not self.email:
            return self.name
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def organisation(self):
        return self.institution or self.media_partner

    def address(self):
        """What the recipient lists show first: the email address, the phone, or the channel."""
        return self.email or self.phone or str(self.get_channel_display())

    address.short_description = _("email")


class RsvpAnswer(models.Model):
    """Every answer a contact gave, in order: the recipient row keeps the latest."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(_("answer"), max_length=8, choices=Recipient.Answer.choices)
    proposed_at = models.DateTimeField(_("proposed time"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=Channel.choices,
        blank=True,
        help_text=_("The channel whose link brought the answer."),
    )
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        ordering = ["recipient", "created_at", "pk"]
        verbose_name = _("RSVP answer")
        verbose_name_plural = _("RSVP answers")

    def __str__(self):
        return f"{self.recipient}: {self.answer}"


class ChatTap(models.Model):
    """A staff member opened WhatsApp click-to-chat with a recipient's personal link
    written in (their own WhatsApp sends it, no provider): counted as sent by WhatsApp,
    by that user."""

    wagtail_reference_index_ignore = True

    recipient = models.ForeignKey(
        Recipient, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="chat_taps"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("WhatsApp click-to-chat")
        verbose_name_plural = _("WhatsApp click-to-chats")

    def __str__(self):
        return f"{self.recipient} ({self.created_at:%Y-%m-%d %H:%M})"
