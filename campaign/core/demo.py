"""Demo data of the core app: the SP2020 campaign in NTT, the home page, demo users."""

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, timezone, translation

from .models import Campaign, CampaignSettings, Office, OfficeMember, Region
from .services import (
    DISSEMINATION_STAFF,
    FIELD_TEAM,
    HEAD_OF_SECTION,
    campaign_save,
    regions_load,
    roles_sync,
    site_home_ensure,
    wagtail_roots_ensure,
)

# Documented in README.md; created only when DEBUG is on.
DEMO_PASSWORDS = {
    "admin": "jemputbola-admin",
    "editor": "jemputbola-editor",
    "kepala": "jemputbola-kepala",
    "tim": "jemputbola-tim",
    "office": "jemputbola-kantor",
}
# The province office and three regency/city offices under it: (code, name, area, the
# username of its dissemination staff member). The province's staff are "editor" and
# "kepala"; Kota Kupang's six teams are its own.
OFFICES = [
    ("5300", "BPS Provinsi Nusa Tenggara Timur", "53", "provinsi"),
    ("5371", "BPS Kota Kupang", "5371", "kupang"),
    ("5304", "BPS Kabupaten Timor Tengah Selatan", "5304", "tts"),
    ("5310", "BPS Kabupaten Sikka", "5310", "sikka"),
]
KUPANG_TEAMS = 6

# The SP2020 online phase as it happened. The demo replays it on today's calendar: every
# demo date is the 2020 date moved by whole weeks (DemoCalendar), so that the day the
# demo is first loaded falls in the campaign's third week.
SP2020_START = datetime.date(2020, 2, 15)
SP2020_THIRD_WEEK = datetime.date(2020, 2, 24)  # the Monday (WITA) of its third week


@dataclass(frozen=True)
class DemoCalendar:
    """Moves the dates of the 2020 case by ``shift`` (a whole number of weeks, so every
    Monday stays a Monday)."""

    shift: datetime.timedelta

    def day(self, year, month, day) -> datetime.date:
        return datetime.date(year, month, day) + self.shift

    def at(self, year, month, day, hour=0, minute=0) -> datetime.datetime:
        """A WITA date and time of the 2020 case, moved."""
        local = datetime.datetime.combine(self.day(year, month, day), datetime.time(hour, minute))
        return timezone.make_aware(local)

    def move(self, value):
        return value + self.shift

    def restate(self, value):
        """The demo's texts of the 2020 case with their dates moved too, so a post or a
        release never says "until 29 May 2020" beside a campaign that ends next March:
        "29 Mei 2020" and "15 Februari" (of 2020) become the moved day with its year,
        "Juli 2020" the moved month. Strings inside dicts, lists and tuples are
        restated; names such as "Sensus Penduduk 2020" and slugs are left alone."""
        if isinstance(value, str):
            return _DATE_TEXT.sub(self._date_text, value)
        if isinstance(value, dict):
            return {key: self.restate(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.restate(item) for item in value]
        if type(value) is tuple:
            return tuple(self.restate(item) for item in value)
        return value

    def _date_text(self, match):
        day, month, year = match[1], _MONTHS.index(match[2]) + 1, match[3]
        with translation.override("id"):
            if day:
                return formats.date_format(self.day(int(year or 2020), month, int(day)), "j F Y")
            if year:
                return formats.date_format(self.day(int(year), month, 15), "F Y")
        return match[0]  # a month's name alone


_MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
_MONTH_NAMES = "(" + "|".join(_MONTHS) + ")"
# One pass, so a moved date is never moved again: "29 Mei 2020", "15 Februari", "Juli 2020".
_DATE_TEXT = re.compile(r"\b(?:(\d{1,2}) )?" + _MONTH_NAMES + r"(?: (\d{4})\b)?")


def demo_calendar(*, today=None) -> DemoCalendar:
    """The demo's calendar: fixed by the demo campaign once it exists (loading again
    never moves anything); before that, laid so that ``today`` (WITA) is in the third
    week."""
    existing = Campaign.objects.filter(short_name="SP2020").values_list("online_start", flat=True).first()
    if existing is not None:
        return DemoCalendar(existing - SP2020_START)
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    return DemoCalendar(monday - SP2020_THIRD_WEEK)


SP2020 = {
    "name": "Sensus Penduduk 2020 — Sensus Penduduk Online",
    "short_name": "SP2020",
    "target_url": "https://sensus.bps.go.id",
    # The goal was set against "about 5.4 million" residents (DESIGN.md); the SP2020
    # count later found 5,325,566.
    "population_base": 5_400_000,
    "goal_percent": 23,
    "is_active": True,
}
SP2020_EXTENSION = (
    datetime.date(2020, 5, 29),
    "Diperpanjang 59 hari karena pandemi COVID-19 (SP2020 ditutup 29 Mei 2020 pukul 23.59 WIB).",
)

HOME_INTRO = (
    "<p>Badan Pusat Statistik Provinsi Nusa Tenggara Timur <b>menjemput bola</b>: tim "
    "pendamping kami datang ke kantor pemerintah, DPRD, BUMN, BUMD, sekolah dan "
    "perusahaan untuk memandu pimpinan dan pegawai mengisi Sensus Penduduk Online "
    "sampai datanya tercatat. Siapkan Kartu Keluarga dan NIK, lalu isi sendiri di "
    "sensus.bps.go.id.</p>"
)


@transaction.atomic
def load(*, stdout, with_users):
    wagtail_roots_ensure()
    result = regions_load()
    stdout.write(f"Regions: {result.created} created, {result.updated} updated.")
    roles_sync()

    province = Region.objects.get(code="53")
    campaign = Campaign.objects.filter(short_name=SP2020["short_name"]).first()
    if campaign is None:
        # Laid once on today's calendar; loading again leaves it (and its dates) alone.
        calendar = demo_calendar()
        new_end, reason = SP2020_EXTENSION
        campaign = campaign_save(
            extensions=[(calendar.move(new_end), reason)],
            area=[province],
            online_start=calendar.move(SP2020_START),
            online_end=calendar.day(2020, 3, 31),
            **SP2020,
        )
    stdout.write(f"Campaign: {campaign} (online until {campaign.effective_end:%d %B %Y}).")

    home = site_home_ensure(
        title="Sensus Penduduk Online 2020 — Mencatat Indonesia",
        intro=HOME_INTRO,
        cta_label="Isi Sensus Penduduk Online",
    )
    settings = CampaignSettings.for_site(home.get_site())
    settings.organisation_name = "BPS Provinsi Nusa Tenggara Timur"
    settings.hotline = "(0380) 826289"
    settings.whatsapp = "+6282247291975"
    settings.email = "pst5300@bps.go.id"
    settings.address = "Jl. R. Suprapto No. 5, Kupang 85111"
    settings.website = "https://ntt.bps.go.id"
    settings.census_form_url = "https://sensus.bps.go.id"
    settings.hashtag = "#MencatatIndonesia"
    settings.full_clean()
    settings.save()

    offices = _offices()
    stdout.write(f"Offices: {', '.join(office.name for office in offices)}.")
    if with_users:
        _users()
        _office_users(offices)
        stdout.write("Demo users: admin, editor, kepala, tim1 … tim6 (passwords in README.md).")
        stdout.write(
            "Office logins (dissemination staff of each office, password "
            f"{DEMO_PASSWORDS['office']}): "
            + ", ".join(f"{username} ({name})" for _code, name, _area, username in OFFICES)
            + "; editor and kepala work at the province office, tim1 … tim6 at BPS Kota Kupang."
        )


def _user(username, *, password, first_name, last_name, groups=(), superuser=False):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username)
    user.first_name, user.last_name = first_name, last_name
    user.email = f"{username}@demo.jemputbola.invalid"
    user.is_staff = superuser
    user.is_superuser = superuser
    user.set_password(password)
    user.save()
    user.groups.set(groups)
    return user


