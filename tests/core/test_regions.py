import csv
import shutil

import pytest
from django.core.exceptions import ValidationError

from campaign.core.models import Region
from campaign.core.services import DATA_DIR, regions_load

pytestmark = pytest.mark.django_db


def test_regions_load_builds_the_ntt_tree():
    result = regions_load()

    assert result.created == 1 + 22 + 315 + 50
    counts = {level: Region.objects.filter(level=level).count() for level in Region.Level.values}
    assert counts == {"province": 1, "regency": 22, "district": 315, "village": 50}
    kupang = Region.objects.get(code="5371")
    assert (kupang.name, kupang.kind, kupang.population) == ("Kota Kupang", "kota", 442_758)
    assert kupang.parent.code == "53"
    assert kupang.kemendagri_code == "53.71"
    # BPS and Kemendagri number NTT's regencies differently (FACTS.md section 5).
    assert Region.objects.get(code="5303").kemendagri_code == "53.01"
    assert Region.objects.get(code="5321").population is None  # Malaka: no exact source
    oebobo = Region.objects.get(code="5371030")
    assert oebobo.parent == kupang and oebobo.kemendagri_code == "53.71.04"
    assert Region.objects.get(code="5371010001").parent.code == "5371010"
    # The regency counts add up to the province total less the three left blank.
    total = sum(
        Region.objects.filter(level="regency").values_list("population", flat=True).exclude(population=None)
    )
    assert Region.objects.get(code="53").population - total == 614_393


def test_regions_load_is_idempotent_and_applies_corrections(tmp_path):
    regions_load()
    again = regions_load()
    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == Region.objects.count()

    shutil.copytree(DATA_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "ntt_regencies.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["code"] == "5311":
            row["population_sp2020"] = "290000"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)

    corrected = regions_load(data_dir=tmp_path)

    assert (corrected.created, corrected.updated) == (0, 1)
    assert Region.objects.get(code="5311").population == 290_000


@pytest.mark.parametrize(
    ("code", "level", "parent_code", "field"),
    [
        ("5371", "district", "53", "level"),  # a 4-digit code is a regency
        ("5371010", "district", None, "parent"),  # only a province has no parent
        ("5371010", "district", "53", "parent"),  # a district's parent is a regency
        ("5301010", "district", "5371", "code"),  # must start with the parent's code
    ],
)
def test_region_rejects_inconsistent_codes(code, level, parent_code, field):
    Region.objects.create(code="53", name="NTT", level="province")
    Region.objects.create(
        code="5371", name="Kota Kupang", level="regency", parent=Region.objects.get(code="53")
    )
    parent = Region.objects.get(code=parent_code) if parent_code else None
    region = Region(code=code, name="X", level=level, parent=parent)

    with pytest.raises(ValidationError) as error:
        region.full_clean(validate_unique=False)

    assert field in error.value.message_dict
