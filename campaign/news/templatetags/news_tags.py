from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """``url`` made absolute against the current request (unchanged if already absolute)."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url
