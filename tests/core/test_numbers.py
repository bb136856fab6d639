"""One number format: Indonesian 1.234,5 and 79,2%, English 1,234.5 and 79.2%; a lag in
words, never a signed number (issue 14, item 8)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from campaign.core.numbers import format_number, format_percent, weeks_gap


@pytest.fixture
def indonesian():
    with translation.override("id"):
        yield


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_indonesian_numbers(indonesian):
    assert format_number(1242000) == "1.242.000"
    assert format_number(983664.4) == "983.664"
    assert format_number(2.5, 1) == "2,5"
    assert format_number(1234.56, 1) == "1.234,6"  # rounded, not cut off
    assert format_number(0.25, 1) == "0,3"  # half up
    assert format_number(23, 2, trim=True) == "23"
    assert format_number(Decimal("23.50"), 2, trim=True) == "23,50"
    assert format_number(-0.04, 1) == "0,0"  # never "-0,0"
    assert format_percent(79.2) == "79,2%"
    assert format_percent(100, 0) == "100%"
    assert format_number(None) == "" and format_percent(None) == ""


def test_english_numbers(english):
    assert format_number(1242000) == "1,242,000"
    assert format_number(1234.56, 1) == "1,234.6"
    assert format_percent(79.2) == "79.2%"


def test_weeks_gap_reads_as_words_not_signs(indonesian):
    behind = weeks_gap(-2.5)
    assert (behind.amount, behind.ahead) == ("2,5", False)
    assert str(behind) == "2,5 minggu tertinggal dari rencana"
    assert str(weeks_gap(1.04)) == "1 minggu lebih cepat dari rencana"
    assert str(weeks_gap(0.02)) == "sesuai rencana"
    assert "-" not in str(weeks_gap(-14.5))


def test_weeks_gap_in_english(english):
    assert str(weeks_gap(-2.5)) == "2.5 weeks behind plan"
    assert str(weeks_gap(-1)) == "1 week behind plan"
    assert str(weeks_gap(3)) == "3 weeks ahead of plan"
    assert str(weeks_gap(0)) == "on plan"


def test_template_filters(indonesian):
    template = Template(
        "{% load core_tags %}{{ n|number }} {{ share|percent }} {{ goal|number:'-2' }} "
        "{% weeks_gap gap as g %}{{ g.amount }} {{ g.label }}"
    )
    rendered = template.render(Context({"n": 100037, "share": 79.24, "goal": Decimal("23.00"), "gap": -2.5}))
    assert rendered == "100.037 79,2% 23 2,5 minggu tertinggal dari rencana"
