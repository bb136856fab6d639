"""Carrying a campaign over (issue 19): what is copied, what is not, and no contact is
invited in the new campaign before its purpose is confirmed for it (UU 27/2022)."""

import datetime

import pytest
from django.core import mail

from campaign.core.models import Campaign
from campaign.core.services import campaign_admin_save, campaign_carry_over
from campaign.institutions.models import (
    ContactPurpose,
    GuidedSession,
    Institution,
    InstitutionCampaignStatus,
    PersonalDataLog,
    Team,
)
from campaign.institutions.services import contact_purposes_confirm, session_record, team_save
from campaign.invitations import selectors, services
from campaign.invitations.models import Audience, Batch, EmailTemplate, LetterTemplate, Recipient
from campaign.materials.models import GuidePage
from campaign.response.models import AreaGoal
from tests.factories import (
    AudienceFactory,
    CampaignFactory,
    ContactFactory,
    EmailTemplateFactory,
    GuideIndexPageFactory,
    GuidePageFactory,
    HomePageFactory,
    InstitutionFactory,
    LetterTemplateFactory,
    UserFactory,
)

from .conftest import start

WITA = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def sp2020(kupang):
    campaign = CampaignFactory()
    campaign.area.set([kupang.parent])
    return campaign


def carry(source, **overrides):
    fields = {
        "name": "Sensus Ekonomi 2026",
        "short_name": "SE2026",
        "online_start": datetime.date(2026, 5, 1),
        "online_end": datetime.date(2026, 5, 31),
        "goal_percent": 30,
        **overrides,
    }
    return campaign_carry_over(source=source, **fields)


def _guide(team, institution, *, guided=3, completed=3):
    """A held session of SP2020's second week (Tue 18 Feb 2020, 09:00 WITA)."""
    return session_record(
        team=team,
        institution=institution,
        starts_at=datetime.datetime(2020, 2, 18, 9, tzinfo=WITA),
        status=GuidedSession.Status.HELD,
        people_guided=guided,
        people_completed=completed,
    )


def test_carry_over_copies_teams_templates_audiences_guides_and_goals_not_what_happened(sp2020, kupang):
    member = UserFactory(username="anggota")
    team = team_save(
        campaign=sp2020,
        name="Tim 1",
        area=kupang,
        members=[member],
        leader=member,
        week_targets=[(datetime.date(2020, 2, 17), 12)],
    )
    template = EmailTemplateFactory(
        name="Undangan",
        for_session_reminders=True,
        whatsapp_template="pengingat_sesi",
        sms_text="Besok {{ team }}",
    )
    letter = LetterTemplateFactory(name="Surat permohonan dukungan")
    audience = AudienceFactory(name="Kantor di Kupang")
    audience.teams.set([team])
    audience.regions.set([kupang])
    institution = InstitutionFactory()
    _guide(team, institution, guided=5, completed=4)
    services.batch_create(template=template, audience=audience)
    home = HomePageFactory(parent=None)
    guide = GuidePageFactory(parent=GuideIndexPageFactory(parent=home), slug="cara-mengisi")
    AreaGoal.objects.create(campaign=sp2020, region=kupang, goal_persons=1000)

    result = carry(sp2020)
    new = result.campaign

    assert result.copied == {
        "teams": 1,
        "guides": 1,
        "email_templates": 1,
        "letter_templates": 1,
        "audiences": 1,
        "area_goals": 1,
    }
    assert (new.carried_over_from, new.is_active, new.requires_purpose_confirmation) == (sp2020, False, True)
    assert list(new.area.all()) == [kupang.parent]
    assert new.population_base == sp2020.population_base
    copy = Team.objects.get(campaign=new)
    # Without members unless asked; the weekly target moves to the same campaign week.
    assert (copy.name, copy.area, copy.leader, list(copy.members.all())) == ("Tim 1", kupang, None, [])
    assert [(t.week, t.target) for t in copy.week_targets.all()] == [(datetime.date(2026, 5, 4), 12)]
    template_copy = EmailTemplate.objects.get(campaign=new)
    assert template_copy.name == "Undangan — SE2026"
    # The reminder's WhatsApp template and SMS text come along.
    assert (template_copy.for_session_reminders, template_copy.whatsapp_template, template_copy.sms_text) == (
        True,
        "pengingat_sesi",
        "Besok {{ team }}",
    )
    letter_copy = LetterTemplate.objects.exclude(pk=letter.pk).get()
    assert letter_copy.name == "Surat permohonan dukungan — SE2026"
    assert (letter_copy.number_format, letter_copy.body, letter_copy.signatory_nip) == (
        letter.number_format,
        letter.body,
        letter.signatory_nip,
    )
    audience_copy = Audience.objects.get(campaign=new)
    assert audience_copy.name == "Kantor di Kupang — SE2026"
    assert list(audience_copy.teams.all()) == [copy]
    assert list(audience_copy.regions.all()) == [kupang]
    guide_copy = GuidePage.objects.get(campaign=new)
    assert (guide_copy.live, guide_copy.slug, guide_copy.title) == (False, "cara-mengisi-se2026", guide.title)
    assert guide_copy.get_parent().pk == guide.get_parent().pk
    assert AreaGoal.objects.get(campaign=new).goal_persons == 1000
    # Sessions, visit plans and batches stay with the earlier campaign.
    assert GuidedSession.objects.filter(team__campaign=new).count() == 0
    assert Batch.objects.count() == 1
    # The registry is kept as it is, statuses included (the earlier campaign still runs).
    institution.refresh_from_db()
    assert institution.status == Institution.Status.GUIDED
    assert Institution.objects.count() == 1


