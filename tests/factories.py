"""Factories for every app's models; tests build exactly the data they need."""

import datetime

import factory
import wagtail_factories
from django.contrib.auth import get_user_model

from campaign.core.models import Campaign, HomePage, Region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Ina"
    last_name = "Lado"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(extracted)
        if create:
            self.save()


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "53"
    name = "Nusa Tenggara Timur"
    level = factory.LazyAttribute(lambda region: Region.level_for_code(region.code))
    parent = None


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = "Sensus Penduduk 2020"
    short_name = "SP2020"
    online_start = datetime.date(2020, 2, 15)
    online_end = datetime.date(2020, 3, 31)
    target_url = "https://sensus.bps.go.id"
    population_base = 5_400_000
    goal_percent = 23
    is_active = True


class HomePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = HomePage

    title = "Sensus Penduduk Online 2020"
    slug = "beranda"
    intro = "<p>Tim pendamping kami datang ke kantor Anda.</p>"
    cta_label = "Isi Sensus Penduduk Online"


class InstitutionKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.InstitutionKind"
        django_get_or_create = ("name",)

    name = "Kantor Pemerintah"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Institution"

    name = factory.Sequence(lambda n: f"Dinas Contoh {n}")
    kind = factory.SubFactory(InstitutionKindFactory)
    region = factory.LazyFunction(
        lambda: RegionFactory(code="5371", name="Kota Kupang", parent=RegionFactory(code="53", name="NTT"))
    )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.Contact"

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Maria Ndun {n}")
    position = "Sekretaris"
    email = factory.Sequence(lambda n: f"kontak{n}@example.org")
    phone = factory.Sequence(lambda n: f"+6281234{n:05d}")
    consent_source = "test"
    consent_date = datetime.date(2020, 2, 1)


# --- News -----------------------------------------------------------------------------


class NewsIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "news.NewsIndexPage"

    title = "Berita"
    slug = "berita"
    show_in_menus = True


class NewsPageFactory(wagtail_factories.PageFactory):
    """A live news post; ``tags=["sensus online"]`` tags it."""

    class Meta:
        model = "news.NewsPage"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Kabar sensus nomor {n}")
    slug = factory.Sequence(lambda n: f"kabar-sensus-{n}")
    date = factory.Sequence(lambda n: datetime.date(2020, 2, 15) + datetime.timedelta(days=n))
    lead = "Tim pendamping BPS datang ke kantor-kantor di Kota Kupang."
    body = factory.LazyFunction(
        lambda: [{"type": "paragraph", "value": "<p>Isi sensus di sensus.bps.go.id.</p>"}]
    )
    reporter = "Maria Ndun"
    editor = "Yohanes Bria"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(list(extracted))
            self.save()


# --- Materials --------------------------------------------------------------------------


class MediaPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "institutions.MediaPartner"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Harian Contoh {n}")
    medium = "print"


class MediaContactFactory(ContactFactory):
    """A contact at a media partner (not at an institution)."""

    institution = None
    media_partner = factory.SubFactory(MediaPartnerFactory)
    position = "Redaktur"


def _guide_steps():
    return [
        {
            "type": "step",
            "value": {
                "title": "Buka situs sensus.bps.go.id",
                "text": "Gunakan ponsel atau komputer yang tersambung ke internet.",
                "tip": "Pastikan alamatnya persis sensus.bps.go.id.",
                "image": None,
                "on_poster": True,
            },
        },
        {
            "type": "step",
            "value": {
                "title": "Masukkan Nomor Kartu Keluarga dan NIK",
                "text": "Ketik Nomor Kartu Keluarga dan NIK kepala keluarga.",
                "tip": "",
                "image": None,
                "on_poster": True,
            },
        },
        {
            "type": "step",
            "value": {
                "title": "Kirim dan simpan bukti pengisian",
                "text": "Tekan Kirim, lalu simpan bukti pengisian.",
                "tip": "",
                "image": None,
                "on_poster": True,
            },
        },
    ]


class GuideIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "materials.GuideIndexPage"

    title = "Panduan"
    slug = "panduan"
    intro = "Panduan mengisi Sensus Penduduk Online."
    show_in_menus = True


class GuidePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "materials.GuidePage"

    title = factory.Sequence(lambda n: f"Cara Mengisi Sensus Penduduk Online {n}")
    slug = factory.Sequence(lambda n: f"cara-mengisi-{n}")
    intro = "Isi sendiri data keluarga Anda di sensus.bps.go.id."
    steps = factory.LazyFunction(_guide_steps)
    closing = "Ajak rekan kerja ikut mengisi!"
    cta_label = "Isi Sensus Penduduk Online"


class PressRoomPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "materials.PressRoomPage"

    title = "Ruang Pers"
    slug = "ruang-pers"
    intro = "Siaran pers dan bahan media."
    show_in_menus = True


class PressReleasePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = "materials.PressReleasePage"

    title = factory.Sequence(lambda n: f"Siaran pers nomor {n}")
    slug = factory.Sequence(lambda n: f"siaran-pers-{n}")
    date = datetime.date(2020, 2, 14)
    summary = "BPS NTT mengajak warga mengisi Sensus Penduduk Online."
    body = factory.LazyFunction(lambda: [{"type": "paragraph", "value": "<p>Isi di sensus.bps.go.id.</p>"}])


class ScanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "materials.Scan"

    material = "s"


# --- Invitations ------------------------------------------------------------------------


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "invitations.EmailTemplate"

    name = factory.Sequence(lambda n: f"Undangan pendampingan {n}")
    subject_id = "Undangan pendampingan Sensus Penduduk Online untuk {{ institution }}"
    body_id = (
        "<p>Yth. {{ contact_name }}[[ ({{ contact_position }})]],</p>"
        "<p>[[{{ team }} akan datang.]][[ Usulan waktu: {{ session_date }}.]]</p>"
        "<p>Jawab di {{ rsvp_link }}.[[ Panduan: {{ guide_link }}]]</p>"
    )
    subject_en = "Census online guidance for {{ institution }}"
    body_en = (
        "<p>Dear {{ contact_name }},</p><p>[[{{ team }} will visit.]][[ We propose {{ session_date }}.]]</p>"
    )


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "invitations.Audience"

    name = factory.Sequence(lambda n: f"Semua institusi {n}")
    target = "institutions"


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "invitations.Batch"

    name = factory.Sequence(lambda n: f"Gelombang {n}")
    template = factory.SubFactory(EmailTemplateFactory)
    audience = factory.SubFactory(AudienceFactory)
    rate_per_minute = 0
    chunk_size = 50


class LetterTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "invitations.LetterTemplate"

    name = factory.Sequence(lambda n: f"Surat permohonan {n}")
    number_format = "B-{seq}/5300/HM.340/{month_roman}/{year}"
    subject = "Permohonan Dukungan Sensus Penduduk Online 2020"
    attachments = "-"
    body = (
        "<p>Sehubungan dengan Sensus Penduduk Online 2020, kami mohon dukungan {{ institution }}.</p>"
        "<p>[[Tim pendamping kami, {{ team }}, siap datang.]]</p>"
        "<p>Atas perhatian Bapak/Ibu, kami ucapkan terima kasih.</p>"
    )
    signatory_name = "Darwis Sitorus, S.Si., M.M."
    signatory_position = "Kepala Badan Pusat Statistik Provinsi Nusa Tenggara Timur"
    signatory_nip = "19700101 199003 1 001"


class LetterBatchFactory(BatchFactory):
    channel = "letter"
    template = None
    letter_template = factory.SubFactory(LetterTemplateFactory)


class RecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "invitations.Recipient"

    batch = factory.SubFactory(BatchFactory)
    contact = factory.SubFactory(ContactFactory)
    institution = factory.LazyAttribute(lambda r: r.contact.institution if r.contact else None)
    email = factory.LazyAttribute(lambda r: r.contact.email if r.contact else "someone@example.org")
    name = factory.LazyAttribute(lambda r: r.contact.name if r.contact else "")
