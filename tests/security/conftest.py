"""One small but complete world for the security suites: every object a project URL can
name exists, with two field teams so that cross-team access can be checked."""

import datetime
import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import Site
from wagtail_factories import DocumentFactory, ImageFactory

from campaign.core.models import CampaignSettings, Office
from campaign.core.services import DISSEMINATION_STAFF, FIELD_TEAM, roles_sync
from campaign.institutions import completion
from campaign.institutions.models import (
    Assignment,
    CoordinationMeeting,
    GuidedSession,
    ImportRun,
    PersonalDataLog,
    week_start,
)
from campaign.institutions.services import team_save
from campaign.invitations import tokens as invitation_tokens
from campaign.invitations.models import ChannelSuppression, Letter, OutboxMessage, Suppression, TrackingEvent
from campaign.materials import codes
from campaign.materials import tokens as material_tokens
from campaign.materials.models import GuidePack, MediaItem, PressAttachment
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    GuideIndexPageFactory,
    GuidePageFactory,
    InstitutionFactory,
    LetterBatchFactory,
    MediaContactFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    PressReleasePageFactory,
    PressRoomPageFactory,
    RecipientFactory,
    RegionFactory,
    UserFactory,
)

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def files_and_cache(settings, tmp_path, monkeypatch):
    """Documents are served from a file path; renditions stay in memory (see
    tests/materials/conftest.py); the cache starts empty (login throttle, page cache)."""
    import wagtail.images.models

    from campaign.materials import printing

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    monkeypatch.setattr(wagtail.images.models, "SpooledTemporaryFile", lambda max_size=0: io.BytesIO())
    cache.clear()
    printing._renditions.clear()
    yield
    cache.clear()


@dataclass
class World:
    users: dict
    teams: list
    objects: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)