def test_carry_over_copies_team_members_when_asked(sp2020, kupang):
    member = UserFactory(username="anggota")
    team_save(campaign=sp2020, name="Tim 1", area=kupang, members=[member], leader=member)
    new = carry(sp2020, copy_team_members=True).campaign
    copy = Team.objects.get(campaign=new)
    assert (copy.leader, list(copy.members.all())) == (member, [member])


def test_no_contact_is_invited_in_the_new_campaign_before_its_purpose_is_confirmed(
    sp2020, django_capture_on_commit_callbacks
):
    contacts = [ContactFactory() for _ in range(4)]
    EmailTemplateFactory(name="Undangan")
    AudienceFactory(name="Semua institusi")
    new = carry(sp2020).campaign
    template = EmailTemplate.objects.get(campaign=new)
    audience = Audience.objects.get(campaign=new)

    # Nobody confirmed yet: the batch is started and sends nothing; the reason is recorded.
    batch = start(
        services.batch_create(template=template, audience=audience), django_capture_on_commit_callbacks
    )
    assert mail.outbox == []
    assert batch.recipients.count() == 0
    assert batch.excluded["excluded"] == {"purpose_unconfirmed": 4}

    staff = UserFactory(username="provinsi", is_superuser=True)
    confirmed = contact_purposes_confirm(
        contacts=[contacts[0], contacts[2]], campaign=new, lawful_basis="public_task", user=staff
    )
    assert confirmed == 2
    assert ContactPurpose.objects.get(contact=contacts[0], campaign=new).purpose == (
        "Sosialisasi dan pendampingan Sensus Ekonomi 2026"
    )
    log = PersonalDataLog.objects.get(action=PersonalDataLog.Action.CONFIRM)
    assert (log.user, log.row_count) == (staff, 2)
    # Confirming again changes nothing and logs nothing.
    assert contact_purposes_confirm(contacts=[contacts[0]], campaign=new, user=staff) == 0
    assert PersonalDataLog.objects.filter(action=PersonalDataLog.Action.CONFIRM).count() == 1

    summary = selectors.audience_summary(audience=audience)
    assert summary.count == 2
    assert summary.excluded_labelled() == [("Tujuan belum dikonfirmasi untuk kampanye ini", 2)]

    batch = start(
        services.batch_create(template=template, audience=audience), django_capture_on_commit_callbacks
    )
    assert sorted(m.to[0].split("<")[1].rstrip(">") for m in mail.outbox) == sorted(
        [contacts[0].email, contacts[2].email]
    )
    assert set(batch.recipients.values_list("contact_id", flat=True)) == {contacts[0].pk, contacts[2].pk}
    assert batch.excluded["excluded"] == {"purpose_unconfirmed": 2}
    assert not Recipient.objects.filter(contact__in=[contacts[1], contacts[3]]).exists()

    # The earlier campaign's audiences need no confirmation: its purpose was recorded
    # when the contacts were collected.
    old_audience = Audience.objects.get(campaign__isnull=True)
    assert selectors.audience_summary(audience=old_audience).count == 4