def _offices():
    """The office tree of the demo (idempotent)."""
    offices, province = [], None
    for code, name, area, _username in OFFICES:
        office, _ = Office.objects.update_or_create(code=code, defaults={"name": name, "parent": province})
        office.area.set([Region.objects.get(code=area)])
        office.save()  # a parental many-to-many is written on save
        province = province or office
        offices.append(office)
    return offices


def _office_users(offices):
    """One dissemination staff member per office; the province's editor and head of
    section and Kota Kupang's field teams join their offices."""
    groups = roles_sync()
    User = get_user_model()
    by_code = {office.code: office for office in offices}
    for code, name, _area, username in OFFICES:
        user = _user(
            username,
            password=DEMO_PASSWORDS["office"],
            first_name="Staf",
            last_name=name.removeprefix("BPS "),
            groups=[groups[DISSEMINATION_STAFF]],
        )
        OfficeMember.objects.update_or_create(user=user, defaults={"office": by_code[code]})
    for username, code in [("editor", "5300"), ("kepala", "5300")] + [
        (f"tim{n}", "5371") for n in range(1, KUPANG_TEAMS + 1)
    ]:
        user = User.objects.filter(username=username).first()
        if user is not None:
            OfficeMember.objects.update_or_create(user=user, defaults={"office": by_code[code]})


def _users():
    groups = roles_sync()
    _user(
        "admin",
        password=DEMO_PASSWORDS["admin"],
        first_name="Admin",
        last_name="Demo",
        superuser=True,
    )
    _user(
        "editor",
        password=DEMO_PASSWORDS["editor"],
        first_name="Maria",
        last_name="Ndun",
        groups=[groups[DISSEMINATION_STAFF]],
    )
    _user(
        "kepala",
        password=DEMO_PASSWORDS["kepala"],
        first_name="Yohanes",
        last_name="Bria",
        groups=[groups[HEAD_OF_SECTION]],
    )
    for number in range(1, KUPANG_TEAMS + 1):
        _user(
            f"tim{number}",
            password=DEMO_PASSWORDS["tim"],
            first_name="Anggota",
            last_name=f"Tim {number}",
            groups=[groups[FIELD_TEAM]],
        )
