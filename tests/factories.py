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