def test_confirming_leaves_out_erased_and_opted_out_contacts(sp2020):
    from django.utils import timezone

    kept = ContactFactory()
    ContactFactory(opted_out_at=timezone.now())
    ContactFactory(erased_at=timezone.now())
    new = carry(sp2020).campaign
    from campaign.institutions.models import Contact

    assert contact_purposes_confirm(contacts=Contact.objects.all(), campaign=new) == 1
    assert list(ContactPurpose.objects.values_list("contact", flat=True)) == [kept.pk]


def test_activating_the_carried_over_campaign_restarts_statuses_and_keeps_the_old_ones(sp2020, kupang):
    team = team_save(campaign=sp2020, name="Tim 1", area=kupang)
    guided, untouched = InstitutionFactory(), InstitutionFactory()
    _guide(team, guided)
    new = carry(sp2020).campaign
    new.is_active = True
    campaign_admin_save(instance=new, user=None)

    sp2020.refresh_from_db()
    assert (sp2020.is_active, Campaign.objects.get(is_active=True)) == (False, new)
    guided.refresh_from_db()
    assert guided.status == Institution.Status.NOT_CONTACTED
    kept = InstitutionCampaignStatus.objects.get()
    assert (kept.campaign, kept.institution, kept.status) == (sp2020, guided, Institution.Status.GUIDED)
    # The earlier campaign's sessions are still there to read.
    assert GuidedSession.objects.filter(team__campaign=sp2020).count() == 1
    untouched.refresh_from_db()
    assert untouched.status == Institution.Status.NOT_CONTACTED


def test_each_campaigns_dashboard_counts_its_own_reached_institutions(sp2020, kupang):
    """The earlier campaign's dashboard still shows whom it reached after the new one
    became current; the new one starts from nobody, before and after it is current."""
    from campaign.institutions.dashboard import dashboard_data

    team = team_save(campaign=sp2020, name="Tim 1", area=kupang)
    guided = [InstitutionFactory(region=kupang) for _ in range(2)]
    InstitutionFactory(region=kupang)
    for institution in guided:
        _guide(team, institution)

    def reached(campaign):
        data = dashboard_data(campaign=campaign, week=datetime.date(2020, 2, 17))
        return data.totals["reached"], sum(row["total"] for row in data.by_kind)

    assert reached(sp2020) == (2, 3)
    new = carry(sp2020).campaign
    assert reached(new) == (0, 3)  # prepared, not yet current: nobody reached in it
    assert reached(sp2020) == (2, 3)
    new.is_active = True
    campaign_admin_save(instance=new, user=None)
    sp2020.refresh_from_db()
    assert reached(new) == (0, 3)
    assert reached(sp2020) == (2, 3)  # from the statuses it kept


