"""Field work: teams, their weekly targets, visit plans, guided sessions, Rakorcam."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from campaign.core.phones import PhoneNumberField


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of the campaign week that contains ``day`` (weeks start on Monday)."""
    return day - datetime.timedelta(days=day.weekday())


def _validate_monday(value):
    if value.weekday() != 0:
        raise ValidationError(_("A campaign week starts on a Monday."))


class Team(ClusterableModel):
    """A guiding team: its members visit institutions and guide them through the form."""

    campaign = models.ForeignKey(
        "core.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        "core.Region",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": ["regency", "district"]},
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="field_teams",
        # The group roles_sync keeps (campaign.core.services.FIELD_TEAM): it is what lets a
        # member into the admin with their own team's permissions.
        limit_choices_to={"groups__name": "Field team"},
        help_text=_("Users in the “Field team” group."),
    )
    phone = PhoneNumberField(_("team phone / WhatsApp"), blank=True, help_text=_("Printed on guides."))
    default_weekly_target = models.PositiveSmallIntegerField(
        _("institutions per week"), default=10, validators=[MaxValueValidator(200)]
    )

    panels = [
        FieldPanel("campaign"),
        FieldPanel("name"),
        FieldPanel("area"),
        FieldRowPanel([FieldPanel("leader"), FieldPanel("phone")]),
        FieldPanel("members"),
        FieldPanel("default_weekly_target"),
        InlinePanel("week_targets", label=_("Targets for particular weeks")),
    ]

    class Meta:
        ordering = ["campaign", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        permissions = [("manage_all_teams", _("Can see and edit the work of every team"))]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="team_unique_name"),
        ]

    def __str__(self):
        return self.name


class TeamWeekTarget(Orderable):
    team = ParentalKey(Team, on_delete=models.CASCADE, related_name="week_targets")
    week = models.DateField(_("week starting"), validators=[_validate_monday])
    target = models.PositiveSmallIntegerField(_("institutions"), validators=[MaxValueValidator(200)])

    panels = [FieldRowPanel([FieldPanel("week"), FieldPanel("target")])]

    class Meta(Orderable.Meta):
        verbose_name = _("weekly target")
        verbose_name_plural = _("weekly targets")
        constraints = [
            models.UniqueConstraint(fields=["team", "week"], name="team_week_target_unique"),
        ]

    def __str__(self):
        return f"{self.team} {self.week:%Y-%m-%d}: {self.target}"


class Assignment(models.Model):
    """An institution in a team's plan for a week (and, optionally, a day)."""

    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="assignments"
    )
    week = models.DateField(_("week starting"), validators=[_validate_monday])
    planned_date = models.DateField(_("planned day"), null=True, blank=True)
    from_proposal = models.BooleanField(
        _("from the proposal"),
        default=False,
        help_text=_("Planned by accepting the weekly proposal ranked by the area's official response."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["week", "team", "institution__name"]
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "week"],
                name="assignment_one_team_per_week",
                violation_error_message=_("This institution is already planned for that week."),
            ),
        ]
        indexes = [models.Index(fields=["week", "team"])]

    def __str__(self):
        return f"{self.institution} → {self.team} ({self.week:%Y-%m-%d})"

    def clean(self):
        if self.planned_date and week_start(self.planned_date) != self.week:
            raise ValidationError({"planned_date": _("The day must fall in the planned week.")})


