"""Demo official figures: a daily series per regency over the whole online phase, on
the demo campaign's own calendar (derived from its start, end and extensions).

The series ends at the real 981,552 persons on the day before the effective end (28 May
2020 in SP2020, closed on the 29th). While the campaign runs, figures exist only up to
yesterday, as a live campaign would have them. Regencies differ deterministically (a
hash of their code): Kota Kupang and a few others lead, remote regencies lag, and the
laggers' curves rise late.
"""

import datetime
import hashlib
from decimal import Decimal

from django.utils import timezone

from campaign.core.models import Campaign, Region
from campaign.core.services import NTT_POPULATION_SP2020

from .importing import CleanCount
from .models import AreaGoal
from .services import counts_store

FINAL_PERSONS = 981_552  # BPS NTT, 28 May 2020 (shared/data/FACTS.md)
SOURCE = "Demo: SP2020 Online NTT (deret harian buatan, berakhir pada angka resmi 981.552)"
LEADERS = {"5371": 2.2}  # Kota Kupang: connected, its offices guided first
# Where the campaign map centres each regency in the demo: its seat (ibu kota), to about
# 0.05°, from general reference maps; ../shared/data has no coordinates. Staff set their
# own on the region (Campaign setup → Regions); the demo fills only empty ones.
REGENCY_SEATS = {
    "5301": (-9.645, 119.412),  # Waikabubak
    "5302": (-9.656, 120.264),  # Waingapu
    "5303": (-10.02, 123.88),  # Oelamasi
    "5304": (-9.861, 124.284),  # Soe
    "5305": (-9.447, 124.479),  # Kefamenanu
    "5306": (-9.106, 124.892),  # Atambua
    "5307": (-8.219, 124.517),  # Kalabahi
    "5308": (-8.364, 123.431),  # Lewoleba
    "5309": (-8.342, 122.983),  # Larantuka
    "5310": (-8.620, 122.212),  # Maumere
    "5311": (-8.844, 121.663),  # Ende
    "5312": (-8.786, 120.972),  # Bajawa
    "5313": (-8.611, 120.463),  # Ruteng
    "5314": (-10.731, 123.061),  # Ba'a
    "5315": (-8.496, 119.888),  # Labuan Bajo
    "5316": (-9.60, 119.62),  # Waibakul
    "5317": (-9.436, 119.247),  # Tambolaka
    "5318": (-8.54, 121.33),  # Mbay
    "5319": (-8.823, 120.790),  # Borong
    "5320": (-10.493, 121.846),  # Seba
    "5321": (-9.556, 124.905),  # Betun
    "5371": (-10.178, 123.597),  # Kota Kupang
}


def _unit(code, salt):
    digest = hashlib.sha256(f"{salt}:{code}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def regency_finals(regencies, populations):
    """{code: final persons}, summing exactly to FINAL_PERSONS (largest remainder)."""
    weights = {
        r.code: populations[r.code] * LEADERS.get(r.code, 0.4 + 1.3 * _unit(r.code, "rate"))
        for r in regencies
    }
    total = sum(weights.values())
    exact = {code: FINAL_PERSONS * weight / total for code, weight in weights.items()}
    finals = {code: int(value) for code, value in exact.items()}
    short = FINAL_PERSONS - sum(finals.values())
    for code in sorted(exact, key=lambda c: exact[c] - finals[c], reverse=True)[:short]:
        finals[code] += 1
    return finals


def load(*, stdout, with_users):
    campaign = Campaign.objects.filter(short_name="SP2020").first()
    if campaign is None:
        return
    regencies = list(Region.objects.filter(parent__code="53", level=Region.Level.REGENCY).order_by("code"))
    # Ende, Nagekeo and Malaka have no stored SP2020 count: they share the remainder of
    # the province's 5,325,566 equally (an assumption of the demo, set as area goals).
    known = sum(r.population for r in regencies if r.population)
    blanks = [r for r in regencies if not r.population]
    share = (NTT_POPULATION_SP2020 - known) // len(blanks) if blanks else 0
    for region in blanks:
        AreaGoal.objects.update_or_create(campaign=campaign, region=region, defaults={"population": share})
    populations = {r.code: r.population or share for r in regencies}
    for region in regencies:
        if region.latitude is None and region.code in REGENCY_SEATS:
            region.latitude, region.longitude = (Decimal(str(value)) for value in REGENCY_SEATS[region.code])
            region.save(update_fields=["latitude", "longitude"])
    finals = regency_finals(regencies, populations)

    start = campaign.online_start
    last_day = campaign.effective_end - datetime.timedelta(days=1)
    until = min(last_day, timezone.localdate() - datetime.timedelta(days=1))
    span = (last_day - start).days
    rows = []
    for region in regencies:
        # Leaders front-load (exponent below 1), laggers rise late (above 1).
        exponent = 0.45 + 0.8 * _unit(region.code, "shape") if region.code not in LEADERS else 0.4
        day = start
        while day <= until:
            share_of_phase = ((day - start).days + 1) / (span + 1)
            persons = round(finals[region.code] * share_of_phase**exponent)
            rows.append(CleanCount(0, region.pk, day, persons, round(persons / 3.9), None))
            day += datetime.timedelta(days=1)
    result = counts_store(rows=rows, source=SOURCE)
    stdout.write(
        f"Official figures: {len(rows)} regency-days up to {until:%d %B %Y} "
        f"({result.created} new, {result.changed} corrected)."
    )
    publish_progress()


def publish_progress():
    """The demo office has decided to publish its progress (/progres/ and the widget)."""
    from wagtail.models import Site

    from .models import PublicProgressSettings

    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    progress_settings = PublicProgressSettings.for_site(site)
    if not progress_settings.enabled:
        progress_settings.enabled = True
        progress_settings.save()
