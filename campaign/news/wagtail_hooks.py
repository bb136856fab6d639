from wagtail import hooks

from .models import NewsIndexPage
from .services import news_workflow_ensure


@hooks.register("after_create_page")
def give_new_news_index_its_workflow(request, page):
    if isinstance(page.specific, NewsIndexPage):
        news_workflow_ensure(index=page)
