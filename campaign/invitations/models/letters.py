"""Official letters: their templates, the per-(office, year) number counter, and the
register of outgoing letters (one row per numbered letter: the office's agenda)."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import RichTextField

from .messaging import Batch, Recipient, validate_header_text, validate_merge_fields

LETTER_FEATURES = ["bold", "italic", "ol", "ul", "link"]

# What a number format may say, and what each placeholder becomes.
NUMBER_FIELDS = {
    "seq": _("the letter's sequence number in the office and year (1, 2, 3 …)"),
    "month_roman": _("the month in Roman numerals (XII)"),
    "month": _("the month as a number (12)"),
    "year": _("the year (2026)"),
    "office_code": _("the office's BPS code (5300)"),
}
_BRACES = re.compile(r"\{([^{}]*)\}")


def validate_number_format(value):
    """Every ``{…}`` names a known placeholder, ``{seq}`` is there, braces are paired."""
    names = _BRACES.findall(value or "")
    unknown = sorted({name for name in names if name not in NUMBER_FIELDS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholders: %(names)s. Use %(known)s."),
            params={
                "names": ", ".join("{" + name + "}" for name in unknown),
                "known": ", ".join("{" + name + "}" for name in NUMBER_FIELDS),
            },
            code="unknown_placeholder",
        )
    if "seq" not in names:
        raise ValidationError(_("The number must contain {seq}."), code="no_seq")
    if "{" in _BRACES.sub("", value) or "}" in _BRACES.sub("", value):
        raise ValidationError(_("A “{” or “}” without its pair."), code="unpaired_brace")


class LetterTemplate(models.Model):
    """An official letter (surat): number format, subject (perihal), attachments line,
    body with the email templates' merge fields and optional blocks, and signatory."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    number_format = models.CharField(
        _("number format"),
        max_length=120,
        default="B-{seq}/{office_code}/HM.340/{month_roman}/{year}",
        validators=[validate_number_format],
        help_text=_(
            "For example B-{seq}/5300/HM.340/{month_roman}/{year}. Placeholders: {seq}, "
            "{month_roman}, {month}, {year}, {office_code}. Numbers run per office and year."
        ),
    )
    subject = models.CharField(
        _("subject (perihal)"), max_length=300, validators=[validate_header_text, validate_merge_fields]
    )
    attachments = models.CharField(
        _("attachments (lampiran)"),
        max_length=200,
        default="-",
        blank=True,
        help_text=_("For example: 1 (satu) berkas. “-” when there is none."),
    )
    body = RichTextField(_("body"), features=LETTER_FEATURES, validators=[validate_merge_fields])
    signatory_name = models.CharField(_("signatory's name"), max_length=150)
    signatory_position = models.CharField(
        _("signatory's position"),
        max_length=200,
        help_text=_("For example: Kepala Badan Pusat Statistik Provinsi Nusa Tenggara Timur"),
    )
    signatory_nip = models.CharField(
        _("signatory's NIP"),
        max_length=21,
        blank=True,
        validators=[
            RegexValidator(r"^\d{8} ?\d{6} ?\d ?\d{3}$", _("18 digits, e.g. 19700101 199003 1 001."))
        ],
    )
    signature_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("signature image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Optional: a scanned signature (and stamp), printed above the name."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        FieldPanel("name"),
        HelpPanel(heading=_("Merge fields"), template="invitations/admin/merge_fields_panel.html"),
        MultiFieldPanel(
            [FieldPanel("number_format"), FieldPanel("attachments"), FieldPanel("subject")],
            heading=_("Number, attachments, subject"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("signatory_name"), FieldPanel("signatory_nip")]),
                FieldPanel("signatory_position"),
                FieldPanel("signature_image"),
            ],
            heading=_("Signatory"),
        ),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self):
        return self.name


class LetterCounter(models.Model):
    """The last number given in an office (``office_key``: its id, 0 for none) and year.
    Read with ``select_for_update`` by whoever numbers letters: never reused or skipped."""

    office_key = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office_key", "year"], name="letter_counter_once")]

    def __str__(self):
        return f"{self.office_key}/{self.year}: {self.last}"


class Letter(models.Model):
    """A numbered letter: what was printed, kept as it was (a later change of template or
    contact does not change an issued letter). The register of outgoing letters."""

    wagtail_reference_index_ignore = True

    recipient = models.OneToOneField(
        Recipient, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="letter"
    )
    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="letters"
    )
    office = models.ForeignKey(
        "core.Office",
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    office_key = models.PositiveIntegerField(editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=150)
    date = models.DateField(_("date"))
    addressee = models.CharField(_("addressee"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    institution = models.CharField(_("institution"), max_length=255, blank=True)
    address = models.TextField(_("address"), blank=True)
    subject = models.CharField(_("subject (perihal)"), max_length=300)
    attachments = models.CharField(_("attachments"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    rsvp_url = models.URLField(_("RSVP link"), max_length=500)
    signatory_name = models.CharField(_("signatory"), max_length=150)
    signatory_position = models.CharField(_("signatory's position"), max_length=200)
    signatory_nip = models.CharField(_("signatory's NIP"), max_length=21, blank=True)
    created_at = models.DateTimeField(_("numbered"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "office_key", "-seq"]
        verbose_name = _("outgoing letter")
        verbose_name_plural = _("register of outgoing letters")
        permissions = [("export_letter", _("Can export the register of outgoing letters"))]
        constraints = [
            models.UniqueConstraint(fields=["office_key", "year", "seq"], name="letter_number_once"),
        ]

    def __str__(self):
        return self.number
