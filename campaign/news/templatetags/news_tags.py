from django import template
from django.utils.translation import get_language

register = template.Library()

CARD_TEMPLATE = "news/includes/news_card.html"


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """``url`` made absolute against the current request (unchanged if already absolute)."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request else url


@register.simple_tag(takes_context=True)
def news_card(context, post, heading="h2", compact=False, eager=False):
    """``news/includes/news_card.html`` for ``post``, rendered once per generation.

    A card is the same for every visitor of a host in a language (its links, date and
    picture sizes), so its HTML is remembered per process until the next publication
    (see ``campaign.core.memo``): ten cards with their ``srcset`` were a third of the
    index page's rendering.
    """
    from campaign.core import memo

    request = context.get("request")

    def render():
        card = context.template.engine.get_template(CARD_TEMPLATE)  # the cached loader's
        values = {"post": post, "heading": heading, "compact": compact, "eager": eager, "request": request}
        return card.render(context.new(values))  # safe HTML

    if request is None or getattr(request, "is_preview", False) or post.pk is None:
        return render()
    key = ("news-card", post.pk, get_language(), request._get_raw_host(), heading, bool(compact), bool(eager))
    return memo.get_or_compute(request, key, render)
