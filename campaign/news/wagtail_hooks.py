from wagtail import hooks

from . import pagecache
from .models import NewsIndexPage
from .services import news_workflow_ensure


@hooks.register("on_serve_page")
def allow_page_cache(serve):
    """Wagtail pages may be cached for anonymous visitors (see ``pagecache``).

    Registered after Wagtail's own view-restriction check, so a private page never gets
    this far for a visitor who may not see it.
    """

    def inner(page, request, serve_args, serve_kwargs):
        response = serve(page, request, serve_args, serve_kwargs)
        pagecache.mark_cacheable(request)
        return response

    return inner


@hooks.register("after_create_page")
def give_new_news_index_its_workflow(request, page):
    if isinstance(page.specific, NewsIndexPage):
        news_workflow_ensure(index=page)