def test_an_audience_of_no_campaign_needs_confirmation_once_a_carried_over_campaign_is_current(sp2020):
    contact = ContactFactory()
    shared = AudienceFactory(name="Semua institusi")
    assert selectors.audience_summary(audience=shared).count == 1
    new = carry(sp2020).campaign
    assert selectors.audience_summary(audience=shared).count == 1  # SP2020 still runs
    new.is_active = True
    campaign_admin_save(instance=new)
    summary = selectors.audience_summary(audience=shared)
    assert (summary.count, dict(summary.excluded)) == (0, {"purpose_unconfirmed": 1})
    contact_purposes_confirm(contacts=[contact], campaign=new)
    assert selectors.audience_summary(audience=shared).count == 1


def test_the_not_reached_report_and_an_audiences_statuses_read_their_own_campaign(sp2020, kupang):
    """Issue 19: earlier campaigns stay readable. After SE2026 becomes current, SP2020's
    "not reached" list and an SP2020 audience of guided institutions still read what
    SP2020 achieved (its kept statuses); SE2026's read its own (nobody reached yet),
    also while it is only prepared."""
    from campaign.institutions.dashboard import institutions_not_reached

    team = team_save(campaign=sp2020, name="Tim 1", area=kupang)
    guided, other = InstitutionFactory(region=kupang), InstitutionFactory(region=kupang)
    guided_contact, other_contact = ContactFactory(institution=guided), ContactFactory(institution=other)
    _guide(team, guided)

    def not_reached(campaign):
        return {(i.pk, i.campaign_status) for i in institutions_not_reached(campaign=campaign)}

    def selected(campaign, statuses):
        audience = AudienceFactory(campaign=campaign, statuses=statuses)
        return set(selectors.audience_contacts(audience=audience).values_list("pk", flat=True))

    nobody_reached = {(guided.pk, "not_contacted"), (other.pk, "not_contacted")}
    assert not_reached(sp2020) == {(other.pk, "not_contacted")}
    assert selected(sp2020, ["guided"]) == {guided_contact.pk}
    new = carry(sp2020).campaign
    # Prepared, not yet current: nobody is reached in it, whatever SP2020 did.
    assert not_reached(new) == nobody_reached
    assert selected(new, ["guided"]) == set()
    assert selected(new, ["not_contacted"]) == {guided_contact.pk, other_contact.pk}
    assert not_reached(sp2020) == {(other.pk, "not_contacted")}

    new.is_active = True
    campaign_admin_save(instance=new, user=None)
    sp2020.refresh_from_db()
    assert not_reached(new) == nobody_reached
    assert selected(new, ["guided"]) == set()
    # SP2020 from the statuses it kept.
    assert not_reached(sp2020) == {(other.pk, "not_contacted")}
    assert selected(sp2020, ["guided"]) == {guided_contact.pk}
    assert selected(sp2020, ["not_contacted"]) == {other_contact.pk}


def test_a_batch_of_the_prepared_campaign_names_its_own_end(sp2020, django_capture_on_commit_callbacks):
    """{{ campaign_end }} in a batch of SE2026, prepared while SP2020 still runs, is the
    end of SE2026's online phase (its audience's campaign), not SP2020's."""
    contact = ContactFactory()
    new = carry(sp2020).campaign
    contact_purposes_confirm(contacts=[contact], campaign=new)
    template = EmailTemplateFactory(
        campaign=new, body_id="<p>Isi sebelum {{ campaign_end }}. {{ rsvp_link }}</p>"
    )
    audience = AudienceFactory(campaign=new)
    start(services.batch_create(template=template, audience=audience), django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert "Isi sebelum 31 Mei 2026." in message.body
    # A batch of no campaign still names the running campaign's end (SP2020: 31 March 2020).
    mail.outbox.clear()
    start(
        services.batch_create(
            template=EmailTemplateFactory(body_id="<p>Isi sebelum {{ campaign_end }}. {{ rsvp_link }}</p>"),
            audience=AudienceFactory(),
        ),
        django_capture_on_commit_callbacks,
    )
    assert "Isi sebelum 31 Maret 2020." in mail.outbox[0].body
