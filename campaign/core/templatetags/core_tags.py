from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every other language: [(code, name, url), ...]."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    return [(code, name, translate_url(path, code)) for code, name in settings.LANGUAGES if code != current]
