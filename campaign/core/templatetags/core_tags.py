from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

from campaign.core.numbers import format_number, format_percent
from campaign.core.numbers import weeks_gap as numbers_weeks_gap

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every other language: [(code, name, url), ...]."""
    from campaign.core.middleware import LANGUAGE_PARAMETER

    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        if code == current:
            continue
        url = translate_url(path, code)
        if url == path and request is not None:
            # A page outside the language prefix (a contact's link): the language as a parameter.
            query = request.GET.copy()
            query[LANGUAGE_PARAMETER] = code
            url = f"{request.path}?{query.urlencode()}"
        links.append((code, name, url))
    return links


@register.filter
def number(value, decimals=0):
    """``{{ n|number }}`` → 1.234 (id) / 1,234 (en); ``|number:1`` → 2,5; ``|number:"-2"``
    → up to two decimals, none for a whole number (like ``floatformat``)."""
    decimals = int(decimals)
    return format_number(value, abs(decimals), trim=decimals < 0)


@register.filter
def percent(value, decimals=1):
    """``{{ share|percent }}`` → 79,2% (no space before the sign); ``|percent:"-2"`` trims."""
    decimals = int(decimals)
    return format_percent(value, abs(decimals), trim=decimals < 0)


@register.simple_tag
def weeks_gap(weeks):
    """``{% weeks_gap data.weeks_ahead as gap %}``: ``gap.amount``, ``gap.label``, ``gap.ahead``."""
    return numbers_weeks_gap(weeks)
