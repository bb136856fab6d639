import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from .blocks import BaseStreamBlock

# --- Regions --------------------------------------------------------------------------


class Region(models.Model):
    """An administrative area keyed by its BPS (statistical) code.

    The BPS code's length gives the level: 2 digits for a province, 4 for a regency or
    city, 7 for a district (kecamatan), 10 for a village (desa/kelurahan).
    """

    purges_page_cache = True  # shown on public pages: see CoreConfig

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency/city")
        DISTRICT = "district", _("District")
        VILLAGE = "village", _("Village")

    CODE_LENGTHS = {2: Level.PROVINCE, 4: Level.REGENCY, 7: Level.DISTRICT, 10: Level.VILLAGE}
    PARENT_LEVEL = {
        Level.REGENCY: Level.PROVINCE,
        Level.DISTRICT: Level.REGENCY,
        Level.VILLAGE: Level.DISTRICT,
    }

    code = models.CharField(
        _("BPS code"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^\d{2}(\d{2}(\d{3}(\d{3})?)?)?$", _("Not a BPS code."))],
    )
    kemendagri_code = models.CharField(_("Kemendagri code"), max_length=13, blank=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(
        _("kind"), max_length=20, blank=True, help_text=_("kabupaten or kota, for regencies")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    population = models.PositiveIntegerField(_("population (SP2020)"), null=True, blank=True)
    # Where the campaign map (campaign.response.maps) centres the area's circle; empty:
    # the mean of its institutions' coordinates.
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_(
            "Centre of the area on the campaign map, in decimal degrees; empty: the mean of its institutions."
        ),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @classmethod
    def level_for_code(cls, code):
        return cls.CODE_LENGTHS.get(len(code or ""))

    def clean(self):
        expected = self.level_for_code(self.code)
        if expected and self.level != expected:
            raise ValidationError({"level": _("A code of this length belongs to %s.") % expected})
        if self.level != self.Level.PROVINCE:
            if self.parent is None:
                raise ValidationError({"parent": _("Only a province has no parent.")})
            if self.parent.level != self.PARENT_LEVEL[self.level]:
                raise ValidationError({"parent": _("The parent is at the wrong level.")})
            if not self.code.startswith(self.parent.code):
                raise ValidationError({"code": _("The code must start with its parent's code.")})


# --- Offices --------------------------------------------------------------------------


class Office(ClusterableModel):
    """A statistics office: the province's (no parent) or a regency/city office under it.

    Its area is regions; it covers every region under them (BPS codes are prefixes of
    their children's). Staff belong to one office (``OfficeMember``) and keep their roles
    (the groups of ``campaign.core.services``): a role is exercised in the office's area.
    The province office, and staff in no office, see the whole province.
    """

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("BPS code"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("Four digits, e.g. 5300 or 5371."))],
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Empty for the province office."),
    )
    area = ParentalManyToManyField(
        Region,
        verbose_name=_("area"),
        blank=True,
        related_name="offices",
        limit_choices_to={"level__in": ["province", "regency", "district"]},
        help_text=_("A regency includes all its districts and villages."),
    )
    section = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("site section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The part of the site a regency office's staff write in (e.g. its own news "
            "index): their roles' page permissions apply under this page only. Without it "
            "they edit no pages. The province office's staff keep the whole site."
        ),
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("parent"),
        FieldPanel("area"),
        FieldPanel("section"),
        InlinePanel("members", label=_("Staff")),
        InlinePanel(
            "letterheads",
            label=_("Letterhead"),
            max_num=1,
            help_text=_("The office's own letterhead; without one, the one in the site settings."),
        ),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_province(self):
        return self.parent_id is None


class OfficeMember(Orderable):
    """A staff user's office: one per user (their roles are their groups)."""

    office = ParentalKey(Office, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="office_member",
    )

    panels = [FieldPanel("user")]

    class Meta(Orderable.Meta):
        verbose_name = _("office staff member")
        verbose_name_plural = _("office staff")

    def __str__(self):
        return f"{self.user} → {self.office}"


# --- Campaign -------------------------------------------------------------------------


class Campaign(ClusterableModel):
    """A census outreach campaign: its online period, target and goal."""

    purges_page_cache = True  # shown on public pages: see CoreConfig

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    online_start = models.DateField(_("online phase starts"))
    online_end = models.DateField(
        _("online phase ends (as planned)"),
        help_text=_("Record later extensions below; the latest one is the effective end."),
    )
    target_url = models.URLField(_("online form URL"), default="https://sensus.bps.go.id")
    area = models.ManyToManyField(
        Region,
        verbose_name=_("area"),
        blank=True,
        limit_choices_to={"level__in": [Region.Level.PROVINCE, Region.Level.REGENCY]},
        related_name="campaigns",
    )
    population_base = models.PositiveBigIntegerField(
        _("population base"), help_text=_("Residents in the campaign area.")
    )
    goal_percent = models.DecimalField(
        _("online participation goal (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_active = models.BooleanField(
        _("active"), default=False, help_text=_("The campaign the public site shows.")
    )
    official_online_count = models.PositiveBigIntegerField(
        _("official online count"),
        null=True,
        blank=True,
        help_text=_("People counted online by the official census system, when known."),
    )
    official_count_date = models.DateField(_("official count as of"), null=True, blank=True)
    # Set by ``campaign_carry_over``: the campaign this one was started from. Its contacts'
    # purpose must be confirmed again for this campaign before anyone is invited (UU
    # 27/2022 limits personal data to the purpose it was collected for).
    carried_over_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="carried_over_to",
    )

    class Trajectory(models.TextChoices):
        LINEAR = "linear", _("Linear over the online phase")
        SHAPED = "shaped", _("Shaped by the province's own figures, week by week")

    trajectory = models.CharField(
        _("expected trajectory"),
        max_length=10,
        choices=Trajectory.choices,
        default=Trajectory.LINEAR,
        help_text=_(
            "How much of the goal each area is expected to have reached by a given day. Shaped: "
            "each area is compared with where it would be had it followed the province's curve."
        ),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("short_name"),
        FieldRowPanel([FieldPanel("online_start"), FieldPanel("online_end")]),
        InlinePanel("extensions", label=_("Extensions of the online phase")),
        FieldPanel("target_url"),
        FieldPanel("area"),
        FieldRowPanel([FieldPanel("population_base"), FieldPanel("goal_percent")]),
        FieldPanel("trajectory"),
        FieldRowPanel([FieldPanel("official_online_count"), FieldPanel("official_count_date")]),
        FieldPanel("is_active"),
    ]

    class Meta:
        ordering = ["-online_start"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_campaign",
                violation_error_message=_("Only one campaign can be active."),
            ),
            models.CheckConstraint(
                condition=models.Q(online_end__gte=models.F("online_start")),
                name="campaign_end_after_start",
                violation_error_message=_("The online phase must end after it starts."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def effective_end(self):
        """The end of the online phase after every recorded extension."""
        if hasattr(self, "latest_extension_end"):  # annotated: core.selectors.campaign_get_active
            return max(self.online_end, self.latest_extension_end or self.online_end)
        ends = [extension.new_end for extension in self.extensions.all()]
        return max([self.online_end, *ends])

    @property
    def requires_purpose_confirmation(self) -> bool:
        """A campaign carried over from another reuses its registry: every contact's
        purpose and lawful basis are confirmed for it before they are invited."""
        return self.carried_over_from_id is not None

    @property
    def goal_people(self):
        return round(self.population_base * self.goal_percent / 100)

    def weeks(self):
        """The Monday of every campaign week, first to last (extensions included)."""
        first = self.online_start - datetime.timedelta(days=self.online_start.weekday())
        count = (self.effective_end - first).days // 7 + 1
        return [first + datetime.timedelta(weeks=n) for n in range(count)]


class CampaignExtension(Orderable):
    purges_page_cache = True  # shown on public pages: see CoreConfig
    campaign = ParentalKey(Campaign, on_delete=models.CASCADE, related_name="extensions")
    new_end = models.DateField(_("new end date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    panels = [FieldPanel("new_end"), FieldPanel("reason")]

    class Meta(Orderable.Meta):
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self):
        return f"{self.campaign} → {self.new_end:%Y-%m-%d}"


@register_setting(icon="site")
class CampaignSettings(BaseSiteSetting):
    """Organisation details editors change without a deploy."""

    purges_page_cache = True  # shown on public pages: see CoreConfig

    organisation_name = models.CharField(
        _("organisation"), max_length=200, default="BPS Provinsi Nusa Tenggara Timur"
    )
    hotline = models.CharField(_("hotline"), max_length=40, blank=True)
    whatsapp = models.CharField(
        _("WhatsApp number"),
        max_length=20,
        blank=True,
        help_text=_("International format without spaces, e.g. +6282247291975."),
        validators=[RegexValidator(r"^\+\d{8,15}$", _("Use the format +62…"))],
    )
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    census_form_url = models.URLField(_("online census form URL"), default="https://sensus.bps.go.id")
    hashtag = models.CharField(_("hashtag"), max_length=60, blank=True)

    panels = [
        FieldPanel("organisation_name"),
        MultiFieldPanel(
            [
                FieldPanel("hotline"),
                FieldPanel("whatsapp"),
                FieldPanel("email"),
                FieldPanel("address"),
                FieldPanel("website"),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("census_form_url"),
        FieldPanel("hashtag"),
    ]

    class Meta:
        verbose_name = _("campaign defaults")

    @property
    def whatsapp_link(self):
        return f"https://wa.me/{self.whatsapp.lstrip('+')}" if self.whatsapp else ""


# --- Letterheads -----------------------------------------------------------------------


class LetterheadFields(models.Model):
    """The kop surat of an official letter: the office's name lines, address, logo, and
    the place letters are signed in ("Kupang, 5 Desember 2026")."""

    line_1 = models.CharField(_("first line"), max_length=120, default="BADAN PUSAT STATISTIK")
    line_2 = models.CharField(
        _("second line"), max_length=120, blank=True, help_text=_("e.g. PROVINSI NUSA TENGGARA TIMUR")
    )
    address = models.TextField(_("address"), blank=True, help_text=_("One or two lines."))
    contact_line = models.CharField(
        _("telephone, email, website"), max_length=200, blank=True, help_text=_("Printed under the address.")
    )
    place = models.CharField(
        _("place of signing"), max_length=60, default="Kupang", help_text=_("Printed before the date.")
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    letterhead_panels = [
        FieldPanel("line_1"),
        FieldPanel("line_2"),
        FieldPanel("address"),
        FieldPanel("contact_line"),
        FieldRowPanel([FieldPanel("place"), FieldPanel("logo")]),
    ]

    class Meta:
        abstract = True


@register_setting(icon="doc-full")
class LetterheadSettings(LetterheadFields, BaseSiteSetting):
    """The letterhead of letters from the province office (and of every office that has
    none of its own)."""

    panels = LetterheadFields.letterhead_panels

    class Meta:
        verbose_name = _("letterhead")

    def __str__(self):
        return f"{self.line_1} {self.line_2}".strip()


class OfficeLetterhead(LetterheadFields, Orderable):
    """An office's own letterhead (a regency office's kop surat)."""

    office = ParentalKey(Office, on_delete=models.CASCADE, related_name="letterheads")

    panels = LetterheadFields.letterhead_panels

    class Meta(Orderable.Meta):
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self):
        return f"{self.line_1} {self.line_2}".strip()


# --- Pages ----------------------------------------------------------------------------


class HomePage(Page):
    """The site's front page: the active campaign and the way to the online form."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    cta_label = models.CharField(_("button text"), max_length=80, default="Isi Sensus Penduduk Online")
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("cta_label"),
        FieldPanel("body"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    memo_route = True  # see campaign.core.memo.route

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Wagtail's routing, remembered per process until the next publication (the
        site's root page routes every public URL; see ``campaign.core.memo``)."""
        from . import memo

        return memo.route(self, request, path_components, super().route)

    def get_view_restrictions(self):
        from . import memo

        restrictions = memo.view_restrictions(self)
        return super().get_view_restrictions() if restrictions is None else restrictions

    def get_context(self, request, *args, **kwargs):
        from .selectors import campaign_get_active, home_sections

        context = super().get_context(request, *args, **kwargs)
        context["campaign"] = campaign_get_active()
        context["sections"] = home_sections(home=self)
        return context