class GuidedSession(models.Model):
    """A visit where a team guides an institution's leaders and staff through the form."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")

    institution = models.ForeignKey(
        "institutions.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("date and time"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    # The campaign week (Monday, WITA) of ``starts_at``, kept for fast weekly reports.
    week = models.DateField(editable=False)
    people_guided = models.PositiveIntegerField(_("people guided"), default=0)
    people_completed = models.PositiveIntegerField(
        _("people who completed the form"),
        default=0,
        help_text=_("During or after the session: “until their data is enumerated”."),
    )
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="sessions/%Y/%m/", blank=True)
    # Set by the field app: a retried upload carries the same id and changes nothing.
    client_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        FieldPanel("institution"),
        FieldRowPanel([FieldPanel("team"), FieldPanel("starts_at")]),
        FieldPanel("status"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("people_guided"), FieldPanel("people_completed")]),
                FieldPanel("follow_up_needed"),
            ],
            heading=_("Result"),
        ),
        FieldPanel("notes"),
        FieldPanel("photo"),
    ]

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("guided session")
        verbose_name_plural = _("guided sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(people_completed__lte=models.F("people_guided")),
                name="session_completed_not_above_guided",
                violation_error_message=_("More people completed the form than were guided."),
            ),
        ]
        indexes = [
            models.Index(fields=["team", "starts_at"]),
            models.Index(fields=["institution", "status"]),
            # The sessions report lists the latest first.
            models.Index(fields=["-starts_at"], name="session_latest_first"),
            # Covers the dashboard's weekly sums without reading the table.
            models.Index(
                fields=["status", "week", "team", "institution", "people_guided", "people_completed"],
                name="session_weekly_report",
            ),
        ]

    def __str__(self):
        return f"{self.institution} ({self.starts_at:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        # Derived, not a business rule: the week always follows the date. Code that
        # bulk-creates sessions sets it itself (see random_data.create_fieldwork).
        if self.starts_at is not None:
            self.week = self.week_of(self.starts_at)
        super().save(*args, **kwargs)

    def clean(self):
        if self.status != self.Status.HELD and (self.people_guided or self.people_completed):
            raise ValidationError({"people_guided": _("Only a session that was held has people guided.")})

    @staticmethod
    def week_of(starts_at):
        """The campaign week (its Monday, in WITA) of a date and time."""
        return week_start(timezone.localtime(starts_at).date())


class CoordinationMeeting(ClusterableModel):
    """A sub-district coordination meeting (Rakorcam) that teams attend."""

    campaign = models.ForeignKey(
        "core.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="+"
    )
    district = models.ForeignKey(
        "core.Region",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "district"},
    )
    date = models.DateField(_("date"))
    teams = ParentalManyToManyField(Team, verbose_name=_("teams present"), blank=True)
    attendees = models.PositiveIntegerField(_("attendees"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    panels = [
        FieldPanel("campaign"),
        FieldRowPanel([FieldPanel("district"), FieldPanel("date")]),
        FieldPanel("teams"),
        FieldPanel("attendees"),
        FieldPanel("notes"),
        InlinePanel("commitments", label=_("Commitments")),
    ]

    class Meta:
        ordering = ["-date"]
        verbose_name = _("coordination meeting (Rakorcam)")
        verbose_name_plural = _("coordination meetings (Rakorcam)")

    def __str__(self):
        return f"Rakorcam {self.district.name} {self.date:%d-%m-%Y}"


class MeetingCommitment(Orderable):
    meeting = ParentalKey(CoordinationMeeting, on_delete=models.CASCADE, related_name="commitments")
    description = models.CharField(_("commitment"), max_length=300)
    owner = models.CharField(_("owner"), max_length=150)
    due_date = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    panels = [
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("owner"), FieldPanel("due_date"), FieldPanel("done")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self):
        return self.description


class SessionWeekTally(models.Model):
    """A campaign week's guided sessions in one regency, counted: derived data, rewritten
    by ``services.session_tallies_refresh`` whenever a session is recorded, moved or
    deleted (or its institution moves to another region), so that the dashboard reads a
    few rows per week instead of every session (the distinct institutions held per week
    over 200,000 sessions was its costliest query). By regency so that a regency
    office's dashboard reads its own rows: an institution lies in one regency, so the
    regencies' distinct institutions add up to the campaign's. Never edited by hand."""

    campaign = models.ForeignKey("core.Campaign", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    # The BPS code of the institutions' regency (the first four digits of their region's).
    regency = models.CharField(max_length=4, default="")
    held_sessions = models.PositiveIntegerField(default=0)
    # Distinct institutions with a held session that week, across all the campaign's teams.
    institutions_held = models.PositiveIntegerField(default=0)
    people_guided = models.PositiveIntegerField(default=0)
    people_completed = models.PositiveIntegerField(default=0)
    # Planned or rescheduled sessions (not yet held).
    open_sessions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "week", "regency"], name="session_tally_campaign_week_regency"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.week:%Y-%m-%d} {self.regency}: {self.held_sessions}"


class SessionTeamTally(models.Model):
    """A team's held sessions in a campaign week, by the regency of the institutions it
    guided: the dashboard's team table and its sessions-this-week by regency, read
    from a few hundred rows instead of the week's sessions joined to their institutions.
    Kept with ``SessionWeekTally`` by ``services.session_tallies_refresh``."""

    campaign = models.ForeignKey("core.Campaign", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    regency = models.CharField(max_length=4, default="")
    held_sessions = models.PositiveIntegerField(default=0)
    # Distinct institutions of the regency the team held a session with that week.
    institutions_held = models.PositiveIntegerField(default=0)
    people_guided = models.PositiveIntegerField(default=0)
    people_completed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "week", "team", "regency"], name="session_team_tally_unique"
            ),
        ]

    def __str__(self):
        return f"{self.team_id} {self.week:%Y-%m-%d} {self.regency}: {self.held_sessions}"