@pytest.fixture
def world(home_page):
    groups = roles_sync()
    today = timezone.localdate()
    week = week_start(today)
    campaign = CampaignFactory(
        online_start=week - datetime.timedelta(days=7), online_end=week + datetime.timedelta(days=27)
    )
    settings_ = CampaignSettings.for_site(Site.objects.get(is_default_site=True))
    settings_.organisation_name = "BPS Provinsi Nusa Tenggara Timur"
    settings_.save()
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53", name="NTT"))
    district = RegionFactory(code="5371010", name="Alak", parent=kupang)
    users = {
        "member": UserFactory(username="anggota1", groups=[groups[FIELD_TEAM]]),
        "other_member": UserFactory(username="anggota2", groups=[groups[FIELD_TEAM]]),
        "editor": UserFactory(username="staf", groups=[groups[DISSEMINATION_STAFF]]),
        "admin": UserFactory(username="admin", is_superuser=True, is_staff=True),
    }
    teams = [
        team_save(campaign=campaign, name="Tim 1", area=kupang, members=[users["member"]]),
        team_save(campaign=campaign, name="Tim 2", area=kupang, members=[users["other_member"]]),
    ]
    institution = InstitutionFactory(name="Dinas Kependudukan Kota Kupang", region=district)
    contact = ContactFactory(institution=institution)
    Assignment.objects.create(institution=institution, team=teams[0], week=week, planned_date=today)
    session = GuidedSession.objects.create(
        institution=institution,
        team=teams[0],
        starts_at=timezone.now(),
        status=GuidedSession.Status.PLANNED,
    )
    meeting = CoordinationMeeting.objects.create(campaign=campaign, district=district, date=today)
    meeting.teams.set([teams[0]])
    meeting.save()  # a parental many-to-many is written on save

    guide_index = GuideIndexPageFactory(parent=home_page)
    guide = GuidePageFactory(parent=guide_index, slug="cara-mengisi")
    news_index = NewsIndexPageFactory(parent=home_page)
    news = NewsPageFactory(parent=news_index, tags=["sensus-online"])
    room = PressRoomPageFactory(parent=home_page, press_email="pers@example.org")
    image = ImageFactory(title="Foto", file__width=800, file__height=600)
    room.media_items = [MediaItem(image=image, kind="photo", caption="Tim pendamping", credit="Humas")]
    room.save()
    room.save_revision().publish()
    document = DocumentFactory(title="fakta", file__filename="fakta.pdf", file__data=b"%PDF-1.4 fakta")
    release = PressReleasePageFactory(parent=room, slug="ajak-warga", live=False)
    release.attachments = [PressAttachment(document=document, title="Lembar fakta")]
    release.save()
    release.save_revision().publish()
    partner = MediaContactFactory(name="Yanti Lau", media_partner__name="Pos Kupang")

    recipient = RecipientFactory(contact=contact)
    batch = recipient.batch
    outbox = OutboxMessage.objects.create(
        message_id="m-1",
        from_email="a@example.org",
        to="b@example.org",
        subject="Hai",
        text="Hai",
        html="<p>Hai</p>",
    )
    tracking = TrackingEvent.objects.create(
        dedupe_key="e-1", provider="test", event_type="delivered", email=recipient.email, recipient=recipient
    )
    suppression = Suppression.objects.create(email="stop@example.org", reason="unsubscribed")
    channelsuppression = ChannelSuppression.objects.create(
        channel="sms", phone="+6281234560001", reason="manual"
    )
    import_run = ImportRun.objects.create(
        user=users["editor"], filename="a.csv", content=b"", source="test", lawful_basis="public_task"
    )
    pack = GuidePack.objects.create(guide=guide, region=district, total=1)
    # The office tree: the world's rows lie in Kota Kupang's area; its users are in no
    # office (province-wide). tests/security/test_office_scope.py adds another office.
    province_office = Office.objects.create(code="5300", name="BPS Provinsi NTT")
    province_office.area.set([kupang.parent])
    province_office.save()
    kupang_office = Office.objects.create(code="5371", name="BPS Kota Kupang", parent=province_office)
    kupang_office.area.set([kupang])
    kupang_office.save()
    batch.office = batch.audience.office = kupang_office
    batch.save()
    batch.audience.save()

    # A numbered letter of a letter batch of Kota Kupang's office (issue 17).
    letter_batch = LetterBatchFactory(audience=batch.audience, office=kupang_office)
    letter = Letter.objects.create(
        recipient=RecipientFactory(
            batch=letter_batch, contact=contact, channel="letter", email="", name=contact.name
        ),
        batch=letter_batch,
        office=kupang_office,
        office_key=kupang_office.pk,
        year=today.year,
        seq=1,
        number=f"B-1/5371/HM.340/I/{today.year}",
        date=today,
        addressee=contact.name,
        institution=institution.name,
        subject="Permohonan Dukungan Sensus Penduduk Online 2020",
        body="<p>Isi surat.</p>",
        rsvp_url="https://example.org/undangan/x/",
        signatory_name="Kepala",
        signatory_position="Kepala BPS Kota Kupang",
    )

    objects = {
        "campaign": campaign,
        "region": district,
        "institution": institution,
        "contact": contact,
        "mediapartner": partner.media_partner,
        "institutionkind": institution.kind,
        "team": teams[0],
        "assignment": Assignment.objects.get(team=teams[0]),
        "guidedsession": session,
        "coordinationmeeting": meeting,
        "guide": guide,
        "news": news,
        "room": room,
        "release": release,
        "document": document,
        "media_item": room.media_items.first(),
        "recipient": recipient,
        "batch": batch,
        "emailtemplate": batch.template,
        "lettertemplate": letter_batch.letter_template,
        "letter": letter,
        "letter_batch": letter_batch,
        "audience": batch.audience,
        "outboxmessage": outbox,
        "trackingevent": tracking,
        "suppression": suppression,
        "channelsuppression": channelsuppression,
        "personaldatalog": PersonalDataLog.objects.create(
            action="merge", model="contact", row_count=2, detail="contact #1 merged into #2"
        ),
        "import_run": import_run,
        "pack": pack,
        "partner": partner,
        "office": kupang_office,
    }
    qr = codes.for_institution(guide.pk, institution.pk)
    tokens = {
        "press": _path_token(material_tokens.press_preview_url(contact_id=partner.pk)),
        "guide": _path_token(
            material_tokens.guide_download_url(guide_id=guide.pk, institution_id=institution.pk)
        ),
        "rsvp": _path_token(invitation_tokens.rsvp_url(recipient.pk)),
        "completion": _path_token(completion.completion_url(institution_id=institution.pk)),
        "unsubscribe": _path_token(invitation_tokens.unsubscribe_url(recipient.pk)),
        "short": invitation_tokens.short_code(recipient.pk, "sms"),
        "qr": str(qr),
    }
    return World(users=users, teams=teams, objects=objects, tokens=tokens)


def _path_token(url):
    parts = [part for part in urlsplit(url).path.split("/") if part]
    return parts[-1]
